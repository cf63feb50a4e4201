"""What a principal may read in the ledgers: place subtrees and, for a resident, a household.

* An **official** reads entities hanging off places under the jurisdiction of the posts they
  hold now (:attr:`Principal.scope`), and only with the action the operation needs
  (``ledger.read``, ``ledger.export``, ``ledger.stats``, ``ledger.edit``).
* A **resident** reads the detail of their own person and their household's members, nothing
  else (no lists, exports or statistics); the household is looked up when asked, so a move or a
  new household link counts at once.
* An **analyst** has ``ledger.stats`` over the whole city (counts only, never rows) and the
  Cypher endpoint; no list, detail or export.

The result is a :class:`Reach` whose :meth:`Reach.params` every ledger query takes; the
predicate itself is in the Cypher (:mod:`citykg.ledgers.queries`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from citykg.access.check import ensure_allowed
from citykg.access.household import household_of
from citykg.access.principals import Principal
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore

READ = "ledger.read"
STATS = "ledger.stats"


@dataclass(frozen=True, slots=True)
class Reach:
    """Place subtrees, and identity keys of persons (a resident's household)."""

    scope: PlaceScope
    household: tuple[str, ...] = ()

    def params(self) -> dict[str, Any]:
        return {**self.scope.params(), "household": list(self.household)}


def reach(principal: Principal, *, action: str) -> Reach:
    """The places ``principal`` may ``action`` over; raises Forbidden without the action."""
    ensure_allowed(principal=principal, action=action)
    if principal.kind == "analyst" and action == STATS:
        return Reach(PlaceScope.everywhere())
    return Reach(principal.scope)


def detail_reach(store: GraphStore, principal: Principal) -> Reach:
    """What ``principal`` may open one by one: a resident their household, others by scope."""
    if principal.kind != "resident":
        return reach(principal, action=READ)
    if principal.person is None:
        return Reach(PlaceScope.nothing())
    return Reach(PlaceScope.nothing(), household_of(store, person=principal.person))
