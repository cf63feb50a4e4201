"""Small-count suppression (小数抑制) for statistics shown to those who may not read the rows.

An analyst counts the whole city but reads no row, and a count of 1 or 2 in a small area can
still point at a person (the one elderly person living alone in a building). Counts from 1 to
``smallest - 1`` are therefore withheld (``None``); where a group of counts with a known total
has exactly one withheld, the next smallest is withheld too, so it cannot be worked out by
subtraction. Zero is shown: it points at no one. The threshold is data (``statistics`` in
``access/rules.yaml``).

Groups protected: the buckets with the counts attached above them (they add up to the total),
each bucket's breakdown, and the overall breakdown. Differences across groups (one bucket's
breakdown against the overall one) are not protected against.
"""

from __future__ import annotations

from collections.abc import Mapping

from citykg.ledgers.models import LedgerStats

DIRECT = "(direct)"


def suppress_small_counts(stats: LedgerStats, smallest: int) -> LedgerStats:
    """``stats`` with small counts withheld, and saying so (``suppressed_below``)."""
    group = {b.code: b.count for b in stats.buckets}
    group[DIRECT] = stats.direct
    counts = withheld(group, smallest)
    buckets = [
        b.model_copy(update={"count": counts[b.code], "breakdown": withheld(b.breakdown, smallest)})
        for b in stats.buckets
    ]
    return stats.model_copy(
        update={
            "total": withheld({"total": stats.total}, smallest)["total"],
            "direct": counts[DIRECT],
            "breakdown": withheld(stats.breakdown, smallest),
            "buckets": buckets,
            "suppressed_below": smallest,
        }
    )


def withheld(cells: Mapping[str, int | None], smallest: int) -> dict[str, int | None]:
    """One group of counts with small ones withheld, and one more if one alone would be."""
    out = {k: None if v is None or 0 < v < smallest else v for k, v in cells.items()}
    if sum(v is None for v in out.values()) == 1 and len(out) > 1:
        shown = sorted((v, k) for k, v in out.items() if v)
        if shown:
            out[shown[0][1]] = None
    return out
