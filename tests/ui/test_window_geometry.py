"""The main window always comes back usable: remembered geometries from other screens are clamped (issue: 466x250)."""
import pytest
from PySide6.QtCore import QByteArray, QDataStream, QIODevice, QRect, Qt


def saved_geometry(frame: QRect, *, maximised: bool = False, screen_width: int = 800) -> QByteArray:
    """Bytes as QWidget.saveGeometry writes them (format 3.0), for a window on a screen screen_width wide."""
    data = QByteArray()
    stream = QDataStream(data, QIODevice.OpenModeFlag.WriteOnly)
    stream.setVersion(QDataStream.Version.Qt_4_0)
    stream.writeUInt32(0x1D9D0CB)
    stream.writeUInt16(3)
    stream.writeUInt16(0)
    stream << frame << frame  # frame and normal geometry
    stream.writeInt32(0)  # screen number
    stream.writeUInt8(1 if maximised else 0)
    stream.writeUInt8(0)  # full screen
    stream.writeInt32(screen_width)
    stream << frame  # geometry
    return data


def _window(qtbot, settings, geometry):
    from ui.main_window import MainWindow

    settings.setValue("main_window/geometry", geometry)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    return window


def _assert_usable(window) -> None:
    free = window.screen().availableGeometry()
    assert free.contains(window.geometry()), (window.geometry(), free)
    assert window.width() >= min(1024, free.width()) and window.height() >= min(640, free.height())


def test_a_geometry_saved_on_the_same_screen_is_kept_when_it_is_big_enough(qtbot, settings):
    window = _window(qtbot, settings, saved_geometry(QRect(0, 50, 800, 700)))
    assert window.geometry() == QRect(0, 50, 800, 700)


def test_a_geometry_saved_on_a_wider_screen_still_gives_a_usable_window(qtbot, settings):
    # Qt refuses a geometry saved on a screen of another width: the window used to keep its bare default size
    window = _window(qtbot, settings, saved_geometry(QRect(200, 100, 1800, 1000), screen_width=1920))
    _assert_usable(window)


def test_a_geometry_partly_off_the_screen_is_moved_wholly_onto_it(qtbot, settings):
    window = _window(qtbot, settings, saved_geometry(QRect(500, 600, 780, 700)))
    _assert_usable(window)


def test_a_tiny_remembered_window_grows_to_the_smallest_usable_size(qtbot, settings):
    window = _window(qtbot, settings, saved_geometry(QRect(10, 10, 100, 60)))
    _assert_usable(window)


@pytest.mark.parametrize("garbage", [QByteArray(b"\x00\x01garbage" * 8), "not a geometry", 42])
def test_garbage_in_the_settings_opens_the_window_as_on_a_first_launch(qtbot, settings, garbage):
    settings.setValue("main_window/state", garbage)
    window = _window(qtbot, settings, garbage)
    assert window.windowState() & Qt.WindowState.WindowMaximized  # the offscreen screen is small
    _assert_usable(window)


def test_a_maximised_window_comes_back_maximised(qtbot, settings):
    window = _window(qtbot, settings, saved_geometry(QRect(0, 0, 800, 800), maximised=True))
    assert window.windowState() & Qt.WindowState.WindowMaximized
    assert window.geometry() == window.screen().availableGeometry()


@pytest.mark.parametrize(("restored", "free", "expected"), [
    (QRect(1400, 800, 1800, 1000), QRect(0, 0, 1280, 690), QRect(0, 0, 1280, 690)),  # from 1920x1080 to 1280x720
    (QRect(-300, -200, 1100, 700), QRect(0, 0, 1920, 1040), QRect(0, 0, 1100, 700)),  # off the top left
    (QRect(1700, 900, 1200, 800), QRect(0, 0, 1920, 1040), QRect(720, 240, 1200, 800)),  # off the bottom right
    (QRect(100, 100, 466, 250), QRect(0, 0, 1920, 1040), QRect(100, 100, 1024, 640)),  # too small to work in
    (QRect(50, 50, 300, 200), QRect(1920, 0, 800, 560), QRect(1920, 0, 800, 560)),  # a second, smaller screen
    (QRect(300, 200, 1300, 800), QRect(0, 0, 1920, 1040), QRect(300, 200, 1300, 800)),  # already fine: kept
])
def test_usable_geometry_clamps_to_the_free_area_and_the_smallest_window(restored, free, expected):
    from ui.screen_size import usable_geometry

    assert usable_geometry(restored, free) == expected
