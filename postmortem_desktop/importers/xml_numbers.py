"""Reading attributes and counts in workbook XML exactly the way calamine (Rust, quick-xml) reads them.

The safety checks must see the numbers the reader will see: a check that reads "+5" as "not a
number" while the reader reads 5 lets a tiny file claim gigabytes. Measured against
python-calamine 0.9.1 (calamine 0.37): counts parse as Rust's ``str::parse::<usize>`` (ASCII
digits, one optional leading "+", leading zeros, no spaces, at most 2^64 - 1). An attribute is
matched by its exact name; written twice, calamine takes the first (ODS counts) or the last (an
XLSX cell's r), so a check refuses it rather than guess which.
"""
from __future__ import annotations

import re

# One attribute: a name, "=", a quoted value; a quoted value may hold '>' and the other quote.
_ATTRIBUTE = re.compile(rb"""([^\s=/>"']+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_RUST_UNSIGNED = re.compile(rb"\+?[0-9]+")
USIZE_MAX = (1 << 64) - 1
_NAMED_ENTITIES = {b"lt": b"<", b"gt": b">", b"amp": b"&", b"apos": b"'", b"quot": b'"'}
_ENTITY = re.compile(rb"&([^;&]*);")


class UnreadableAttribute(ValueError):
    """An attribute a check cannot read the way the reader would: written twice, or not a count."""


def attribute(attributes: bytes, name: bytes) -> bytes | None:
    """The raw value of the attribute called exactly ``name``; UnreadableAttribute if it is there twice."""
    values = [found.group(2) if found.group(2) is not None else found.group(3)
              for found in _ATTRIBUTE.finditer(attributes) if found.group(1) == name]
    if len(values) > 1:
        raise UnreadableAttribute(f"{name.decode()} is written twice")
    return values[0] if values else None


def rust_unsigned(text: bytes) -> int | None:
    """The number ``str::parse::<usize>`` reads from ``text``, or None where Rust refuses it."""
    if not _RUST_UNSIGNED.fullmatch(text):
        return None
    digits = text.lstrip(b"+").lstrip(b"0") or b"0"
    if len(digits) > 20:  # checked before int(): Python refuses to convert over 4,300 digits
        return None
    value = int(digits)
    return value if value <= USIZE_MAX else None


def xml_unescaped(raw: bytes) -> bytes | None:
    """An attribute value with its entity and character references resolved, or None when one
    cannot be (quick-xml then fails too). "&#43;5" is "+5" to the reader, so it is to the check."""
    if b"&" not in raw:
        return raw
    pieces, position = [], 0
    for found in _ENTITY.finditer(raw):
        pieces.append(raw[position:found.start()])
        character = _reference(found.group(1))
        if character is None:
            return None
        pieces.append(character)
        position = found.end()
    pieces.append(raw[position:])
    text = b"".join(pieces)
    # an '&' left over was not part of a complete reference
    return None if raw.count(b"&") != len(_ENTITY.findall(raw)) else text


def _reference(name: bytes) -> bytes | None:
    if name in _NAMED_ENTITIES:
        return _NAMED_ENTITIES[name]
    try:
        if name[:2] in (b"#x", b"#X"):
            code = int(name[2:], 16)
        elif name[:1] == b"#":
            code = int(name[1:], 10)
        else:
            return None
        return chr(code).encode("utf-8")
    except (ValueError, OverflowError):
        return None


def repeat_count(attributes: bytes, name: bytes) -> int:
    """A count attribute (1 when absent) as calamine reads it; UnreadableAttribute when it cannot be."""
    raw = attribute(attributes, name)
    if raw is None:
        return 1
    value = xml_unescaped(raw)
    count = None if value is None else rust_unsigned(value)
    if count is None:
        shown = raw.decode("utf-8", "replace")[:20]
        raise UnreadableAttribute(f"{name.decode()} is '{shown}', which is not a count")
    return count
