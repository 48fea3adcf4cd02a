"""A scrolling column of rendered PDF pages, so people see the report exactly as it will be saved."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from postmortem_desktop.reporting.pdf_preview import Preview


class PagePreviewWidget(QScrollArea):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("report_preview")
        self.setAccessibleName("Report preview")
        self.setWidgetResizable(True)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self._column = QWidget(self)
        self._layout = QVBoxLayout(self._column)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self._layout.setSpacing(12)
        self._column.setObjectName("report_preview_column")  # its grey desk and note colours are the theme's
        self.setWidget(self._column)
        self.page_labels: list[QLabel] = []
        self.note = QLabel(self._column)
        self.note.setObjectName("report_preview_note")
        self.clear("Export a PDF to preview its pages here before saving.")

    def clear(self, message: str = "") -> None:
        for label in self.page_labels:
            self._layout.removeWidget(label)
            label.deleteLater()
        self.page_labels = []
        self.note.setText(message)
        self._layout.addWidget(self.note, 0, Qt.AlignmentFlag.AlignHCenter)

    def show_preview(self, preview: Preview) -> None:
        self.clear()
        for page in preview.pages:
            # copy(): the QImage must own its pixels once the Python bytes are gone
            image = QImage(page.rgb, page.width, page.height, page.width * 3, QImage.Format.Format_RGB888).copy()
            label = QLabel(self._column)
            label.setPixmap(QPixmap.fromImage(image))
            label.setFrameShape(QFrame.Shape.Box)
            label.setAccessibleName(f"Page {len(self.page_labels) + 1}")
            self._layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
            self.page_labels.append(label)
        shown = len(preview.pages)
        self.note.setText(f"{preview.page_count} pages" if shown == preview.page_count else
                          f"Showing the first {shown} of {preview.page_count} pages; the saved file has them all.")
        self._layout.removeWidget(self.note)
        self._layout.insertWidget(0, self.note, 0, Qt.AlignmentFlag.AlignHCenter)
