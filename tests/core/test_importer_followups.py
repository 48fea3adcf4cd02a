"""Issue 14 follow-up: short CJK files, headerless CSVs and chat pastes a tester found misread.

Every input is written here by the test, in the shapes the tester's files had (no third-party text).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from postmortem_desktop.importers.sheet_reader import read_sheet
from postmortem_desktop.importers.text_decoding import decode_text

SHORT_CJK = {  # a ticket dump of one row: header, id, time, "refund", "Mr Chen"/"Mr Wang"/"Tanaka"/"Mr Kim"
    "big5": "退款,陳先生", "gb18030": "退款,王先生", "cp932": "返金,田中", "cp949": "환불,김씨"}


@pytest.mark.parametrize("codec", sorted(SHORT_CJK))
def test_a_short_file_in_a_common_cjk_encoding_is_read_in_it(tmp_path, codec):
    # Before: the Big5 file was read as Korean Johab, which charset-normalizer ranked first.
    text = "Ticket ID,Created,Subject,Requester\n1,2024-05-06 10:20," + SHORT_CJK[codec] + "\n"
    path = tmp_path / f"{codec}.csv"
    path.write_bytes(text.encode(codec))
    decoded = decode_text(path.read_bytes())
    assert decoded.text == text
    assert read_sheet(path).rows[0][2] == SHORT_CJK[codec].split(",")[0]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
