"""Redaction use cases: the preview of what an export will mask, and masking more terms (undoable)."""
from __future__ import annotations

from collections.abc import Iterable

from ..domain.changes import DataChange
from ..reporting import redaction_terms
from ..reporting.redaction_preview import RedactionPreview, build_preview
from ..reporting.report_data import gather
from ..storage.workspace import Workspace
from .settings import SetSetting, get_setting


def redaction_preview(workspace: Workspace, incident_id: int) -> RedactionPreview:
    """What a redacted export of this incident will mask, and what it will leave that still looks personal."""
    return build_preview(gather(workspace, incident_id))


def extra_terms(workspace: Workspace) -> tuple[str, ...]:
    """The terms people asked to mask in this workspace's redacted exports, beyond what is detected."""
    return redaction_terms.parse(get_setting(workspace, redaction_terms.SETTING_KEY))


class MaskTerms(SetSetting):
    """Adds terms to mask in every redacted export of this workspace (PDF, XLSX, command line and app)."""

    changes = DataChange.SETTING

    def __init__(self, current: Iterable[str], added: Iterable[str]):
        added = [t for t in added if t and t.strip()]
        super().__init__(redaction_terms.SETTING_KEY, redaction_terms.dump([*current, *added]),
                         name=f"Mask {len(added)} More Term{'s' if len(added) != 1 else ''}")


class UnmaskTerms(SetSetting):
    """Stops masking terms a person added earlier."""

    changes = DataChange.SETTING

    def __init__(self, current: Iterable[str], removed: Iterable[str]):
        gone = {t.casefold() for t in removed}
        super().__init__(redaction_terms.SETTING_KEY,
                         redaction_terms.dump(t for t in current if t.casefold() not in gone),
                         name="Stop Masking Terms")

