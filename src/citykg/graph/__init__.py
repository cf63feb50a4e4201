"""The graph store: one interface (:class:`GraphStore`), FalkorDB (embedded) and Neo4j backends.

Backends are chosen by URL and imported lazily, so a FalkorDB deployment never imports the Neo4j
driver and vice versa::

    falkordb:///abs/path/to/data        embedded FalkorDB, data in that directory (the default)
    falkordb://[:password@]host:6379    an existing FalkorDB server
    neo4j://user:pass@host:7687/dbname  Neo4j 5 (also bolt://, neo4j+s://, bolt+s://)
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

from citykg.errors import ConfigError
from citykg.graph.embedded import AofRewrite, Durability
from citykg.graph.embedded import cpu_seconds as cpu_seconds
from citykg.graph.embedded import engine_pid as engine_pid
from citykg.graph.sealing import NO_DATA_KEYS, Keyring
from citykg.graph.store import (
    Constraint as Constraint,
)
from citykg.graph.store import (
    GraphSchema as GraphSchema,
)
from citykg.graph.store import (
    GraphStore as GraphStore,
)
from citykg.graph.store import (
    Health as Health,
)
from citykg.graph.store import (
    Index as Index,
)
from citykg.graph.store import (
    NotificationLevel as NotificationLevel,
)
from citykg.graph.store import (
    Row as Row,
)
from citykg.graph.store import (
    WriteSummary as WriteSummary,
)

NEO4J_SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")


def open_store(
    url: str,
    *,
    graph_name: str = "citykg",
    neo4j_notifications: NotificationLevel = "OFF",
    durability: Durability = "everysec",
    aof_rewrite: AofRewrite = "auto",
    keys: Keyring | None = None,
    stamped: bool = True,
) -> GraphStore:
    """Open the graph named by ``url``; raises :class:`ConfigError` with a one-line reason.

    ``neo4j_notifications``: the lowest severity of notification a Neo4j server sends;
    ``durability``, ``aof_rewrite``: the ``appendfsync`` and AOF rewrite rule of an embedded
    FalkorDB server this call starts;
    ``keys``: the data keys that seal sensitive values (default: :func:`configured_keys`);
    ``stamped``: whether writes move change stamps (:mod:`citykg.graph.stamps`).
    """
    parts = urlsplit(url)
    keys = keys or configured_keys(embedded=parts.scheme == "falkordb" and not parts.netloc)
    if parts.scheme == "falkordb":
        from citykg.graph.falkordb import FalkorDBStore

        if not parts.netloc:
            if not parts.path.startswith("/"):
                raise ConfigError(f"embedded graph path must be absolute: {url!r}")
            return FalkorDBStore(
                graph_name=graph_name,
                data_dir=Path(unquote(parts.path)),
                durability=durability,
                aof_rewrite=aof_rewrite,
                keys=keys,
                stamped=stamped,
            )
        return FalkorDBStore(
            graph_name=graph_name,
            host=parts.hostname or "localhost",
            port=_port(parts, 6379),
            password=unquote(parts.password) if parts.password else None,
            keys=keys,
            stamped=stamped,
        )
    if parts.scheme in NEO4J_SCHEMES:
        from citykg.graph.neo4j import Neo4jStore

        if not parts.username or parts.password is None:
            raise ConfigError(f"a Neo4j URL needs user and password: {_redacted(url)!r}")
        return Neo4jStore(
            uri=f"{parts.scheme}://{parts.hostname}:{_port(parts, 7687)}",
            user=unquote(parts.username),
            password=unquote(parts.password),
            database=parts.path.strip("/") or None,
            notifications=neo4j_notifications,
            keys=_required(keys),
            stamped=stamped,
        )
    raise ConfigError(
        f"unknown graph URL {_redacted(url)!r}: use falkordb:///abs/path, falkordb://host:port "
        "or neo4j://user:pass@host:7687/db"
    )


def configured_keys(*, embedded: bool) -> Keyring | None:
    """The data keys the settings name: ``CITYKG_DATA_KEY_FILE``, else, for a graph on a
    server, keys derived from ``CITYKG_SECRET``; None leaves an embedded graph its own key
    file beside its data directory."""
    from citykg.settings import get_settings

    settings = get_settings()
    if settings.data_key_file is not None:
        return Keyring.from_file(settings.data_key_file)
    if settings.secret and not embedded:
        return Keyring.derived(settings.secret)
    return None


def _required(keys: Keyring | None) -> Keyring:
    if keys is None:
        raise ConfigError(NO_DATA_KEYS)
    return keys


def _port(parts: SplitResult, default: int) -> int:
    try:
        return parts.port or default
    except ValueError as exc:
        raise ConfigError(f"bad port in graph URL {_redacted(parts.geturl())!r}") from exc


def _redacted(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url
