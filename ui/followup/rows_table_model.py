"""A read-only table model over rows of plain values, for the follow-up screen's small listings."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt

from ..models.row_table_model import RowTableModel


class RowsTableModel(RowTableModel):
    def __init__(self, headers: Sequence[str], parent=None):  # noqa: ANN001
        super().__init__(parent)
        self.HEADERS = tuple(headers)  # per instance: each listing has its own columns

    def cell(self, row: tuple[Any, ...], col: int, role: int):  # noqa: ANN201
        value = row[col]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, (int, float)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
