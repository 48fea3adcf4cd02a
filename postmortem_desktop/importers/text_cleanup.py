"""Cleaning of cell text: HTML to plain text, float-mangled ids, tag lists, line endings."""
from __future__ import annotations

import html
import re
from datetime import date, datetime

# Only real HTML tag names are stripped, so ticket text such as "schemas on <conf> DB2" survives.
_HTML_TAGS = (
    "a|abbr|b|big|blockquote|body|br|center|code|col|colgroup|dd|del|div|dl|dt|em|font|"
    "h[1-6]|head|hr|html|i|img|ins|kbd|li|meta|o:p|ol|p|pre|q|s|small|span|strike|strong|"
    "sub|sup|table|tbody|td|tfoot|th|thead|title|tr|tt|u|ul|wbr|link|label|section|article|"
    "header|footer|nav|figure|figcaption|caption"
)
_DROPPED_BLOCK = re.compile(r"<(script|style|head)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH_END = re.compile(
    r"</(p|div|h[1-6]|blockquote|pre|table|ul|ol|tr|section|article)\s*>|<hr\s*/?>", re.IGNORECASE
)
_LIST_ITEM = re.compile(r"<li\b[^>]*>", re.IGNORECASE)
_CELL_END = re.compile(r"</t[dh]\s*>", re.IGNORECASE)
_ANY_TAG = re.compile(rf"</?(?:{_HTML_TAGS})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+\d*);", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n(\s*\n)+")
_FLOAT_ID = re.compile(r"^-?\d+\.0+$")


def normalize_newlines(text: str) -> str:
    """Turn CRLF and bare CR (old Mac exports, Excel cells) into LF."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def html_to_text(text: str) -> str:
    """Plain text from a cell that may hold HTML, keeping paragraph breaks.

    Text without tags or entities is returned unchanged (apart from line endings), which keeps
    the common case cheap when 100,000 descriptions pass through here.
    """
    text = normalize_newlines(text)
    if "<" not in text or not _ANY_TAG.search(text):
        # Entities without tags: plain text that went through an HTML form; its newlines are real.
        if "&" in text and _ENTITY.search(text):
            return html.unescape(text).replace("\u00a0", " ")
        return text
    text = _COMMENT.sub("", text)
    text = _DROPPED_BLOCK.sub("", text)
    # Source newlines inside HTML are layout, not content; the tags carry the breaks.
    text = text.replace("\n", " ")
    text = _LINE_BREAK.sub("\n", text)
    text = _PARAGRAPH_END.sub("\n\n", text)
    text = _LIST_ITEM.sub("\n- ", text)
    text = _CELL_END.sub("\t", text)
    text = _ANY_TAG.sub("", text)
    text = html.unescape(text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def restore_id(value: object) -> str:
    """An id as the user typed it: spreadsheets turn 848 into 848.0, CSV writers into "848.0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    text = str(value).strip()
    if "." in text and _FLOAT_ID.match(text):
        return text.split(".", 1)[0]
    return text


def cell_text(value: object) -> str:
    """Any cell value as display text (numbers without a spurious ".0")."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return restore_id(value)


def split_tags(value: object) -> list[str]:
    """Tags from one cell: vendors separate them by commas, semicolons or spaces."""
    text = cell_text(value)
    if not text:
        return []
    if "," in text or ";" in text:
        text = text.replace(",", " ").replace(";", " ")
    return list(dict.fromkeys(text.split()))


def subject_line(text: str, limit: int = 80) -> str:
    """A subject for a conversation that has none: the first line of its first message, shortened."""
    stripped = text.strip()
    line = stripped.splitlines()[0] if stripped else ""
    return line if len(line) <= limit else line[:limit - 3].rstrip() + "…"
