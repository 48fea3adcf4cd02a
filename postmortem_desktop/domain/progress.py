"""How far long work got: a total that is only an estimate says so, so a screen can say "about"."""
from __future__ import annotations


class EstimatedTotal(int):
    """A progress total worked out from how much of a file was read (the rows it probably holds), not counted.

    It is an int wherever a total is used (a progress bar's maximum); only the words differ: "of about 43,500"
    while it is an estimate, the exact number once the work knows it (a plain int). It survives the pickle
    that carries progress from the import helper process.
    """

    __slots__ = ()


def is_estimate(total: object) -> bool:
    return isinstance(total, EstimatedTotal)
