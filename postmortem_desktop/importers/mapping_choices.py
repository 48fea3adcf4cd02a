"""A person's own column choices, given as ``FIELD=COLUMN`` (the command line's ``--map``), over a mapping.

The mapping dialog lets a person pick a column per field; on the command line the same choice is
``--map external_id="Case No"`` or ``--map "created time=3"``. A field is named by its key or its
label (``external_id`` or ``ticket id``); a column by its header name or its number from 1 (a file
without a header row has only "Column 1", "Column 2"…). The chosen column leaves any other field the
guess had given it, so a choice never makes a "mapped to both" conflict; ``FIELD=`` alone unmaps it.
"""
from __future__ import annotations

from collections.abc import Sequence

from postmortem_desktop.importers.field_mapping import FIELD_LABELS, MULTI_FIELDS, FieldMapping, MappingError


def how_to_choose(unmapped: Sequence[str]) -> str:
    """How to choose the columns of ``unmapped`` fields on the command line, in one sentence."""
    fields = " ".join(f"--map {name}=COLUMN" for name in unmapped) or "--map FIELD=COLUMN"
    return (f"On the command line, choose a column with {fields} (a column's name, or its number from 1, as "
            "`postmortem preview FILE` lists them), or use a preset saved in the app with --mapping NAME")


def apply_choices(mapping: FieldMapping, header: Sequence[str], choices: Sequence[str]) -> FieldMapping:
    """``mapping`` with each ``FIELD=COLUMN`` choice applied, in order; MappingError names a bad one.

    Choices for tags or comments (which take several columns) replace the guessed columns together.
    """
    chosen: dict[str, list[int]] = {}
    for choice in choices:
        field_text, equals, column_text = choice.partition("=")
        if not equals:
            raise MappingError([f"--map {choice!r} names no column: write FIELD=COLUMN, for example "
                                "--map external_id=3 or --map 'created time=Opened at'"])
        name = field_named(field_text)
        if not column_text.strip():
            mapping.columns.pop(name, None)
            continue
        index = column_named(column_text, header)
        for other, value in list(mapping.columns.items()):
            if other != name and (value == index or (isinstance(value, list) and index in value)):
                _drop_column(mapping, other, index)
        chosen.setdefault(name, []).append(index)
        mapping.columns[name] = chosen[name] if name in MULTI_FIELDS else index
    return mapping


def _drop_column(mapping: FieldMapping, name: str, index: int) -> None:
    value = mapping.columns[name]
    rest = [column for column in value if column != index] if isinstance(value, list) else []
    if rest:
        mapping.columns[name] = rest
    else:
        del mapping.columns[name]


def field_named(text: str) -> str:
    """The field a person named by its key (``external_id``) or label (``ticket id``), in any case."""
    wanted = _plain(text)
    for name, label in FIELD_LABELS.items():
        if wanted in (_plain(name), _plain(label), _plain(label.split(" (")[0])):
            return name
    raise MappingError([f"--map: '{text.strip()}' is not a field we import; the fields are "
                        + ", ".join(f"{name} ({label.split(' (')[0]})" if _plain(label) != _plain(name) else name
                                    for name, label in FIELD_LABELS.items())])


def column_named(text: str, header: Sequence[str]) -> int:
    """The column a person named by its header name (exactly, else in any case) or its number from 1."""
    wanted = text.strip()
    exact = [index for index, name in enumerate(header) if name == wanted]
    if exact:
        return exact[0]
    folded = [index for index, name in enumerate(header) if name.casefold() == wanted.casefold()]
    if len(folded) == 1:
        return folded[0]
    if wanted.isascii() and wanted.isdigit() and 1 <= int(wanted) <= len(header):
        return int(wanted) - 1
    shown = ", ".join(f"{number} {name!r}" for number, name in enumerate(header[:30], 1))
    more = f" (and {len(header) - 30} more)" if len(header) > 30 else ""
    raise MappingError([f"--map: this file has no column '{wanted}'; name one of its columns, or give its number: "
                        f"{shown}{more}"])


def _plain(text: str) -> str:
    return " ".join(text.replace("_", " ").replace("-", " ").casefold().split())
