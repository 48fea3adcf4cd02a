"""The facilitator agenda and its per-step notes, kept as workspace settings; every save is undoable."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..domain.agenda import DEFAULT_AGENDA, Agenda, AgendaError, from_json, to_json, validate
from ..domain.changes import DataChange
from ..storage.edit_history import last_workspace_editor, workspace_editors_since
from ..storage.incident_settings import NOTES_PREFIX, setting_key
from ..storage.workspace import Workspace
from .commands import EditConflict, RuleError
from .settings import SetSetting, get_setting

AGENDA_KEY = "facilitator.agenda"
#: only the facilitator overlay listens to this part, so saving notes does not reload every screen
AGENDA_CHANGES = DataChange.AGENDA



def notes_key(incident_id: int, step_key: str) -> str:
    """The setting holding one incident's notes of one step (an incident's own: storage/incident_settings.py)."""
    return setting_key(NOTES_PREFIX, incident_id, step_key)


def load_agenda(workspace: Workspace) -> Agenda:
    """The workspace's agenda; the default one when none was saved or the saved one is damaged."""
    return agenda_of(get_setting(workspace, AGENDA_KEY, ""))


def agenda_of(text: str) -> Agenda:
    """The agenda a stored setting's text holds, read as load_agenda reads it."""
    if not text:
        return DEFAULT_AGENDA
    try:
        return from_json(text)
    except AgendaError:
        return DEFAULT_AGENDA


def step_notes(workspace: Workspace, incident_id: int, step_key: str) -> str:
    return get_setting(workspace, notes_key(incident_id, step_key), "")


def agenda_notes(workspace: Workspace, incident_id: int, agenda: Agenda) -> dict[str, str]:
    """Notes per step key for one incident (empty text for steps without notes)."""
    return {step.key: step_notes(workspace, incident_id, step.key) for step in agenda.steps}


class SaveAgenda(SetSetting):
    """Saves the workspace's agenda. Made from the agenda the editor opened with (`based_on`), it is refused
    (EditConflict, both agendas) when a teammate saved another since, not written over theirs; None: no check."""
    changes = AGENDA_CHANGES

    def __init__(self, agenda: Agenda, *, based_on: Agenda | None = None):
        try:
            validate(agenda)
        except AgendaError as exc:
            raise RuleError(str(exc)) from exc
        super().__init__(AGENDA_KEY, to_json(agenda), name="Edit Facilitator Agenda",
                         based_on=None if based_on is None else to_json(based_on))
        self.agenda, self.shown = agenda, based_on

    def refuse_if_changed_since_read(self, stored: str | None) -> None:
        # compared as agendas, as the editor read it: none stored (or a damaged one) was shown as the default
        theirs = agenda_of(stored or "")
        if theirs != self.shown:
            raise EditConflict(self.name, based_on=self.shown, yours=self.agenda, theirs=theirs)

    def changed_by(self, session: Session, user: str) -> str:
        return last_workspace_editor(session, user, self.name)

    def changed_since_by(self, session: Session, user: str, *, undone: bool) -> tuple[str, ...]:
        return workspace_editors_since(session, user, self.name, undone=undone)


class SaveStepNotes(SetSetting):
    changes = AGENDA_CHANGES

    def __init__(self, incident_id: int, step_key: str, text: str, step_title: str = "", *,
                 based_on: str | None = None):
        """based_on: the step's notes as the facilitator's field showed them ("" for none); a teammate's notes
        saved since are refused (EditConflict), not overwritten. None: no check."""
        super().__init__(notes_key(incident_id, step_key), text,
                         name=f"Notes on “{step_title}”" if step_title else "Edit Step Notes", incident_id=incident_id,
                         based_on=based_on)
        self.step_key, self.step_title = step_key, step_title

    def again_over(self, theirs: str) -> SaveStepNotes:
        """The same notes, made from the ones now stored (Keep mine after a teammate saved theirs)."""
        return SaveStepNotes(self.incident_id, self.step_key, self.value, self.step_title, based_on=theirs)
