"""Column titles a table never cuts: a column that shrinks with the table keeps its title's width."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView

_REMEASURE = (QEvent.Type.FontChange, QEvent.Type.StyleChange, QEvent.Type.Show)


class _TitleGuard(QObject):
    """Measures the titles again when the type changes (the projector theme's larger font)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _REMEASURE and isinstance(watched, QHeaderView):
            fit_shrinking_titles(watched)
        return False


def keep_titles_whole(header: QHeaderView) -> None:
    """A stretching column (or the stretched last one) is squeezed to what is left of the table's width,
    down to a few letters of its title ("fter the revie"): it now keeps its title whole, and the table
    scrolls sideways instead. Columns sized to their contents already fit their titles."""
    header.installEventFilter(_TitleGuard(header))
    header.sectionCountChanged.connect(lambda _old, _new: fit_shrinking_titles(header))
    fit_shrinking_titles(header)


def fit_shrinking_titles(header: QHeaderView) -> None:
    last = max((s for s in range(header.count()) if not header.isSectionHidden(s)), default=-1)
    shrinking = [s for s in range(header.count()) if not header.isSectionHidden(s) and (
        header.sectionResizeMode(s) == QHeaderView.ResizeMode.Stretch
        or (s == last and header.stretchLastSection()))]
    need = max((header.sectionSizeHint(s) for s in shrinking), default=0)
    if need > header.minimumSectionSize():
        header.setMinimumSectionSize(need)
    for section in range(header.count()):  # a column the code sized ('Motivated by' at 100 px) widens to its title
        interactive = header.sectionResizeMode(section) == QHeaderView.ResizeMode.Interactive
        if interactive and section not in shrinking and header.sectionSize(section) < header.sectionSizeHint(section):
            header.resizeSection(section, header.sectionSizeHint(section))
