"""How the screens treat a read-only workspace (a team role granted SELECT only, a file opened read-only or held by
another window): the short reason they show, and the controls that cannot work turned off with it as their tooltip.

A control that could only bring up the refusal (the grants a role lacks, in full) is better off saying why it is
off before anyone presses it; text stays readable, so fields are made read-only, never disabled (see
ui/closeout/record_lock.py, which locks a record's editors the same way for a closed incident and for this).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QPlainTextEdit, QTextEdit, QWidget

if TYPE_CHECKING:
    from postmortem_desktop.storage.handle import Workspace

#: the editors made read-only rather than disabled, here and by lock_record: what they hold stays readable and can be
#: copied in every theme
READ_ONLY_EDITORS = (QPlainTextEdit, QTextEdit, QLineEdit, QAbstractSpinBox)
_OWN_TIP = "tooltip_while_writable"  # a control's own tooltip, given back when the workspace is writable again


def is_read_only(workspace: Workspace | None) -> bool:
    return workspace is not None and workspace.read_only


def short_reason(workspace: Workspace | None) -> str:
    """The first sentence of why the workspace is read-only (who or what holds it, which role lacks rights); ""
    when it is writable. The full reason, with the GRANT statements, is in the status bar's tooltip."""
    if not is_read_only(workspace):
        return ""
    assert workspace is not None
    return workspace.read_only_reason.split(". ")[0].rstrip(".") + "."


def enable_when_writable(widgets: Iterable[QWidget | QAction], workspace: Workspace | None, also: bool = True) -> None:
    """Enables each widget when the workspace is writable and `also` (the screen's own rule) holds; on a read-only
    workspace turns it off, its tooltip saying why, and gives it its own tooltip back once writable again.

    A field (text, a number, a date) is not turned off but made read-only, as lock_record does, so what it holds
    reads in the theme's own colours rather than the disabled grey."""
    reason = short_reason(workspace)
    for widget in widgets:
        if isinstance(widget, READ_ONLY_EDITORS):
            widget.setEnabled(also)
            widget.setReadOnly(bool(reason))
        else:
            widget.setEnabled(also and not reason)
        said = f"Read-only: {reason}"
        if reason:
            if widget.toolTip() != said:  # the screen may have set its own since
                widget.setProperty(_OWN_TIP, widget.toolTip())
            widget.setToolTip(said)
        elif widget.property(_OWN_TIP) is not None:
            widget.setToolTip(widget.property(_OWN_TIP))
            widget.setProperty(_OWN_TIP, None)
