"""Task items keep the key of the post they are assigned to (``TaskItem.post``,
``<organization>|<role>``, indexed), which "my items" looks up (issue 16): this sets it on the
items of a graph written before, in batches, and creates its index (with the tasks' other
indexes, e.g. ``aboveOrganization``, which the returned list starts from). Idempotent: an item
whose key is right is not touched again.
"""

from citykg.graph.store import GraphStore
from citykg.tasks import ensure_tasks_schema, queries

BATCH = 20_000


def upgrade(store: GraphStore) -> None:
    ensure_tasks_schema(store)
    while True:
        rows = store.write(queries.SET_POST_KEYS, {"limit": BATCH}).rows
        if not rows or int(rows[0]["n"]) < BATCH:  # the last batch
            break
    store.write(queries.DROP_POST_KEYS)
