"""Build the KPI tallies by community (one ``:EventPlaceTally`` per community and UTC day, which
the KPI table by street or community reads) beside those by department, from the cases a graph
already holds: the tally version goes to 2, so the tallies are built afresh in one statement,
here rather than at the first KPI request. From then on the statements that take and move cases
keep both."""

from citykg.events.kpi import ensure_tallies
from citykg.graph.store import GraphStore


def upgrade(store: GraphStore) -> None:
    ensure_tallies(store)
