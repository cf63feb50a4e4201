"""Small-count suppression (小数抑制) for those who count but may not read the rows.

An analyst counts the whole city but reads no row, and a count of 1 or 2 in a small area can
still point at a person (the one elderly person living alone in a building). Counts from 1 to
``smallest - 1`` are therefore withheld (``None``); where a group of counts with a known total
has exactly one withheld, the next smallest is withheld too, so it cannot be worked out by
subtraction. Zero is shown: it points at no one. The threshold is data (``statistics`` in
``rules.yaml``). Ledger statistics (:mod:`citykg.ledgers.disclosure`) and place roll-ups apply
it; differences across groups (one bucket's breakdown against the overall one) are not
protected against.
"""

from __future__ import annotations

from collections.abc import Mapping

from citykg.access.check import allowed
from citykg.access.principals import Principal
from citykg.access.rules import load_rules

ROWS = "ledger.read"
DIRECT = "(direct)"
"""The key of the counts attached above a roll-up's buckets, in the buckets' group."""


def smallest_count(principal: Principal) -> int | None:
    """The smallest count ``principal`` may be shown; None when they may read the rows anyway."""
    if allowed(principal=principal, action=ROWS):
        return None
    return load_rules().file.statistics.smallest_count


def withheld(cells: Mapping[str, int | None], smallest: int) -> dict[str, int | None]:
    """One group of counts with small ones withheld, and one more if one alone would be."""
    out = {k: None if v is None or 0 < v < smallest else v for k, v in cells.items()}
    if sum(v is None for v in out.values()) == 1 and len(out) > 1:
        shown = sorted((v, k) for k, v in out.items() if v)
        if shown:
            out[shown[0][1]] = None
    return out
