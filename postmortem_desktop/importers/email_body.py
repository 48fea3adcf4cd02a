"""The readable text of a MIME message: its text parts in order, HTML converted when there is no plain part."""
from __future__ import annotations

import html
import re
from collections.abc import Iterator
from email.message import EmailMessage, Message

# A hostile message can nest thousands of parts; a real one has a handful.
_MAX_PARTS = 200
_PART_HEADER = re.compile(r"^(?:Content-[\w-]{1,40}|MIME-Version):", re.I)
_BLOCK_START = re.compile(r"(?i)<(?:div|p|blockquote|tr|li|h[1-6]|table)\b[^>]{0,2000}>")


def body_text(message: EmailMessage) -> str:
    """Every inline text part, in order: the plain one of each alternative, else its HTML as text."""
    budget = [_MAX_PARTS]
    text = "\n\n".join(text.strip("\n") for text in _texts(message, budget) if text.strip())
    return text or _unparsed_body(message)


def _unparsed_body(message: Message) -> str:
    # A multipart whose boundary does not match its parts ("----fa**f__fawf") is left as one string:
    # its words are still the message, less the boundary and part-header lines.
    payload = message.get_payload()
    if not isinstance(payload, str) or message.get_content_maintype() != "multipart":
        return ""
    lines = [line for line in payload.splitlines() if not line.startswith("--") and not _PART_HEADER.match(line)]
    return "\n".join(lines).strip()


def _texts(part: Message, budget: list[int]) -> Iterator[str]:
    budget[0] -= 1
    if budget[0] < 0:
        return
    kind = part.get_content_type()
    if kind == "message/delivery-status":
        # a bounce's reason ("Status: 5.1.1", "Action: failed") is in its header blocks
        yield "\n".join(str(block).strip() for block in _children(part))
    elif kind == "multipart/alternative":
        children = _children(part)
        plain = [c for c in children if c.get_content_type() == "text/plain"]
        chosen = plain[:1] or [c for c in children if c.is_multipart() or c.get_content_type() == "text/html"][-1:]
        for child in chosen:
            yield from _texts(child, budget)
    elif part.is_multipart():
        for child in _children(part):
            # attachments and attached messages (a forward's original) are not what this person wrote
            if child.get_content_disposition() != "attachment" and child.get_content_type() != "message/rfc822":
                yield from _texts(child, budget)
    elif kind == "text/plain":
        yield _content(part)
    elif kind == "text/html":
        yield html_to_text(_content(part))


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [child for child in payload if isinstance(child, Message)] if isinstance(payload, list) else []


def _content(part: Message) -> str:
    if part.get_param("charset") is None:
        # No charset declared: RFC 2045 says US-ASCII, but 8-bit bodies are UTF-8 or a Windows code page.
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes) and not payload.isascii():
            try:
                return payload.decode("utf-8")
            except UnicodeDecodeError:
                return payload.decode("cp1252", errors="replace")
    try:
        content = part.get_content() if isinstance(part, EmailMessage) else None
        if isinstance(content, str):
            return content
    except (LookupError, UnicodeError, KeyError, ValueError, AssertionError):
        pass
    payload = part.get_payload(decode=True)  # the part's bytes, or None when it has none
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:  # a charset Python does not know ("ks_c_5601-1987" is known; "x-unknown" is not)
        return payload.decode("utf-8", errors="replace")


def html_to_text(markup: str) -> str:
    """Visible text of HTML: scripts, styles and the head dropped, block ends as line breaks."""
    # Bounded so an unclosed <script> cannot make this quadratic.
    markup = re.sub(r"(?is)<(script|style|head|title)\b.{0,100000}?</\1\s{0,12}>", "", markup)
    markup = re.sub(r"(?i)<br\s*/?>", "\n", markup)
    # Block ends and starts break the line ("blah<div>Begin forwarded message:" is two lines); a block's
    # end next to the next block's start is one break, not a blank line.
    markup = re.sub(r"(?i)</p\s*>|</div\s*>|</blockquote\s*>|</h[1-6]\s*>|</tr\s*>|</li\s*>", "\x00", markup)
    markup = _BLOCK_START.sub("\x00", markup)
    markup = re.sub(r"\x00(?:[ \t\r\n]{0,200}\x00)*", "\n", markup)
    return html.unescape(re.sub(r"<[^>]{0,2000}>", "", markup))
