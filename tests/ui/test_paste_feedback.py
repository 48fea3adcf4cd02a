"""Adding a conversation says so and opens it; chat and mail files dropped on the window are read (issue 14, 16)."""
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QDialog, QMessageBox

from tests.shared_data import shared_file
from tests.ui.test_import_flow import billing_id, conversation_count


def _drop(window, path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    window.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))


def _accept_paste_dialogs(monkeypatch, seen: list):
    from ui.importing.paste_dialog import PasteConversationDialog

    def accept(dialog):
        seen.append(dialog)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PasteConversationDialog, "exec", accept)


def test_a_dated_bracket_paste_is_recognised_and_the_new_conversation_is_announced_and_opened(qtbot, main_window,
                                                                                            monkeypatch):
    main_window.select_incident(billing_id(main_window))
    seen: list = []
    _accept_paste_dialogs(monkeypatch, seen)
    before = conversation_count(main_window)
    main_window.imports.paste_text("[2023-06-01 10:12] Dana Whitfield: my invoice failed twice\n"
                                   "[2023-06-01 10:14] Acme Support: checking now\n")
    qtbot.waitUntil(lambda: conversation_count(main_window) == before + 1, timeout=10000)
    dialog = seen[0]
    assert [(m.author, m.at.isoformat()) for m in dialog.transcript.messages] == [
        ("Dana Whitfield", "2023-06-01T10:12:00+00:00"), ("Acme Support", "2023-06-01T10:14:00+00:00")]
    assert main_window.imports.last_feedback.endswith(": 2 messages.")
    assert main_window.statusBar().currentMessage() == main_window.imports.last_feedback
    reader = main_window.docks["reader"].widget()
    with main_window.session.workspace.engine.connect() as c:
        newest = c.exec_driver_sql("SELECT max(id) FROM conversations").scalar()
    qtbot.waitUntil(lambda: reader.conversation is not None and reader.conversation.id == newest, timeout=5000)


def test_one_message_is_counted_in_the_singular(qtbot, main_window, monkeypatch):
    main_window.select_incident(billing_id(main_window))
    seen: list = []
    _accept_paste_dialogs(monkeypatch, seen)
    before = conversation_count(main_window)
    main_window.imports.paste_text("[2023-06-01 10:12] Dana Whitfield: my invoice failed twice\n")
    qtbot.waitUntil(lambda: conversation_count(main_window) == before + 1, timeout=10000)
    assert main_window.imports.last_feedback.endswith(": 1 message.")


def test_a_dropped_whatsapp_zip_is_read_as_a_chat(qtbot, main_window, monkeypatch):
    main_window.select_incident(billing_id(main_window))
    seen: list = []
    _accept_paste_dialogs(monkeypatch, seen)
    before = conversation_count(main_window)
    _drop(main_window, shared_file("real/chats/whatsapp/chat-analytics__4A_11M.zip"))
    qtbot.waitUntil(lambda: conversation_count(main_window) == before + 1, timeout=10000)
    assert seen[0].transcript.format == "whatsapp"
    assert {m.author for m in seen[0].transcript.messages} == {"Alice", "Bob", "Eve", "Mallory", "Trent"}


def test_a_dropped_outlook_msg_is_refused_naming_its_format(qtbot, main_window, tmp_path, monkeypatch):
    main_window.select_incident(billing_id(main_window))
    shown: list = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    msg = tmp_path / "reply.msg"
    msg.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))  # an OLE2 compound file's header
    before = conversation_count(main_window)
    _drop(main_window, msg)
    qtbot.waitUntil(lambda: bool(shown), timeout=10000)
    assert "Outlook message (.msg)" in shown[0] and "Save As" in shown[0]
    assert conversation_count(main_window) == before


def test_a_dropped_discord_export_is_read_as_a_chat_not_as_system_events(qtbot, main_window, monkeypatch):
    main_window.select_incident(billing_id(main_window))
    seen: list = []
    _accept_paste_dialogs(monkeypatch, seen)
    before = conversation_count(main_window)
    _drop(main_window, shared_file("real/chats/discord/chat-analytics__DM_2A_2M.json"))
    qtbot.waitUntil(lambda: conversation_count(main_window) == before + 1, timeout=10000)
    assert seen[0].transcript.format == "discord"
    assert [m.text for m in seen[0].transcript.messages] == ["blah", "something something text"]


def test_a_chat_from_another_year_is_flagged_in_the_preview_before_it_is_added(qtbot, main_window, monkeypatch):
    """A 2018 WhatsApp export pasted into a 2026 incident: the preview says no message is in the review window."""
    main_window.select_incident(billing_id(main_window))
    seen: list = []
    _accept_paste_dialogs(monkeypatch, seen)
    before = conversation_count(main_window)
    _drop(main_window, shared_file("real/chats/whatsapp/chat-analytics__4A_11M.zip"))
    qtbot.waitUntil(lambda: conversation_count(main_window) == before + 1, timeout=10000)
    dialog = seen[0]
    assert all(m.at.year < 2026 for m in dialog.transcript.messages if m.at)
    assert dialog.window_warning.isVisibleTo(dialog)
    assert "Every message" in dialog.window_warning.text() and "review window" in dialog.window_warning.text()


def test_a_chat_inside_the_review_window_gets_no_warning_and_its_text_column_the_width(qtbot, main_window,
                                                                                      monkeypatch):
    from postmortem_desktop.services.incidents import IncidentService

    main_window.select_incident(billing_id(main_window))
    start = IncidentService(main_window.session.workspace).get(billing_id(main_window)).technical_start
    seen: list = []
    _accept_paste_dialogs(monkeypatch, seen)
    before = conversation_count(main_window)
    day = start.strftime("%Y-%m-%d")
    main_window.imports.paste_text(
        f"[{day} {start:%H:%M}] Dana Whitfield-Okonkwo-Barrington of Northwind Traders: my invoice failed twice "
        "and I have a client meeting at noon\n"
        f"[{day} {start:%H:%M}] Acme Support (second line, billing): checking now, please do not retry\n")
    qtbot.waitUntil(lambda: conversation_count(main_window) == before + 1, timeout=10000)
    dialog = seen[0]
    assert not dialog.window_warning.isVisibleTo(dialog)
    dialog.show()
    view = dialog.messages_view
    qtbot.waitUntil(lambda: view.viewport().width() > 200)
    assert view.columnWidth(3) >= 0.45 * view.viewport().width()  # the text, not the long author names
    dialog.close()


def test_a_paste_over_the_message_limit_is_refused_in_the_preview_with_add_disabled(qtbot, main_window,
                                                                                   monkeypatch):
    """Said before Add, naming the limit (here lowered to 3, so that four lines are over it)."""
    from PySide6.QtWidgets import QDialogButtonBox

    from postmortem_desktop.services import paste_preview

    monkeypatch.setattr(paste_preview, "MAX_MESSAGES", 3)
    main_window.select_incident(billing_id(main_window))
    seen: list = []
    monkeypatch.setattr("ui.importing.paste_dialog.PasteConversationDialog.exec",
                        lambda dialog: seen.append(dialog) or QDialog.DialogCode.Rejected)
    main_window.imports.paste_text("".join(f"[2023-06-01 10:1{i}] Dana Whitfield: attempt {i}\n" for i in range(4)))
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    dialog = seen[0]
    assert not dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert dialog.limit_label.isVisibleTo(dialog)
    assert "4 messages" in dialog.limit_label.text() and "at most 3" in dialog.limit_label.text()


def test_the_preview_facts_of_a_paste_are_worked_out_on_the_worker_not_the_window(qtbot, main_window, monkeypatch):
    """A 50 MB paste's 600,000 messages took the window 1.5 s to walk (bench/bench_paste.py measures it)."""
    import threading

    from postmortem_desktop.services import paste_preview

    threads: list = []
    real = paste_preview.preview_paste

    def recording(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(paste_preview, "preview_paste", recording)
    main_window.select_incident(billing_id(main_window))
    seen: list = []
    monkeypatch.setattr("ui.importing.paste_dialog.PasteConversationDialog.exec",
                        lambda dialog: seen.append(dialog) or QDialog.DialogCode.Rejected)
    main_window.imports.paste_text("[2023-06-01 10:12] Dana Whitfield: my invoice failed twice\n")
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    assert threads and threading.main_thread() not in threads
    assert seen[0].customer.text() == "Dana Whitfield"


def test_a_chat_dropped_again_adds_only_its_new_messages_and_says_so_then_is_refused(qtbot, main_window,
                                                                                     monkeypatch):
    from postmortem_desktop.importers.conversation_files import read_conversation_path
    from postmortem_desktop.services.conversations import AddConversation, NewConversation

    main_window.select_incident(billing_id(main_window))
    seen: list = []
    _accept_paste_dialogs(monkeypatch, seen)
    refusals: list = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: refusals.append(a[2]))
    path = shared_file("real/chats/telegram/chat-analytics__DM_2A_7M.json")
    earlier = read_conversation_path(path).messages[:4]  # the chat as an earlier export had it
    assert main_window.hub.run(AddConversation(main_window.hub.incident_id,
                                               NewConversation(channel="chat", messages=earlier)))
    before = conversation_count(main_window)
    _drop(main_window, path)
    qtbot.waitUntil(lambda: main_window.imports.last_feedback.startswith("Added 2 new messages"), timeout=10000)
    assert main_window.imports.last_feedback.endswith("; 4 messages of this chat were already there.")
    assert conversation_count(main_window) == before
    _drop(main_window, path)
    qtbot.waitUntil(lambda: bool(refusals), timeout=10000)
    assert refusals[0].startswith("This chat is already here: its 6 messages are in conversation CHAT-")
    assert conversation_count(main_window) == before


def test_a_dropped_chat_file_with_bytes_that_are_not_utf8_says_which_line_in_the_dialog(qtbot, main_window,
                                                                                       monkeypatch, tmp_path):
    from PySide6.QtWidgets import QLabel

    main_window.select_incident(billing_id(main_window))
    seen: list = []
    _accept_paste_dialogs(monkeypatch, seen)
    refusals: list = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: refusals.append(a[2]))
    chat = tmp_path / "chat.txt"  # a pasted-chat file: read as a paste
    chat.write_bytes("12/30/24, 9:15 PM - Zoë: the café invoice failed\n".encode()
                     + "12/30/24, 9:16 PM - Support: déjà vu, checking\n".encode("cp1252"))
    export = tmp_path / "result.json"  # a Telegram export: read as a conversation file
    export.write_bytes(b'{"name": "Zo\xc3\xab", "messages": [{"id": 5, "type": "message", '
                       b'"date_unixtime": "1700000000", "from": "Zo\xc3\xab", "from_id": "user1", '
                       b'"text": "caf\xc3\xa9 d\xe9j\xe0"}]}')
    for count, path in enumerate((chat, export), 1):
        _drop(main_window, path)
        qtbot.waitUntil(lambda count=count: len(seen) == count or bool(refusals), timeout=10000)
    assert not refusals
    notices = [dialog.findChild(QLabel, "decoding_notice").text() for dialog in seen]
    assert notices[0].startswith("Line 2 of this UTF-8 file: 2 bytes that are not UTF-8 were read as Windows-1252")
    assert notices[1].startswith("Line 1 of this UTF-8 file: 2 bytes that are not UTF-8 were read as Windows-1252")
    assert [m.text for m in seen[1].transcript.messages] == ["café déjà"]
