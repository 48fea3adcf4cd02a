"""Checks of the importers against the real public files in ../shared/data/real/ (truth: its expected.json).

Each module `checks_<kind>.py` here defines `checks() -> list[Check]`; `run.py` runs them all and prints
the pass rate per kind. The files are read where they live and never copied into this repository.
"""
