"""The redaction preview beside the report pages: what will be masked, and what still looks personal, with
one click to mask the ticked candidates too. It only shows a core RedactionPreview and emits intent."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.reporting.redaction_preview import RedactionPreview

EMPTY_NOTE = "Preview the PDF to see what redaction will mask, and what it will leave."


class RedactionPanelWidget(QWidget):
    """Counts by kind, masked examples in context, and unmasked candidates a person can tick."""

    #: the person asked to mask these terms too (list of str)
    terms_chosen = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("redaction_panel")
        self.preview: RedactionPreview | None = None
        title = QLabel("<b>Redaction check</b>", self)
        self.summary_label = QLabel(EMPTY_NOTE, self)
        self.summary_label.setObjectName("redaction_summary")
        self.summary_label.setWordWrap(True)
        self.masked_view = self._tree(("Will mask", "Example in context"), "redaction_masked",
                                      "What redaction will mask, with examples")
        unsure = QLabel("<b>Still looks personal, not masked</b> — tick what to mask too:", self)
        unsure.setWordWrap(True)
        self.candidate_view = self._tree(("Term", "Seen", "In context", "Why"), "redaction_candidates",
                                         "Still looks personal, not masked: tick to mask")
        self.candidate_view.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.candidate_view.itemChanged.connect(self._on_candidate_view_item_changed)
        self.mask_button = QPushButton("&Mask These Too", self)
        self.mask_button.setObjectName("mask_more_button")
        self.mask_button.setToolTip("Mask the ticked terms in every redacted PDF and XLSX of this workspace "
                                    "(Edit ▸ Undo takes it back).")
        self.mask_button.clicked.connect(self._on_mask_button_clicked)
        self.mask_button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.mask_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.masked_view, 2)
        layout.addWidget(unsure)
        layout.addWidget(self.candidate_view, 3)
        layout.addLayout(buttons)

    def _tree(self, headers: tuple[str, ...], name: str, accessible: str) -> QTreeWidget:
        view = QTreeWidget(self)
        view.setObjectName(name)
        view.setAccessibleName(accessible)
        view.setHeaderLabels(list(headers))
        view.setRootIsDecorated(False)
        view.setUniformRowHeights(True)
        view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        view.header().setStretchLastSection(True)
        view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        return view

    # ---- showing --------------------------------------------------------------------------------
    def clear(self, message: str = EMPTY_NOTE) -> None:
        self.preview = None
        self.summary_label.setText(message)
        self.masked_view.clear()
        self.candidate_view.clear()
        self.mask_button.setEnabled(False)

    def show_preview(self, preview: RedactionPreview) -> None:
        self.preview = preview
        self.summary_label.setText(_summary(preview))
        self.masked_view.clear()
        for example in preview.examples:
            item = QTreeWidgetItem([_KIND_NAMES.get(example.kind, example.kind),
                                    f"{example.before}{example.found} → {example.replacement}{example.after}"])
            item.setToolTip(1, item.text(1))
            self.masked_view.addTopLevelItem(item)
        self.candidate_view.blockSignals(True)
        self.candidate_view.clear()
        for candidate in preview.candidates:
            item = QTreeWidgetItem([candidate.term, str(candidate.count),
                                    f"{candidate.before}{candidate.term}{candidate.after}", candidate.reason])
            item.setToolTip(2, item.text(2))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(0, Qt.CheckState.Unchecked)
            item.setData(0, Qt.ItemDataRole.UserRole, candidate.term)
            self.candidate_view.addTopLevelItem(item)
        self.candidate_view.blockSignals(False)
        self._update_enabled()

    def ticked_terms(self) -> list[str]:
        return [item.data(0, Qt.ItemDataRole.UserRole) for item in self._candidate_items()
                if item.checkState(0) == Qt.CheckState.Checked]

    def _candidate_items(self) -> list[QTreeWidgetItem]:
        view = self.candidate_view
        return [item for i in range(view.topLevelItemCount()) if (item := view.topLevelItem(i)) is not None]

    def set_ticked(self, terms: list[str]) -> None:
        """Ticks the candidates with these terms (for keyboard users' shortcuts and tests)."""
        for item in self._candidate_items():
            wanted = item.data(0, Qt.ItemDataRole.UserRole) in terms
            item.setCheckState(0, Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)

    def _update_enabled(self) -> None:
        self.mask_button.setEnabled(bool(self.ticked_terms()))

    # ---- intent ---------------------------------------------------------------------------------
    def _on_candidate_view_item_changed(self, _item: QTreeWidgetItem, _column: int) -> None:
        self._update_enabled()

    def _on_mask_button_clicked(self) -> None:
        terms = self.ticked_terms()
        if terms:
            self.terms_chosen.emit(terms)


def _kind_names() -> dict[str, str]:
    from postmortem_desktop.analysis.pii import KIND_LABELS

    return {kind: label[:1].upper() + label[1:] for kind, label in KIND_LABELS.items()}


_KIND_NAMES = _kind_names()


def _summary(preview: RedactionPreview) -> str:
    if not preview.counts:
        masked = "Redaction found nothing to mask."
    else:
        parts = ", ".join(f"{c.count} {c.label}" for c in preview.counts)
        masked = f"Will mask {preview.total_masked}: {parts}."
    unsure = (f" {len(preview.candidates)} more look personal and are not masked: tick them below to mask them."
              if preview.candidates else " Nothing else looks personal.")
    extra = f" Masked on request: {', '.join(preview.extra_terms)}." if preview.extra_terms else ""
    return masked + unsure + extra
