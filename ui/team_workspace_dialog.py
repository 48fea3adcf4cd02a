"""File › Open Team Workspace…: a server's details (or a pasted URL), the password, and Test Connection.

The dialog only says which workspace and how to log in (`connection()`); opening it is the window's
one rule for every workspace (ui/team_opening.py). The test connection runs on a worker thread and
changes nothing on the server. A password is never part of the address it returns: one typed into a
pasted URL is taken out of it at once and kept, when the person asks, in the keyring only.
"""
from __future__ import annotations

import os
from collections.abc import Generator
from dataclasses import dataclass

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFont, QFontDatabase, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from postmortem_desktop.storage.errors import NoWorkspaceYetError, WorkspaceError
from postmortem_desktop.storage.team_passwords import keyring_missing_reason, pgpass_file
from postmortem_desktop.storage.team_workspace import TeamProbe, probe_team_workspace
from postmortem_desktop.storage.workspace_kind import (
    WorkspaceKind,
    kind_of,
    password_in,
    shown_address,
    team_address,
    team_url,
)

from . import file_dialogs
from .screen_size import moved_onto
from .workers import GeneratorWorker, start

#: libpq's sslmode values, weakest first; "prefer" is libpq's own default
TLS_MODES = ("disable", "prefer", "require", "verify-ca", "verify-full")
#: libpq's default sslmode: chosen, the address leaves it out, as a typed one does (the recent list shows one entry)
DEFAULT_TLS_MODE = "prefer"
#: a window manager's title bar and frame, until the shown dialog's own are known
FRAME_GUESS = 40
#: the least of the message kept on view when the dialog must shrink to fit the screen (it scrolls)
MIN_STATUS_LINES = 3
DEFAULT_PORT = 5432
MIN_WIDTH = 640
KEEP_IN_KEYRING, KEEP_IN_PGPASS = "keyring", "pgpass"
#: test connections still running: kept until they end, also when their dialog was closed first
_PROBES: set[GeneratorWorker] = set()


@dataclass(frozen=True)
class TeamConnection:
    """What the person chose: the address (never with a password), the password for this time, where to keep it."""

    address: str
    password: str | None
    keep: str = ""  # KEEP_IN_KEYRING, KEEP_IN_PGPASS, or "" (not remembered)
    create: bool = False  # make a new workspace in the (empty) database instead of opening one


class OpenTeamWorkspaceDialog(QDialog):
    """Server details or a URL, a password with where to keep it, Test Connection; Open or Create."""

    def __init__(self, parent: QWidget | None = None, address: str = "", problem: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Open Team Workspace")
        self.setMinimumWidth(MIN_WIDTH)
        self._create = False
        self._url_from_details = ""  # the URL page's address as last filled from the server details
        layout = self._layout = QVBoxLayout(self)
        layout.addLayout(self._build_mode_choice())
        # two pages shown one at a time; not a QStackedWidget, which keeps the taller page's height
        self.details_page = self._build_details_page()
        self.url_page = self._build_url_page()
        self.url_page.hide()
        layout.addWidget(self.details_page)
        layout.addWidget(self.url_page)
        password_form = self._build_password_form()
        layout.addLayout(password_form)
        layout.addWidget(self._build_status_area())
        layout.addWidget(self._build_buttons())
        _align_labels([self.details_page.layout(), self.url_page.layout(), password_form])
        if address:
            self.set_address(address)
        # the first thing to type gets the focus, not the "Server details" choice: typing at once is not lost
        if problem:
            self.show_problem(problem)
            self.password.setFocus()
        else:
            self._first_to_type().setFocus()

    # ---- construction ---------------------------------------------------------------------------
    def _build_status_area(self) -> QScrollArea:
        """What a test or a refusal says, and the grants to ask for, one statement a line: scrolled inside the
        dialog when longer than the screen has room for (the projector's large text made it 759 px tall)."""
        self.status_area = QScrollArea(self)
        self.status_area.setObjectName("team_status_area")
        self.status_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.status_area.setWidgetResizable(True)
        self.status_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inside = self._status_inside = QWidget(self.status_area)
        column = QVBoxLayout(inside)
        column.setContentsMargins(0, 0, 0, 0)
        self.status = QLabel(inside)
        self.status.setObjectName("team_status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # the statements the owner runs: as psql takes them, never wrapped mid-statement, easy to copy
        self.grants = QPlainTextEdit(inside)
        self.grants.setObjectName("team_grants")
        self.grants.setAccessibleName("Grants to ask the workspace's owner for")
        self.grants.setReadOnly(True)
        self.grants.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        fixed.setStyleHint(QFont.StyleHint.TypeWriter)  # a monospace face even where the system names none
        if self.font().pointSizeF() > 0:
            fixed.setPointSizeF(self.font().pointSizeF())  # the theme's size (the projector's is larger)
        self.grants.setFont(fixed)
        self.grants.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.grants.hide()
        self.after_grants = QLabel(inside)
        self.after_grants.setWordWrap(True)
        self.after_grants.hide()
        column.addWidget(self.status)
        column.addWidget(self.grants)
        column.addWidget(self.after_grants)
        self.status_area.setWidget(inside)
        self.status_area.hide()
        return self.status_area

    def _build_mode_choice(self) -> QHBoxLayout:
        self.details_choice = QRadioButton("&Server details", self)
        self.url_choice = QRadioButton("Use a &URL", self)
        self.details_choice.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.details_choice)
        group.addButton(self.url_choice)
        self.url_choice.toggled.connect(self._on_url_choice_toggled)
        row = QHBoxLayout()
        row.addWidget(self.details_choice)
        row.addWidget(self.url_choice)
        row.addStretch(1)
        return row

    def _build_details_page(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        self.host = QLineEdit(page)
        self.host.setPlaceholderText("e.g. db.example.com")
        self.port = QSpinBox(page)
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.database = QLineEdit(page)
        self.database.setPlaceholderText("e.g. incidents")
        self.user = QLineEdit(page)
        self.user.setPlaceholderText("your database role")
        self.tls_mode = QComboBox(page)
        self.tls_mode.addItems(TLS_MODES)
        self.tls_mode.setCurrentText("prefer")
        self.tls_mode.setToolTip("libpq's sslmode: verify-ca and verify-full check the server's certificate "
                                 "against the CA file")
        self.ca_file = QLineEdit(page)
        self.ca_file.setPlaceholderText("optional: the CA certificate that signed the server's (PEM)")
        browse = QPushButton("&Browse…", page)
        browse.clicked.connect(self._on_browse_clicked)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(browse)
        form.addRow("&Host", self.host)
        form.addRow("P&ort", self.port)
        form.addRow("&Database", self.database)
        form.addRow("U&ser", self.user)
        form.addRow("&TLS mode", self.tls_mode)
        ca_label = QLabel("&CA file", page)  # a row of several widgets: its label needs its buddy named
        ca_label.setBuddy(self.ca_file)
        form.addRow(ca_label, ca_row)
        return page

    def _build_url_page(self) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        self.url = QLineEdit(page)
        self.url.setPlaceholderText("postgresql://USER@HOST:PORT/DATABASE?sslmode=require")
        self.url.editingFinished.connect(self._take_password_out_of_url)
        note = QLabel("TLS and other libpq options in the address are passed on as they are.", page)
        note.setWordWrap(True)
        form.addRow("&Address", self.url)
        form.addRow("", note)
        return page

    def _build_password_form(self) -> QFormLayout:
        form = QFormLayout()
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        # the password file libpq reads now (PGPASSFILE when set), as the box below names it
        self.password.setPlaceholderText(f"leave empty to use {pgpass_file()}, a service file or PGPASSWORD")
        self.no_keyring = keyring_missing_reason()
        # without a keyring, the offer is libpq's own password file, which libpq reads by itself
        where = f"Remember in libpq's password file ({pgpass_file()})" if self.no_keyring else \
            "Remember in the system &keyring"
        self.remember = QCheckBox(where, self)
        self.remember.setChecked(not self.no_keyring)
        self.keyring_note = QLabel(self.no_keyring, self)
        self.keyring_note.setWordWrap(True)
        self.keyring_note.setVisible(bool(self.no_keyring))
        form.addRow("&Password", self.password)
        form.addRow("", self.remember)
        form.addRow("", self.keyring_note)
        return form

    def _build_buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        self.test_button = buttons.addButton("Test Co&nnection", QDialogButtonBox.ButtonRole.ActionRole)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.create_button = buttons.addButton("C&reate Workspace Here", QDialogButtonBox.ButtonRole.ActionRole)
        self.create_button.clicked.connect(self._on_create_clicked)
        self.create_button.hide()  # offered when a test finds an empty database
        self.open_button = buttons.button(QDialogButtonBox.StandardButton.Open)
        # Enter opens, wherever the focus is: a focused Cancel or Test Connection (where focus lands while the
        # test runs) never takes Enter for itself; Space still presses the button with the focus
        self.open_button.setDefault(True)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        for button in (self.cancel_button, self.test_button):
            button.setAutoDefault(False)
        buttons.accepted.connect(self._on_open_clicked)
        buttons.rejected.connect(self.reject)
        return buttons

    # ---- the address and the password -------------------------------------------------------------
    def set_address(self, address: str) -> None:
        """Fills the fields from an address (a recent entry); one with options beyond TLS's goes in as a URL."""
        if not self._fill_details_from(address):
            self.url.setText(shown_address(address))
            self.url_choice.setChecked(True)

    def _fill_details_from(self, address: str) -> bool:
        """The server details from an address, when they can say all of it (TLS options at most); False otherwise."""
        url = team_url(address)
        if not (set(url.query) <= {"sslmode", "sslrootcert"} and url.host):
            return False
        self.host.setText(url.host)
        self.port.setValue(url.port or DEFAULT_PORT)
        self.database.setText(url.database or "")
        self.user.setText(url.username or "")
        mode = url.query.get("sslmode", DEFAULT_TLS_MODE)
        self.tls_mode.setCurrentText(mode if isinstance(mode, str) else mode[0])
        ca = url.query.get("sslrootcert", "")
        self.ca_file.setText(ca if isinstance(ca, str) else ca[0])
        return True

    def connection(self) -> TeamConnection:
        """The address (without password) and password chosen; a WorkspaceError when the fields name none."""
        if self.url_choice.isChecked():
            self._take_password_out_of_url()
            address = self.url.text().strip()
            if kind_of(address) is not WorkspaceKind.TEAM:
                raise WorkspaceError("Paste a team workspace's address: postgresql://USER@HOST:PORT/DATABASE.")
        else:
            if not self.host.text().strip() or not self.database.text().strip():
                raise WorkspaceError("Give the server's host and the database's name.")
            address = team_address(host=self.host.text().strip(), port=self.port.value(),
                                   database=self.database.text().strip(), user=self.user.text().strip(),
                                   tls_mode=_tls_mode_written(self.tls_mode.currentText()),
                                   ca_file=self.ca_file.text().strip())
        team_url(address)  # says in words what is wrong with it (no database, say)
        password = self.password.text() or None
        keep = ("" if not (password and self.remember.isChecked())
                else KEEP_IN_PGPASS if self.no_keyring else KEEP_IN_KEYRING)
        return TeamConnection(address, password, keep, self._create)

    def _fill_url_from_details(self) -> None:
        """The address the server details make (never with the password), for the URL page: what was typed there
        stays unless it was filled from the details before."""
        typed = self.url.text().strip()
        if not self.host.text().strip() or (typed and typed != self._url_from_details):
            return
        self._url_from_details = team_address(
            host=self.host.text().strip(), port=self.port.value(), database=self.database.text().strip(),
            user=self.user.text().strip(), tls_mode=_tls_mode_written(self.tls_mode.currentText()),
            ca_file=self.ca_file.text().strip())
        self.url.setText(self._url_from_details)

    def _fill_details_from_url(self) -> None:
        """Back on the server details: an address typed or pasted on the URL page fills them (its password, if any,
        goes to the password field first); one they cannot say whole, or not a team address, leaves them as they
        were."""
        self._take_password_out_of_url()
        typed = self.url.text().strip()
        if not typed or typed == self._url_from_details or kind_of(typed) is not WorkspaceKind.TEAM:
            return
        try:
            if self._fill_details_from(typed):
                self._url_from_details = typed
        except WorkspaceError:
            pass  # not an address the details can hold: Open on the URL page says what is wrong with it

    def _take_password_out_of_url(self) -> None:
        """A password pasted in the address moves to the password field: no address we keep ever holds one."""
        text = self.url.text().strip()
        if kind_of(text) is not WorkspaceKind.TEAM:
            return
        given = password_in(text)
        if given is None:
            return
        self.url.setText(shown_address(text))
        self.password.setText(given)
        where = "libpq's password file" if self.no_keyring else "the system keyring"
        self.show_problem(f"The password was taken out of the address: it is used to log in and, if you tick the "
                          f"box, kept in {where}; never in the recent list.", warning=False)

    # ---- status -------------------------------------------------------------------------------------
    def show_problem(self, text: str, *, warning: bool = True, grants: tuple[str, ...] = (),
                     after_grants: str = "") -> None:
        """Says text (in the theme's error colour when a warning), then the grants, one a line, and after_grants."""
        self.status.setText(f"⚠ {text}" if warning else text)
        self.status.setProperty("problem", warning)  # resources/themes/*.qss colour it
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.grants.setPlainText("\n".join(grants))
        self.grants.setVisible(bool(grants))
        self.after_grants.setText(after_grants)
        self.after_grants.setVisible(bool(after_grants))
        self.status_area.show()
        if self.isVisible():
            self._fit_height()

    # ---- buttons ------------------------------------------------------------------------------------
    def _first_to_type(self) -> QWidget:
        """The first empty field of the page on view; the password once they are filled (it is never remembered)."""
        fields = [self.url] if self.url_choice.isChecked() else [self.host, self.database, self.user]
        return next((field for field in fields if not field.text().strip()), self.password)

    def _on_url_choice_toggled(self, checked: bool) -> None:
        if checked:
            self._fill_url_from_details()
        else:
            self._fill_details_from_url()
        self.details_page.setVisible(not checked)
        self.url_page.setVisible(checked)
        self._fit_height()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_height()  # a problem given before it was shown (a recent entry refused) may be long

    def _fit_height(self) -> None:
        """The height the shown rows need at this width, but never more than the screen has room for: then the
        message scrolls inside the dialog and the buttons stay on the screen. adjustSize() would measure the
        wrapped notes at another width and clip them; a page or a message shown later needs it again."""
        room = self._room()
        self._widen_for_grants(room.width())
        width = self.width()
        self._layout.activate()
        if not self.status_area.isHidden():
            margins = self._layout.contentsMargins()
            full = self._status_inside.heightForWidth(width - margins.left() - margins.right())
            self.status_area.setFixedHeight(max(full, 0))
            self._layout.activate()
            excess = self._needed_height(width) - room.height()
            if excess > 0:
                least = min(full, self.status.fontMetrics().lineSpacing() * MIN_STATUS_LINES)
                self.status_area.setFixedHeight(max(full - excess, least))
                self._layout.activate()
        self.resize(width, min(self._needed_height(width), room.height()))
        self._keep_on_screen()

    def _needed_height(self, width: int) -> int:
        # no row on view may wrap (the keyring note hidden, the URL page too): then no height depends on width
        height = self._layout.totalHeightForWidth(width)
        return height if height >= 0 else self._layout.totalSizeHint().height()

    def _room(self) -> QRect:
        """The screen's available area less the window frame (a guess until the frame is known)."""
        screen = self.screen() or QApplication.primaryScreen()
        room = screen.availableGeometry()
        frame_height = self.frameGeometry().height() - self.geometry().height()
        frame_width = self.frameGeometry().width() - self.geometry().width()
        if frame_height <= 0:
            frame_height = FRAME_GUESS
        return room.adjusted(0, 0, -frame_width, -frame_height)

    def _widen_for_grants(self, room_width: int) -> None:
        """Wide enough for each grant on one line, when the screen has the room (else the box scrolls sideways)."""
        if self.grants.isHidden():
            return
        metrics = self.grants.fontMetrics()
        longest = max((metrics.horizontalAdvance(line) for line in self.grants.toPlainText().splitlines()),
                      default=0)
        margins = self._layout.contentsMargins()
        chrome = 2 * (self.grants.frameWidth() + round(self.grants.document().documentMargin())) + 4
        # room for the message area's own scroll bar too: shown when a small screen makes it scroll, it takes
        # that much width from the box, which then scrolled sideways over its own last line
        aside = self.status_area.verticalScrollBar().sizeHint().width()
        wanted = min(longest + chrome + margins.left() + margins.right() + aside, room_width)
        lines = max(1, len(self.grants.toPlainText().splitlines()))
        scroll = 0 if wanted < room_width else self.grants.horizontalScrollBar().sizeHint().height()
        self.grants.setFixedHeight(lines * metrics.lineSpacing() + chrome + scroll)
        if wanted > self.width():
            self.resize(wanted, self.height())

    def _keep_on_screen(self) -> None:
        frame = self.frameGeometry()
        available = (self.screen() or QApplication.primaryScreen()).availableGeometry()
        if frame.bottom() > available.bottom() or frame.right() > available.right():
            self.move(moved_onto(frame, available))

    def _on_browse_clicked(self) -> None:
        name, _ = file_dialogs.ask_open_file_name(self, "CA Certificate", self.ca_file.text(),
                                                  "Certificates (*.crt *.pem *.cer);;All files (*)")
        if name:
            self.ca_file.setText(name)

    def _on_open_clicked(self) -> None:
        self._create = False
        self._accept_if_complete()

    def _on_create_clicked(self) -> None:
        self._create = True
        self._accept_if_complete()

    def _accept_if_complete(self) -> None:
        try:
            self.connection()
        except WorkspaceError as exc:
            self.show_problem(str(exc))
            return
        self.accept()

    def _on_test_clicked(self) -> None:
        try:
            chosen = self.connection()
        except WorkspaceError as exc:
            self.show_problem(str(exc))
            return
        self.create_button.hide()
        self.show_problem(f"Connecting to {shown_address(chosen.address)}…", warning=False)
        # disabling the button moves the focus on (to Cancel): it comes back when the test ends
        self._focus_before_test = self.focusWidget()
        self.test_button.setEnabled(False)
        worker = GeneratorWorker(lambda: _probe(chosen))
        _PROBES.add(worker)
        worker.signals.finished.connect(lambda _probe_result: _release(worker))
        worker.signals.failed.connect(lambda _exc, _trace: _release(worker))
        worker.signals.finished.connect(self._on_probe_finished)
        worker.signals.failed.connect(self._on_probe_failed)
        start(worker)

    def _test_ended(self) -> None:
        self.test_button.setEnabled(True)
        before = getattr(self, "_focus_before_test", None)
        if before is not None and before.isVisible() and before.isEnabled() and before.window() is self:
            before.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_probe_finished(self, probe: TeamProbe) -> None:
        self._test_ended()
        role = probe.role or probe.user
        if probe.gap is not None or probe.standby:
            # what will happen, said once: nothing is open yet, and there will be no edits to sign
            said = f"Connected as {role} to the team workspace at {probe.name}. "
            cannot = (f"{role} {probe.gap.why}" if probe.gap is not None
                      else "The server accepts no changes (a read-only standby)")
            # an older format needs its upgrade written before it opens (storage/team_workspace.py)
            said += (f"{cannot}, and it is in an older format that needs an upgrade: it will not open until someone "
                     "who may change it opens it once." if probe.needs_upgrade
                     else f"{cannot}, so it will open read-only.")
            if probe.gap is None:
                self.show_problem(f"{said} Open the primary server's address to make changes.", warning=False)
                return
            self.show_problem(f"{said} To make changes, ask the workspace's owner to run:", warning=False,
                              grants=probe.gap.missing,
                              after_grants="Then test again, or connect as a role that may change it.")
            return
        # the role is what the server's grants are for; the name is what the incident history will show
        signed = "" if probe.user == probe.role else f"; your edits will be signed “{probe.user}”"
        said = f"Connected as {role}{signed}: {probe.name} holds a team workspace."
        if probe.needs_upgrade:
            said += " It is in an older format and will be upgraded when opened."
        if probe.read_only_reason:  # a reason the probe gave in its own words
            said += f" {probe.read_only_reason}"
        self.show_problem(said, warning=False)

    def offer_to_create(self, refusal: NoWorkspaceYetError) -> None:
        """The database holds no workspace: Create Workspace Here is shown, and the words point at it (the
        refusal's own advice is the command line's `postmortem new`)."""
        self.create_button.show()
        self.show_problem(f"{_first_sentence(str(refusal))}. Create a new, empty team workspace there with "
                          "Create Workspace Here, or check the database name.")

    def _on_probe_failed(self, exc: BaseException, _trace: str) -> None:
        self._test_ended()
        if isinstance(exc, NoWorkspaceYetError):
            self.offer_to_create(exc)
            return
        self.show_problem(str(exc) if isinstance(exc, WorkspaceError) else
                          f"The test failed ({type(exc).__name__}: {exc}). Nothing was changed.")


def _probe(chosen: TeamConnection) -> Generator[tuple[int, int], None, TeamProbe]:
    yield 0, 1
    return probe_team_workspace(chosen.address, password=chosen.password)


def _align_labels(layouts: list[QLayout | None]) -> None:
    """One label column for the page on view and the password rows below it, as if one form."""
    items = [form.itemAt(row, QFormLayout.ItemRole.LabelRole)
             for form in layouts if isinstance(form, QFormLayout) for row in range(form.rowCount())]
    labels = [widget for item in items if item is not None and (widget := item.widget()) is not None]
    width = max((label.sizeHint().width() for label in labels), default=0)
    for label in labels:
        label.setMinimumWidth(width)


def _release(worker: GeneratorWorker) -> None:
    worker.done.wait(1.0)  # its last signal is sent just before run() returns
    _PROBES.discard(worker)


def _tls_mode_written(chosen: str) -> str:
    """The sslmode the address says: none for libpq's default, which a person typing an address leaves out too;
    but said when the environment sets another default (PGSSLMODE), so the mode shown is the one used."""
    return "" if chosen == DEFAULT_TLS_MODE and not os.environ.get("PGSSLMODE") else chosen


def _first_sentence(text: str) -> str:
    return text.split(". ", 1)[0].rstrip(".")
