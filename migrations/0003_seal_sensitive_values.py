"""Seal the ID numbers and phones a graph written before sealing holds in clear (issue 12, S1).

From this version the store seals them on every write and looks them up sealed, so a clear value
left in the graph would no longer be found by its look-ups. This seals every one in place under
the current data key and rewrites the engine's files, so the clear values leave the disk.
"""

from citykg.graph.rekey import rekey
from citykg.graph.store import GraphStore


def upgrade(store: GraphStore) -> None:
    rekey(store)
