"""Change stamps: whether an answer a process remembers from the graph may have changed.

Some answers are read on every request and change rarely, such as who a token's principal is,
with their posts and jurisdiction. A process may remember them under a *stamp*: a value in the
graph that every write naming what they rest on replaces, whichever process makes it. Reading
the stamp costs a fraction of reading the answer (0.15 vs 0.8 ms on FalkorDB).

A write is matched by the labels and relationship types its statement names. Cypher never takes
those as parameters, so every write path is covered without being registered, the platform's
and a steward's ``citykg`` command alike; a statement that names one and changes nothing costs
a re-read, nothing more. A write made outside the platform (a database shell) is not seen:
:data:`MAX_AGE_S` bounds how long it can go unnoticed.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from weakref import WeakKeyDictionary

from citykg.graph import queries
from citykg.graph.store import GraphStore

TOPICS: dict[str, tuple[str, ...]] = {
    "access": (
        "Principal",  # kind, roles, person, password
        "ApiToken",  # issued, revoked
        "AUTHENTICATES",
        "ACTS_AS",
        "HOLDS_POST_IN",  # posts taken, ended, retagged
        "HAS_JURISDICTION_OVER",  # jurisdiction given, ended, merged away
        "PlaceAlias",  # every re-coding of places leaves one: scopes are place codes
    ),
}
"""What each topic's remembered answers rest on: labels and relationship types."""

_NAMED = {
    topic: re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")
    for topic, names in TOPICS.items()
}

MAX_AGE_S = 60.0
"""The longest an answer is remembered, whatever the stamp says."""


def named(query: str) -> list[str]:
    """The topics whose labels or relationship types the statement names."""
    return [topic for topic, pattern in _NAMED.items() if pattern.search(query)]


def move(store: GraphStore, topics: list[str]) -> None:
    """Give ``topics`` new stamps (random, so no stamp comes back after a clear); backends call
    it after each write that names them, once it has committed (before, a reader could keep an
    old answer under the new stamp). If this fails the write stands and the error is raised, like
    a connection lost after a commit; what processes remember then ages out in ``MAX_AGE_S``."""
    if topics:
        store.write(queries.MOVE_STAMPS, {"topics": topics, "stamp": uuid.uuid4().hex})


def stamp(store: GraphStore, topic: str) -> str:
    """The topic's stamp; "" until a write names it (a cleared graph, or one from before
    stamps), and nothing is remembered under ""."""
    rows = store.read(queries.STAMP, {"topic": topic})
    return str(rows[0]["stamp"]) if rows else ""


class Remembered[K: Hashable, V]:
    """Answers of one topic, per store, each kept with the stamp it was read under (at most
    ``size`` per store, the least recently used going first)."""

    def __init__(self, topic: str, size: int = 4096) -> None:
        if topic not in TOPICS:
            raise KeyError(f"unknown change topic {topic!r}")
        self.topic, self.size = topic, size
        self._kept: WeakKeyDictionary[GraphStore, OrderedDict[K, tuple[str, float, V]]] = (
            WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def get(self, store: GraphStore, key: K, read: Callable[[], V]) -> V:
        """The answer for ``key``: remembered if the stamp has not moved since, else ``read()``.
        The stamp is read first, so an answer read during a write is kept under the stamp
        before it, and read again on the next call."""
        now, current = time.monotonic(), stamp(store, self.topic)
        if not current:
            return read()
        with self._lock:
            kept = self._kept.setdefault(store, OrderedDict())
            hit = kept.get(key)
            if hit is not None and hit[0] == current and now - hit[1] < MAX_AGE_S:
                kept.move_to_end(key)
                return hit[2]
        value = read()
        with self._lock:
            kept[key] = (current, now, value)
            kept.move_to_end(key)
            while len(kept) > self.size:
                kept.popitem(last=False)
        return value
