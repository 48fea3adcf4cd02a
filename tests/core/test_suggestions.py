"""Suggested tags over an incident: stored as ghosts, role-aware, dismissals remembered, undoable."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from test_tagging_services import make_incident

from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.quotes import CreateQuote, board_cards
from postmortem_desktop.services.suggestions import (
    FoundSuggestion,
    SetPatternExtras,
    StoreSuggestions,
    compute_suggestions,
    pattern_extras,
    run_suggestions,
    workspace_tagger,
)
from postmortem_desktop.services.tagging import AcceptSuggestion, AssignTag, DismissSuggestion, list_tags
from postmortem_desktop.storage.schema import Message, Quote, TagAssignment
from postmortem_desktop.storage.workspace import create_workspace
from tests.helpers import run_to_end


@pytest.fixture
def ids(workspace):
    return make_incident(workspace)


def message_suggestions(ws) -> dict[int, set[str]]:
    names = {t.id: t.name for t in list_tags(ws)}
    result: dict[int, set[str]] = {}
    with ws.reading() as s:
        for a in s.scalars(select(TagAssignment).where(TagAssignment.message_id.is_not(None),
                                                       TagAssignment.source == "suggested")):
            result.setdefault(a.message_id, set()).add(names[a.tag_id])
    return result


def bare_quote(ws, conversation_id, message_id, body):
    """A quote written without suggestions, as an import or an older version would leave it."""
    with ws.transaction() as s:
        q = Quote(conversation_id=conversation_id, message_id=message_id, start=0, end=len(body), text=body)
        s.add(q)
        s.flush()
        return q.id


def test_suggestions_are_stored_on_messages_and_quotes_with_their_phrase(workspace, ids):
    q = bare_quote(workspace, ids["conversations"][1], ids["messages"][2], "Did my payment go through?")
    command = run_suggestions(workspace, ids["incident"])
    assert command.stored > 0
    assert "manual-work" in message_suggestions(workspace)[ids["messages"][0]]
    card = board_cards(workspace, ids["incident"])[0]
    assert card.quote_id == q and card.tags == ()
    assert [(s.name, s.phrase) for s in card.suggestions] == [("confusion", "Did my payment go through")]


def test_wording_tags_only_on_agent_messages(workspace, ids):
    run_suggestions(workspace, ids["incident"])
    found = message_suggestions(workspace)
    assert "calming-wording" in found[ids["messages"][1]]  # the agent's "your data is safe"
    with workspace.transaction() as s:
        s.get(Message, ids["messages"][1]).role = "customer"
    run_suggestions(workspace, ids["incident"])
    assert "calming-wording" not in message_suggestions(workspace).get(ids["messages"][1], set())


def test_dismissed_and_applied_tags_are_never_suggested_again(workspace, ids):
    q = bare_quote(workspace, ids["conversations"][0], ids["messages"][0],
                   "I was charged twice and now I do everything by hand.")
    run_suggestions(workspace, ids["incident"])
    ghosts = {s.name: s.tag_id for s in board_cards(workspace, ids["incident"])[0].suggestions}
    assert {"manual-work", "trust-loss"} <= set(ghosts)
    DismissSuggestion(ids["incident"], q, ghosts["manual-work"]).do(workspace)
    AssignTag(ids["incident"], [q], ghosts["trust-loss"]).do(workspace)
    run_suggestions(workspace, ids["incident"])
    card = board_cards(workspace, ids["incident"])[0]
    assert "manual-work" not in {s.name for s in card.suggestions}
    assert "trust-loss" not in {s.name for s in card.suggestions} and card.tag_ids == (ghosts["trust-loss"],)


def test_whole_conversation_card_gets_what_its_messages_suggest(workspace, ids):
    cmd = CreateQuote(ids["incident"], ids["conversations"][0])
    cmd.do(workspace)
    with workspace.transaction() as s:  # start from no ghosts at all
        s.query(TagAssignment).delete()
    run_suggestions(workspace, ids["incident"])
    names = {s.name for s in board_cards(workspace, ids["incident"])[0].suggestions}
    assert {"manual-work", "calming-wording"} <= names


def test_store_is_undoable_and_cancel_writes_nothing(workspace, ids):
    bare_quote(workspace, ids["conversations"][1], ids["messages"][2], "Did my payment go through?")
    generator = compute_suggestions(workspace, ids["incident"])
    first = next(generator)
    assert first[1] == 5  # four messages and one quote
    generator.close()  # what Cancel does
    assert message_suggestions(workspace) == {}
    command = run_suggestions(workspace, ids["incident"])
    assert message_suggestions(workspace)
    command.undo(workspace)
    assert message_suggestions(workspace) == {}
    assert board_cards(workspace, ids["incident"])[0].suggestions == ()


def test_workspace_pattern_extras_add_phrases_and_bad_ones_are_refused(workspace, ids):
    bare_quote(workspace, ids["conversations"][1], ids["messages"][2], "The page froze on the zebra screen.")
    with pytest.raises(RuleError):
        SetPatternExtras({"work-stopped": ["[optional] first"]})
    SetPatternExtras({"work-stopped": ["zebra screen"]}).do(workspace)
    assert pattern_extras(workspace) == {"work-stopped": ["zebra screen"]}
    assert "work-stopped" in {s.tag for s in workspace_tagger(workspace).suggest("a zebra screen again")}
    run_suggestions(workspace, ids["incident"])
    assert [(s.name, s.phrase) for s in board_cards(workspace, ids["incident"])[0].suggestions] == [
        ("work-stopped", "zebra screen")]


def test_suggestions_for_a_quote_deleted_meanwhile_are_skipped_not_a_crash(demo):
    from sqlalchemy import select

    from postmortem_desktop.services.quotes import DeleteQuote
    from postmortem_desktop.services.suggestions import compute_suggestions
    from tests.helpers import billing_id

    iid = billing_id(demo)
    gen = compute_suggestions(demo, iid)
    try:
        while True:
            next(gen)
    except StopIteration as stop:
        command: StoreSuggestions = stop.value
    on_quotes = [f for f in command.found if f.quote_id is not None]
    assert on_quotes, "the demo has quotes the tagger flags"
    gone = on_quotes[0].quote_id
    DeleteQuote(iid, [gone]).do(demo)  # the board stayed editable while the worker ran
    command.do(demo)
    with demo.reading() as s:
        assert s.scalar(select(TagAssignment.id).where(TagAssignment.quote_id == gone)) is None
        assert s.scalar(select(TagAssignment.id).where(TagAssignment.source == "suggested")) is not None


def suggested_rows(ws) -> dict[tuple, tuple[int, str, object]]:
    """(tag, quote, message) -> (row id, phrase, when stored) of every pending suggestion."""
    with ws.reading() as s:
        return {(a.tag_id, a.quote_id, a.message_id): (a.id, a.phrase, a.created_at)
                for a in s.scalars(select(TagAssignment).where(TagAssignment.source == "suggested"))}


def test_storing_again_writes_only_what_changed_and_undo_restores_the_rest(workspace, ids):
    """A learning pass after each decision stores the incident's suggestions again; most come out the same."""
    bare_quote(workspace, ids["conversations"][1], ids["messages"][2], "Did my payment go through?")
    first = run_suggestions(workspace, ids["incident"])
    before = suggested_rows(workspace)
    assert len(before) >= 4
    dropped, rephrased, *unchanged = first.found
    new_tag = next(t.id for t in list_tags(workspace)
                   if (t.id, dropped.quote_id, dropped.message_id) not in before)
    again = StoreSuggestions(ids["incident"], [
        FoundSuggestion(rephrased.tag_id, "another phrase", rephrased.quote_id, rephrased.message_id),
        *unchanged,
        FoundSuggestion(new_tag, "a new one", dropped.quote_id, dropped.message_id),
        *unchanged[:1],  # found twice: stored once
    ])
    again.do(workspace)
    after = suggested_rows(workspace)
    key = lambda f: (f.tag_id, f.quote_id, f.message_id)  # noqa: E731
    assert key(dropped) not in after
    assert after[key(rephrased)][:2] == (before[key(rephrased)][0], "another phrase")  # reworded in place
    assert after[(new_tag, dropped.quote_id, dropped.message_id)][1] == "a new one"
    assert all(after[key(f)] == before[key(f)] for f in unchanged)  # the same rows, ids and all
    assert again.stored == len(after) == len(unchanged) + 2
    again.undo(workspace)
    assert suggested_rows(workspace) == before  # the same rows again: ids, phrases and times
    again.do(workspace)  # redo
    assert {k: v[1] for k, v in suggested_rows(workspace).items()} == {k: v[1] for k, v in after.items()}


def test_a_suggestion_stored_twice_by_mistake_is_left_once(workspace, ids):
    run_suggestions(workspace, ids["incident"])
    before = suggested_rows(workspace)
    (tag_id, quote_id, message_id), (_id, phrase, _at) = next(iter(before.items()))
    with workspace.transaction() as s:  # no unique key holds a pair whose quote is NULL
        s.add(TagAssignment(tag_id=tag_id, quote_id=quote_id, message_id=message_id, source="suggested",
                            phrase=phrase))
    run_suggestions(workspace, ids["incident"])
    with workspace.reading() as s:
        copies = s.scalars(select(TagAssignment).where(
            TagAssignment.tag_id == tag_id, TagAssignment.message_id == message_id,
            TagAssignment.source == "suggested")).all()
    assert len(copies) == 1


def test_two_teammates_storing_at_once_store_each_suggestion_once(team_database):
    """Two learning passes on one team incident: the second waits for the first, then keeps its rows."""
    import threading

    from postmortem_desktop.storage.workspace import open_workspace

    ana = create_workspace(team_database)
    ben = open_workspace(team_database)
    try:
        incident = make_incident(ana)["incident"]
        found = compute_found(ana, incident)
        first = StoreSuggestions(incident, found)
        with ana.transaction() as session:
            first.apply(session)  # Ana's pass, not yet committed
            second = threading.Thread(target=StoreSuggestions(incident, found).do, args=(ben,))
            second.start()
            assert waiting_for_a_lock(ana)  # Ben's pass waits for Ana's
            assert second.is_alive()
        second.join(10)
        assert not second.is_alive()
        with ana.reading() as session:
            keys = [(a.tag_id, a.quote_id, a.message_id) for a in session.scalars(select(TagAssignment))]
        assert len(keys) == len(set(keys)) == first.stored > 0
    finally:
        ben.close()
        ana.close()



@pytest.fixture
def two_teammates(team_database):
    """Ana and Ben on one team workspace, on an incident whose first card has pending suggestions."""
    from postmortem_desktop.storage.workspace import open_workspace

    ana = create_workspace(team_database)
    ben = open_workspace(team_database)
    ids = make_incident(ana)
    ids["quote"] = bare_quote(ana, ids["conversations"][0], ids["messages"][0],
                              "I was charged twice and now I do everything by hand.")
    yield ana, ben, ids
    ben.close()
    ana.close()


def on_the_card(ws, quote_id: int, tag_id: int) -> list[str]:
    """The sources of every row tying the tag to the card."""
    with ws.reading() as s:
        return sorted(s.scalars(select(TagAssignment.source).where(TagAssignment.quote_id == quote_id,
                                                                   TagAssignment.tag_id == tag_id)))


@pytest.mark.parametrize("pass_wants", ["it reworded", "it no more"])
def test_a_learning_pass_never_undoes_a_teammates_decision_made_while_it_ran(two_teammates, monkeypatch, pass_wants):
    ana, ben, ids = two_teammates
    run_suggestions(ana, ids["incident"])
    found = compute_found(ana, ids["incident"])
    on_card = next(f for f in found if f.quote_id == ids["quote"])
    others = [f for f in found if f is not on_card]
    again = [FoundSuggestion(on_card.tag_id, "reworded after a decision", quote_id=ids["quote"]), *others] \
        if pass_wants == "it reworded" else others
    wanted = StoreSuggestions._wanted

    def ben_accepts_meanwhile(self, session, decided):  # after Ana's pass read the rows, before it writes
        AcceptSuggestion(ids["incident"], ids["quote"], on_card.tag_id).do(ben)
        return wanted(self, session, decided)

    monkeypatch.setattr(StoreSuggestions, "_wanted", ben_accepts_meanwhile)
    StoreSuggestions(ids["incident"], again).do(ana)
    assert on_the_card(ana, ids["quote"], on_card.tag_id) == ["accepted"]


def test_undoing_suggest_tags_keeps_a_teammates_decision_on_a_suggestion_it_kept(two_teammates):
    ana, ben, ids = two_teammates
    first = run_suggestions(ana, ids["incident"])
    found = compute_found(ana, ids["incident"])
    on_card = next(f for f in found if f.quote_id == ids["quote"])
    second = StoreSuggestions(ids["incident"], [f for f in found if f.message_id is None])  # keeps the card's
    second.do(ana)
    AcceptSuggestion(ids["incident"], ids["quote"], on_card.tag_id).do(ben)
    second.undo(ana)  # the suggestions as Suggest Tags first left them, except the one Ben accepted
    assert on_the_card(ana, ids["quote"], on_card.tag_id) == ["accepted"]
    pending = {k for k, _row in suggested_rows(ana).items()}
    assert pending == {(f.tag_id, f.quote_id, f.message_id) for f in first.found} - {
        (on_card.tag_id, ids["quote"], None)}


def waiting_for_a_lock(ws, seconds: float = 10.0) -> bool:
    """Whether another transaction comes to wait for an advisory lock within the time (the server's own word)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with ws.engine.connect() as conn:
            if conn.exec_driver_sql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                                    ).scalar():
                return True
        time.sleep(0.02)
    return False


def compute_found(ws, incident: int) -> list[FoundSuggestion]:
    return run_to_end(compute_suggestions(ws, incident)).found


def test_only_suggest_tags_makes_an_incident_learn_and_its_undo_stops_it(workspace, ids):
    from postmortem_desktop.services.suggestions import incident_uses_suggestions

    quote_id = bare_quote(workspace, ids["conversations"][0], ids["messages"][0],
                          "I was charged twice and now I do everything by hand.")
    card = CreateQuote(ids["incident"], ids["conversations"][1])
    card.do(workspace)  # a new card's own suggestions: not asking for the whole incident's
    assert next(c for c in board_cards(workspace, ids["incident"]) if c.quote_id == card.quote_id).suggestions
    assert not incident_uses_suggestions(workspace, ids["incident"])
    suggest = run_suggestions(workspace, ids["incident"])
    assert incident_uses_suggestions(workspace, ids["incident"])
    tag_id = next(s.tag_id for c in board_cards(workspace, ids["incident"]) if c.quote_id == quote_id
                  for s in c.suggestions)
    AcceptSuggestion(ids["incident"], quote_id, tag_id).do(workspace)
    suggest.undo(workspace)  # Edit › Undo Suggest Tags: the accepted one stays, and so does the undo
    assert not incident_uses_suggestions(workspace, ids["incident"])
    assert on_the_card(workspace, quote_id, tag_id) == ["accepted"]


def test_the_reader_leaves_out_a_tag_a_messages_own_card_was_given_and_the_incident_still_learns(workspace, ids):
    from postmortem_desktop.services.quotes import read_conversation
    from postmortem_desktop.services.suggestions import incident_uses_suggestions

    def shown(message_id: int) -> set[str]:
        view = read_conversation(workspace, ids["conversations"][0])
        return {tag.name for m in view.messages if m.id == message_id for tag in m.suggestions}

    run_suggestions(workspace, ids["incident"])
    first = ids["messages"][0]  # "I was charged twice and now I do everything by hand."
    assert {"manual-work", "trust-loss"} <= shown(first)
    tags = {t.name: t.id for t in list_tags(workspace)}
    quote_id = bare_quote(workspace, ids["conversations"][0], first, "now I do everything by hand")
    AssignTag(ids["incident"], [quote_id], tags["manual-work"]).do(workspace)
    run_suggestions(workspace, ids["incident"])
    assert "manual-work" not in shown(first) and "trust-loss" in shown(first)  # its card has manual-work
    whole = CreateQuote(ids["incident"], ids["conversations"][0])
    whole.do(workspace)
    AssignTag(ids["incident"], [whole.quote_id], tags["trust-loss"]).do(workspace)
    run_suggestions(workspace, ids["incident"])
    assert "trust-loss" not in shown(first)  # the whole conversation has it
    # every message's suggestion covered by a card: they stay stored, and the incident goes on learning
    assert incident_uses_suggestions(workspace, ids["incident"])


def test_a_learning_pass_running_when_suggest_tags_is_undone_stores_nothing(workspace, ids):
    """Ctrl+Z on a tag starts a pass; Ctrl+Z on Suggest Tags while it runs must stay undone when it ends."""
    from postmortem_desktop.services.suggestions import incident_uses_suggestions

    quote_id = bare_quote(workspace, ids["conversations"][0], ids["messages"][0], "I do everything by hand")
    suggest = run_suggestions(workspace, ids["incident"])
    passing = compute_suggestions(workspace, ids["incident"], learning=True)
    while True:  # worked out while Suggest Tags was there
        try:
            next(passing)
        except StopIteration as done:
            learning = done.value
            break
    suggest.undo(workspace)
    learning.do(workspace)
    assert suggested_rows(workspace) == {} and not incident_uses_suggestions(workspace, ids["incident"])
    assert learning.stored == 0
    asked = run_suggestions(workspace, ids["incident"])  # asked for again: they come back, and learning with them
    assert asked.stored > 0 and any(key[1] == quote_id for key in suggested_rows(workspace))


def _computed(ws, incident: int, *, learning: bool) -> StoreSuggestions:
    return run_to_end(compute_suggestions(ws, incident, learning=learning))


def test_a_suggest_tags_that_found_nothing_on_the_messages_still_learns_from_later_decisions(workspace, ids):
    """Asking is what makes an incident learn, not what the asking found: a tagger that knew nothing yet (here,
    one without patterns) finds nothing, and the decisions made afterwards must still teach the board."""
    from postmortem_desktop.analysis.tagger import Tagger
    from postmortem_desktop.services.suggestions import incident_uses_suggestions

    knows_nothing = Tagger([t.name for t in list_tags(workspace)], {t.name: [] for t in list_tags(workspace)}, {})
    asked = run_suggestions(workspace, ids["incident"], knows_nothing)
    assert asked.stored == 0 and message_suggestions(workspace) == {}
    assert incident_uses_suggestions(workspace, ids["incident"])
    learning = _computed(workspace, ids["incident"], learning=True)  # after the next decision
    learning.do(workspace)
    assert learning.stored > 0 and "manual-work" in message_suggestions(workspace)[ids["messages"][0]]
    asked.undo(workspace)  # Edit › Undo Suggest Tags: no longer asked, and the learned ones go with it
    assert not incident_uses_suggestions(workspace, ids["incident"]) and message_suggestions(workspace) == {}
    late = _computed(workspace, ids["incident"], learning=True)
    late.do(workspace)
    assert late.stored == 0 and message_suggestions(workspace) == {}


def test_an_incident_goes_on_learning_after_its_delete_is_undone_and_a_new_one_in_its_place_does_not(workspace, ids):
    from postmortem_desktop.analysis.tagger import Tagger
    from postmortem_desktop.services.incidents import CreateIncident, DeleteIncident
    from postmortem_desktop.services.suggestions import incident_uses_suggestions

    knows_nothing = Tagger([t.name for t in list_tags(workspace)], {t.name: [] for t in list_tags(workspace)}, {})
    run_suggestions(workspace, ids["incident"], knows_nothing)
    delete = DeleteIncident(ids["incident"])
    delete.do(workspace)
    new = CreateIncident(title="Later")
    new.do(workspace)
    assert not incident_uses_suggestions(workspace, new.incident_id)  # a file may give it the deleted one's number
    new.undo(workspace)
    delete.undo(workspace)
    assert incident_uses_suggestions(workspace, ids["incident"])


def test_an_incident_asked_before_the_setting_existed_still_learns(workspace, ids):
    """Incidents given Suggest Tags by an older release have suggestions on their messages and no setting."""
    from postmortem_desktop.services.suggestions import incident_uses_suggestions
    from postmortem_desktop.storage.schema import WorkspaceSetting

    run_suggestions(workspace, ids["incident"])
    with workspace.transaction() as session:
        session.query(WorkspaceSetting).filter(WorkspaceSetting.key.like("suggestions.%")).delete()
    assert incident_uses_suggestions(workspace, ids["incident"])
    learning = _computed(workspace, ids["incident"], learning=True)
    learning.do(workspace)
    assert learning.stored > 0


def test_a_teams_history_tells_a_learning_pass_from_the_suggest_tags_a_person_asked_for(workspace, ids):
    from postmortem_desktop.services.review_answers import ReviewService
    from postmortem_desktop.services.suggestions import LEARNING_NAME

    run_suggestions(workspace, ids["incident"])
    with workspace.transaction() as session:  # one suggestion gone, so the pass has something to store
        first = session.scalars(select(TagAssignment).where(TagAssignment.source == "suggested")).first()
        session.delete(first)
    learning = _computed(workspace, ids["incident"], learning=True)
    learning.do(workspace)
    assert not learning.wrote_nothing
    whats = [entry.what for entry in ReviewService(workspace).edits(ids["incident"])]
    if workspace.kind.value == "file":
        assert whats == []  # a file keeps no history of edits
    else:
        assert whats == ["Suggest Tags", LEARNING_NAME]


def test_a_learning_pass_with_nothing_to_store_is_no_edit(workspace, ids):
    """Most decisions change no other card's suggestions. The pass that follows each of them then changed nothing:
    it must not fill a team's incident history with entries that did nothing, nor tell every teammate's board to
    read the incident again (the feed is told by the same record)."""
    from postmortem_desktop.services.review_answers import ReviewService

    run_suggestions(workspace, ids["incident"])
    before = {(row.id, row.phrase) for row in _suggested_rows(workspace)}
    learning = _computed(workspace, ids["incident"], learning=True)
    learning.do(workspace)
    assert learning.wrote_nothing and not learning.stale and learning.stored > 0
    assert {(row.id, row.phrase) for row in _suggested_rows(workspace)} == before
    if workspace.kind.value == "team":
        assert [entry.what for entry in ReviewService(workspace).edits(ids["incident"])] == ["Suggest Tags"]


def test_a_stale_learning_pass_is_no_edit(workspace, ids):
    from postmortem_desktop.services.review_answers import ReviewService

    run_suggestions(workspace, ids["incident"])
    passing = _computed(workspace, ids["incident"], learning=True)
    run_suggestions(workspace, ids["incident"])  # stored again after the pass read the rows
    passing.do(workspace)
    assert passing.stale and passing.wrote_nothing
    if workspace.kind.value == "team":
        assert [e.what for e in ReviewService(workspace).edits(ids["incident"])] == ["Suggest Tags", "Suggest Tags"]


def _suggested_rows(ws) -> list:
    with ws.reading() as session:
        return list(session.execute(select(TagAssignment.id, TagAssignment.phrase)
                                    .where(TagAssignment.source == "suggested")))


def test_a_pass_stored_after_a_card_was_made_leaves_the_new_cards_chips(workspace, ids):
    """A card dragged out (here or by a teammate) while a learning pass works gets its own chips at once; the pass,
    which never read that card, must not take them away when it stores."""
    run_suggestions(workspace, ids["incident"])
    passing = _computed(workspace, ids["incident"], learning=True)  # worked out before the card existed
    card = CreateQuote(ids["incident"], ids["conversations"][0])
    card.do(workspace)
    chips = {s.name for c in board_cards(workspace, ids["incident"]) if c.quote_id == card.quote_id
             for s in c.suggestions}
    assert chips  # "I was charged twice and now I do everything by hand."
    passing.do(workspace)
    assert {s.name for c in board_cards(workspace, ids["incident"]) if c.quote_id == card.quote_id
            for s in c.suggestions} == chips


def test_undoing_suggest_tags_leaves_the_chips_of_cards_made_after_it(workspace, ids):
    """A teammate drags out a card after my Suggest Tags; my Ctrl+Z takes back what Suggest Tags stored, not the
    chips their card got of its own."""
    suggest = run_suggestions(workspace, ids["incident"])
    card = CreateQuote(ids["incident"], ids["conversations"][0])
    card.do(workspace)
    chips = {s.name for c in board_cards(workspace, ids["incident"]) if c.quote_id == card.quote_id
             for s in c.suggestions}
    assert chips
    suggest.undo(workspace)
    assert message_suggestions(workspace) == {}  # what Suggest Tags stored is gone
    assert {s.name for c in board_cards(workspace, ids["incident"]) if c.quote_id == card.quote_id
            for s in c.suggestions} == chips


def test_a_pass_does_not_take_a_new_card_given_a_deleted_cards_id_for_the_card_it_read(workspace, ids):
    """A file gives the next card the id of the card deleted last: a pass that read the deleted one must neither
    take the new card's chips nor put the deleted card's on it."""
    run_suggestions(workspace, ids["incident"])
    gone = CreateQuote(ids["incident"], ids["conversations"][0])  # "charged twice ... by hand"
    gone.do(workspace)
    passing = _computed(workspace, ids["incident"], learning=True)  # reads that card
    gone.undo(workspace)
    new = CreateQuote(ids["incident"], ids["conversations"][1])  # "Did my payment go through? ..."
    new.do(workspace)

    def chips() -> set[str]:
        return {s.name for c in board_cards(workspace, ids["incident"]) if c.quote_id == new.quote_id
                for s in c.suggestions}

    own = chips()
    assert own
    passing.do(workspace)
    assert chips() == own
