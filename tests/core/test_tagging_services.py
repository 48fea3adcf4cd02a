"""Board services: quote cards, tagging commands (do/undo/redo), tag columns, queries and filters."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from postmortem_desktop.services.commands import RuleError
from postmortem_desktop.services.quotes import (
    UNSORTED,
    BoardFilter,
    CorrectAuthorRole,
    CreateQuote,
    DeleteQuote,
    board_cards,
    filter_cards,
    read_conversation,
)
from postmortem_desktop.services.tagging import (
    AcceptSuggestion,
    AddTag,
    AssignTag,
    ClearCardTags,
    DismissSuggestion,
    MergeTags,
    MoveCardTag,
    RecolorTag,
    RemoveTag,
    RenameTag,
    ReorderTags,
    list_tags,
    tag_color_hex,
)
from postmortem_desktop.storage.schema import (
    ActionItem,
    ActionItemLink,
    Conversation,
    Customer,
    Incident,
    Message,
    TagAssignment,
)
from tests.helpers import board_search

T0 = datetime(2026, 11, 18, 10, 0, tzinfo=timezone.utc)


def make_incident(ws) -> dict:
    """An incident with three conversations (one pre-existing) and their messages."""
    with ws.transaction() as s:
        inc = Incident(title="Billing", technical_start=T0)
        s.add(inc)
        s.flush()
        ana = Customer(name="Ana", organization="Acme", segment="Growth")
        bo = Customer(name="Bo", segment="Starter")
        s.add_all([ana, bo])
        s.flush()
        specs = [
            ("chat", ana, False, "renew plan", "double charge", [
                ("Ana", "customer", "I was charged twice and now I do everything by hand."),
                ("Sam", "agent", "Your data is safe, we are on it.")]),
            ("ticket", bo, False, "send invoice", "error page", [
                ("Bo", "customer", "Did my payment go through? The page froze on the zebra screen.")]),
            ("email", bo, True, "export data", "old export confusion", [
                ("Bo", "customer", "Where is the export button? I never found it.")]),
        ]
        ids = {"incident": inc.id, "conversations": [], "messages": []}
        for n, (channel, cust, pre, task, symptom, msgs) in enumerate(specs):
            conv = Conversation(incident_id=inc.id, channel=channel, customer_id=cust.id, subject=f"subject {n}",
                                customer_task=task, symptom=symptom, pre_existing=pre,
                                first_at=T0 + timedelta(minutes=10 * n), last_at=T0 + timedelta(minutes=10 * n + 5))
            s.add(conv)
            s.flush()
            ids["conversations"].append(conv.id)
            for pos, (author, role, body) in enumerate(msgs):
                m = Message(conversation_id=conv.id, position=pos, author=author, role=role, text=body,
                            at=T0 + timedelta(minutes=10 * n + pos))
                s.add(m)
                s.flush()
                ids["messages"].append(m.id)
    return ids  # the search index is kept in step by the workspace's triggers


def tag_id(ws, name: str) -> int:
    return next(t.id for t in list_tags(ws) if t.name == name)


def quote(ws, ids, message_index: int, phrase: str) -> CreateQuote:
    message_id = ids["messages"][message_index]
    body = next(m.text for c in ids["conversations"] for m in read_conversation(ws, c).messages if m.id == message_id)
    conversation_id = next(c for c in ids["conversations"]
                           if any(m.id == message_id for m in read_conversation(ws, c).messages))
    start = body.index(phrase)
    cmd = CreateQuote(ids["incident"], conversation_id, message_id, start, start + len(phrase))
    cmd.do(ws)
    return cmd


def card(ws, ids, quote_id):
    return next(c for c in board_cards(ws, ids["incident"]) if c.quote_id == quote_id)


@pytest.fixture
def ids(workspace):
    return make_incident(workspace)


def test_quote_keeps_its_span_and_gets_suggestions_as_ghosts_not_tags(workspace, ids):
    cmd = quote(workspace, ids, 0, "I was charged twice and now I do everything by hand.")
    c = card(workspace, ids, cmd.quote_id)
    assert c.text.startswith("I was charged twice")
    assert c.tags == ()
    assert {"manual-work"} <= {s.name for s in c.suggestions}
    assert any(s.phrase.lower() == "by hand" for s in c.suggestions)
    assert (c.customer, c.organization) == ("Ana", "Acme") and c.segment == "Growth" and c.channel == "chat"


def test_quote_span_is_trimmed_and_refused_when_empty_or_duplicate(workspace, ids):
    conv, msg = ids["conversations"][1], ids["messages"][2]
    cmd = CreateQuote(ids["incident"], conv, msg, 0, 4)  # "Did " -> "Did"
    cmd.do(workspace)
    assert card(workspace, ids, cmd.quote_id).text == "Did"
    with pytest.raises(RuleError):
        CreateQuote(ids["incident"], conv, msg, 3, 4).do(workspace)  # only a space
    with pytest.raises(RuleError):
        CreateQuote(ids["incident"], conv, msg, 0, 3).do(workspace)  # same span again


def test_wording_tags_are_suggested_on_agent_messages_only(workspace, ids):
    agent = quote(workspace, ids, 1, "Your data is safe")
    assert "calming-wording" in {s.name for s in card(workspace, ids, agent.quote_id).suggestions}
    with workspace.transaction() as s:
        s.get(Message, ids["messages"][1]).role = "customer"
    again = CreateQuote(ids["incident"], ids["conversations"][0], ids["messages"][1], 0, len("Your data is safe, we"))
    again.do(workspace)
    assert "calming-wording" not in {s.name for s in card(workspace, ids, again.quote_id).suggestions}


def test_whole_conversation_quote_uses_customer_words_and_is_refused_twice(workspace, ids):
    cmd = CreateQuote(ids["incident"], ids["conversations"][0])
    cmd.do(workspace)
    c = card(workspace, ids, cmd.quote_id)
    assert c.message_id is None and "charged twice" in c.text and "data is safe" not in c.text
    with pytest.raises(RuleError):
        CreateQuote(ids["incident"], ids["conversations"][0]).do(workspace)


def test_create_quote_undo_then_redo_keeps_the_id(workspace, ids):
    cmd = quote(workspace, ids, 2, "Did my payment go through?")
    first = cmd.quote_id
    cmd.undo(workspace)
    assert board_cards(workspace, ids["incident"]) == []
    cmd.do(workspace)
    assert cmd.quote_id == first and len(board_cards(workspace, ids["incident"])) == 1


def test_move_card_removes_one_tag_and_adds_another_in_one_undo_step(workspace, ids):
    q = quote(workspace, ids, 2, "Did my payment go through?").quote_id
    confusion, trust = tag_id(workspace, "confusion"), tag_id(workspace, "trust-loss")
    AssignTag(ids["incident"], [q], confusion).do(workspace)
    move = MoveCardTag(ids["incident"], [q], confusion, trust)
    move.do(workspace)
    assert card(workspace, ids, q).tag_ids == (trust,)
    move.undo(workspace)
    assert card(workspace, ids, q).tag_ids == (confusion,)


def test_assign_keeps_other_tags_and_remove_to_unsorted_clears(workspace, ids):
    q = quote(workspace, ids, 3, "Where is the export button?").quote_id
    a, b = tag_id(workspace, "confusion"), tag_id(workspace, "work-stopped")
    AssignTag(ids["incident"], [q], a).do(workspace)
    AssignTag(ids["incident"], [q], b).do(workspace)
    assert set(card(workspace, ids, q).tag_ids) == {a, b}
    RemoveTag(ids["incident"], [q], a).do(workspace)
    assert card(workspace, ids, q).tag_ids == (b,)
    clear = ClearCardTags(ids["incident"], [q])
    clear.do(workspace)
    assert card(workspace, ids, q).tag_ids == ()
    clear.undo(workspace)
    assert card(workspace, ids, q).tag_ids == (b,)


def test_accept_turns_a_ghost_into_a_tag_and_dismiss_is_remembered(workspace, ids):
    q = quote(workspace, ids, 0, "I was charged twice and now I do everything by hand.").quote_id
    ghosts = {s.name: s.tag_id for s in card(workspace, ids, q).suggestions}
    accept = AcceptSuggestion(ids["incident"], q, ghosts["manual-work"])
    accept.do(workspace)
    c = card(workspace, ids, q)
    assert ghosts["manual-work"] in c.tag_ids and "manual-work" not in {s.name for s in c.suggestions}
    other = next(name for name in ghosts if name != "manual-work")
    DismissSuggestion(ids["incident"], q, ghosts[other]).do(workspace)
    assert other not in {s.name for s in card(workspace, ids, q).suggestions}
    with workspace.reading() as s:
        sources = {a.source for a in s.scalars(select(TagAssignment).where(TagAssignment.quote_id == q))}
    assert "dismissed" in sources and "accepted" in sources
    accept.undo(workspace)
    assert "manual-work" in {s.name for s in card(workspace, ids, q).suggestions}


def test_accepting_a_suggestion_that_is_gone_is_refused(workspace, ids):
    q = quote(workspace, ids, 3, "Where is the export button?").quote_id
    with pytest.raises(RuleError):
        AcceptSuggestion(ids["incident"], q, tag_id(workspace, "churn-risk")).do(workspace)


def test_delete_quote_undo_restores_its_tags_and_action_links(workspace, ids):
    q = quote(workspace, ids, 2, "Did my payment go through?").quote_id
    AssignTag(ids["incident"], [q], tag_id(workspace, "confusion")).do(workspace)
    with workspace.transaction() as s:
        item = ActionItem(incident_id=ids["incident"], description="fix")
        s.add(item)
        s.flush()
        s.add(ActionItemLink(action_item_id=item.id, quote_id=q))
    before = card(workspace, ids, q)
    cmd = DeleteQuote(ids["incident"], [q])
    cmd.do(workspace)
    assert board_cards(workspace, ids["incident"]) == []
    cmd.undo(workspace)
    assert card(workspace, ids, q) == before
    with workspace.reading() as s:
        assert s.scalar(select(ActionItemLink.quote_id)) == q


def test_add_rename_recolor_reorder_tags_undo(workspace):
    add = AddTag("Billing Surprise")
    add.do(workspace)
    names = [t.name for t in list_tags(workspace)]
    assert names[-1] == "billing-surprise"
    with pytest.raises(RuleError):
        AddTag("billing-surprise").do(workspace)
    rename = RenameTag(add.tag_id, "surprise")
    rename.do(workspace)
    recolor = RecolorTag(add.tag_id, 3)
    recolor.do(workspace)
    tag = next(t for t in list_tags(workspace) if t.id == add.tag_id)
    assert (tag.name, tag.color) == ("surprise", 3)
    order = [t.id for t in list_tags(workspace)]
    reorder = ReorderTags([order[-1], *order[:-1]])
    reorder.do(workspace)
    assert list_tags(workspace)[0].id == add.tag_id
    for cmd in (reorder, recolor, rename):
        cmd.undo(workspace)
    assert [t.id for t in list_tags(workspace)] == order
    assert next(t for t in list_tags(workspace) if t.id == add.tag_id).name == "billing-surprise"
    add.undo(workspace)
    assert "billing-surprise" not in [t.name for t in list_tags(workspace)]


def test_rename_to_an_existing_name_is_refused(workspace):
    with pytest.raises(RuleError):
        RenameTag(tag_id(workspace, "confusion"), "Trust Loss").do(workspace)


def test_merge_moves_cards_keeps_the_stronger_record_and_undoes(workspace, ids):
    q1 = quote(workspace, ids, 2, "Did my payment go through?").quote_id
    q2 = quote(workspace, ids, 3, "Where is the export button?").quote_id
    a, b = tag_id(workspace, "confusion"), tag_id(workspace, "data-fear")
    AssignTag(ids["incident"], [q1, q2], b).do(workspace)
    merge = MergeTags(b, a, "data-fear", "confusion")
    merge.do(workspace)
    assert "data-fear" not in [t.name for t in list_tags(workspace)]
    assert card(workspace, ids, q1).tag_ids == (a,) and card(workspace, ids, q2).tag_ids == (a,)
    with workspace.reading() as s:
        assert len(s.scalars(select(TagAssignment).where(TagAssignment.tag_id == a,
                                                         TagAssignment.quote_id == q1)).all()) == 1
    merge.undo(workspace)
    assert card(workspace, ids, q1).tag_ids == (b,)
    assert "confusion" in {s.name for s in card(workspace, ids, q1).suggestions}


def test_search_finds_cards_by_conversation_text_and_by_quote_text(workspace, ids):
    q_zebra = quote(workspace, ids, 2, "Did my payment go through?").quote_id
    q_export = quote(workspace, ids, 3, "Where is the export button?").quote_id
    assert board_search(workspace, ids["incident"], "zebra") == {q_zebra}  # elsewhere in the message
    assert board_search(workspace, ids["incident"], "EXPO") == {q_export}  # prefix, any case
    assert board_search(workspace, ids["incident"], "subject 2") == {q_export}
    assert board_search(workspace, ids["incident"], "nothing-like-this") == set()


def test_filters_by_tag_channel_segment_and_pre_existing_scope(workspace, ids):
    q1 = quote(workspace, ids, 0, "I was charged twice").quote_id
    q2 = quote(workspace, ids, 2, "Did my payment go through?").quote_id
    q3 = quote(workspace, ids, 3, "Where is the export button?").quote_id
    AssignTag(ids["incident"], [q1], tag_id(workspace, "trust-loss")).do(workspace)
    cards = board_cards(workspace, ids["incident"])

    def kept(**kw):
        return {c.quote_id for c in filter_cards(cards, BoardFilter(**kw))}

    assert kept(tag_id=tag_id(workspace, "trust-loss")) == {q1}
    assert kept(tag_id=UNSORTED) == {q2, q3}
    assert kept(channel="ticket") == {q2}
    assert kept(segment="Starter") == {q2, q3}
    assert kept(scope="incident") == {q1, q2}
    assert kept(scope="pre_existing") == {q3}
    # words: the cards their conversations matched (q3's, by the database) and those with the words themselves
    assert {c.quote_id for c in filter_cards(cards, BoardFilter(text="zebra"), {q3})} == {q3}
    assert {c.quote_id for c in filter_cards(cards, BoardFilter(text="CHARGED"), {q3})} == {q1, q3}
    assert {c.quote_id for c in filter_cards(cards, BoardFilter(), {q3})} == {q1, q2, q3}  # no words: no search


def test_correct_author_role_changes_every_message_of_that_author_and_undoes(workspace, ids):
    conv = ids["conversations"][0]
    cmd = CorrectAuthorRole(ids["incident"], conv, "Sam", "internal")
    cmd.do(workspace)
    roles = {m.author: m.role for m in read_conversation(workspace, conv).messages}
    assert roles == {"Ana": "customer", "Sam": "internal"}
    cmd.undo(workspace)
    assert {m.author: m.role for m in read_conversation(workspace, conv).messages}["Sam"] == "agent"
    with pytest.raises(RuleError):
        CorrectAuthorRole(ids["incident"], conv, "Nobody", "agent").do(workspace)


def test_tag_colour_follows_the_shared_palette_rule():
    import json

    from postmortem_desktop.resources import resource_path

    palette = json.loads(resource_path("palette.json").read_text())["tags"]
    assert tag_color_hex(len(palette) + 2) == palette[2]["light"]
    assert tag_color_hex(1, "dark") == palette[1]["dark"]


def test_board_cards_are_in_time_order_with_tags_in_column_order(workspace, ids):
    q_late = quote(workspace, ids, 3, "Where is the export button?").quote_id
    q_early = quote(workspace, ids, 0, "I was charged twice").quote_id
    a, b = tag_id(workspace, "churn-risk"), tag_id(workspace, "confusion")
    AssignTag(ids["incident"], [q_early], a).do(workspace)
    AssignTag(ids["incident"], [q_early], b).do(workspace)
    cards = board_cards(workspace, ids["incident"])
    assert [c.quote_id for c in cards] == [q_early, q_late]
    assert cards[0].tag_ids == (b, a)  # confusion comes before churn-risk on the board
    assert [c.quote_id for c in board_cards(workspace, ids["incident"], [q_late])] == [q_late]
