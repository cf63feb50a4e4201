"""Ledger statistics with small counts withheld (policy: :mod:`citykg.access.disclosure`).

Groups protected: the buckets with the counts attached above them (they add up to the total),
each bucket's breakdown, and the overall breakdown.
"""

from __future__ import annotations

from citykg.access.disclosure import DIRECT, withheld
from citykg.ledgers.models import LedgerStats


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
