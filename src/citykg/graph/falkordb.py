"""The FalkorDB backend: the embedded default, or an existing FalkorDB server.

FalkorDB runs each query atomically (a failed statement leaves nothing behind) but has no
multi-statement transactions through its client, which is why the platform writes one statement
per logical write everywhere. Driver and redis errors are translated here, at the boundary.
"""

from __future__ import annotations

import contextlib
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, LiteralString

import falkordb
import redis
from falkordb.edge import Edge
from falkordb.node import Node
from falkordb.path import Path as FalkorPath
from falkordb.query_result import ResultSetScalarTypes, parse_scalar
from redis.backoff import NoBackoff
from redis.retry import Retry

from citykg.errors import ConfigError, Conflict, Forbidden, GraphUnavailable, QueryError
from citykg.graph import stamps
from citykg.graph.embedded import AofRewrite, Durability, EmbeddedServer
from citykg.graph.identifiers import quote_identifier
from citykg.graph.sealing import NO_DATA_KEYS, Keyring, Sealer
from citykg.graph.store import (
    INDEX_TIMEOUT_S,
    READ_ONLY_REFUSED,
    GraphSchema,
    Health,
    Params,
    Row,
    WriteSummary,
    delete_all_nodes,
    node,
    path,
    relationship,
)

CONSTRAINT_TIMEOUT_S = 120.0
COMPACT_TIMEOUT_S = 600.0
RO_QUERY = "GRAPH.RO_QUERY"
NULL, STRING, INTEGER, BOOLEAN, DOUBLE, ARRAY, NODE, MAP = (
    ResultSetScalarTypes.VALUE_NULL.value,
    ResultSetScalarTypes.VALUE_STRING.value,
    ResultSetScalarTypes.VALUE_INTEGER.value,
    ResultSetScalarTypes.VALUE_BOOLEAN.value,
    ResultSetScalarTypes.VALUE_DOUBLE.value,
    ResultSetScalarTypes.VALUE_ARRAY.value,
    ResultSetScalarTypes.VALUE_NODE.value,
    ResultSetScalarTypes.VALUE_MAP.value,
)
"""The compact reply's type codes that :func:`_scalar` decodes itself."""
NO_RETRY = Retry(NoBackoff(), 0)
"""The driver never re-sends a command: a write whose answer was lost to a dying server may
have been applied, so it fails (unacknowledged) rather than risk being applied twice. A pooled
connection to a server that has gone is replaced when it is next taken from the pool."""
INDEX_STATES: LiteralString = "CALL db.indexes() YIELD status RETURN status"
SETTLE: LiteralString = "CREATE (n:Settled) DELETE n"
"""Deleting a labelled node makes FalkorDB fold its pending matrix changes. Until then, after a
bulk write, every statement that both creates and updates paid ~3 ms more at 1M persons (a task
item's transition: 2.5 -> 7 ms, measured with GRAPH.PROFILE); the fold itself took ~0.2 s. A node
without a label does not fold them."""


class FalkorDBStore:
    """A graph in FalkorDB; ``data_dir`` for the embedded server, else ``host``/``port``.

    ``durability`` is the embedded server's ``appendfsync`` and ``aof_rewrite`` when it compacts
    its AOF (the process starting it sets them);
    ``keys`` seal sensitive values (default for an embedded graph: its key file beside the data
    directory; a server needs them given);
    ``stamped``: whether writes move change stamps (not in a copy nobody remembers answers from).
    """

    backend = "falkordb"
    supports_read_only_queries = True

    def __init__(
        self,
        *,
        graph_name: str,
        data_dir: Path | None = None,
        host: str = "localhost",
        port: int = 6379,
        password: str | None = None,
        durability: Durability = "everysec",
        aof_rewrite: AofRewrite = "auto",
        keys: Keyring | None = None,
        stamped: bool = True,
    ) -> None:
        self.stamped = stamped
        self.graph_name = graph_name
        if keys is None:
            if data_dir is None:
                raise ConfigError(NO_DATA_KEYS)
            keys = Keyring.beside(data_dir.resolve())
        self.sealer = Sealer(keys)
        self.server: EmbeddedServer | None = None
        with _translated_errors():
            if data_dir is not None:
                self.server = EmbeddedServer(
                    data_dir.resolve(), appendfsync=durability, aof_rewrite=aof_rewrite
                )
                self.server.start()
                self.location = str(self.server.data_dir)
                self._db = falkordb.FalkorDB(
                    unix_socket_path=str(self.server.socket_path), retry=NO_RETRY
                )
            else:
                self.location = f"{host}:{port}"
                self._db = falkordb.FalkorDB(
                    host=host, port=port, password=password, retry=NO_RETRY
                )
            self._graph = self._ensure_graph()

    def read(
        self, query: LiteralString, params: Params | None = None, *, timeout_ms: int | None = None
    ) -> list[Row]:
        return self.read_untrusted(query, params, timeout_ms=timeout_ms)

    def read_untrusted(
        self, query: str, params: Params | None = None, *, timeout_ms: int | None = None
    ) -> list[Row]:
        graph, sealer = self._graph, self.sealer
        text = graph._build_params_header(sealer.params(params)) + sealer.query(query)
        command: list[Any] = [RO_QUERY, self.graph_name, text, "--compact"]
        if timeout_ms is not None:
            command += ["timeout", int(timeout_ms)]
        with _translated_errors(query):
            return _decoded(graph.execute_command(*command), graph, sealer)

    def write(self, query: LiteralString, params: Params | None = None) -> WriteSummary:
        with _translated_errors(query):
            result = self._graph.query(self.sealer.query(query), self.sealer.params(params))
        if self.stamped:
            stamps.move(self, stamps.named(query))
        return WriteSummary(
            rows=_rows(result, self.sealer),
            nodes_created=int(result.nodes_created),
            nodes_deleted=int(result.nodes_deleted),
            relationships_created=int(result.relationships_created),
            relationships_deleted=int(result.relationships_deleted),
            properties_set=int(result.properties_set),
        )

    def apply_schema(self, schema: GraphSchema) -> None:
        existing = self._existing_indexes()
        for item in schema.indexes + schema.constraints:
            if (item.label, item.key) not in existing:
                self._execute_ddl(
                    f"CREATE INDEX FOR (n:{quote_identifier(item.label)}) "
                    f"ON (n.{quote_identifier(item.key)})"
                )
                existing.add((item.label, item.key))
        present = {(c[1], tuple(c[2])) for c in self._constraints() if c[0] == "UNIQUE"}
        for constraint in schema.constraints:
            if (constraint.label, (constraint.key,)) not in present:
                with _translated_errors():
                    self._graph.create_node_unique_constraint(constraint.label, constraint.key)
        self._await_constraints()

    def await_indexes(self, timeout_s: float = INDEX_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while any(row["status"] != "OPERATIONAL" for row in self.read(INDEX_STATES)):
            if time.monotonic() > deadline:
                raise GraphUnavailable(f"indexes did not come online in {timeout_s:.0f} s")
            time.sleep(0.05)

    def explain(self, query: str, params: Params | None = None) -> str:
        with _translated_errors(query):
            return str(self._graph.explain(self.sealer.query(query), self.sealer.params(params)))

    def health(self) -> Health:
        trouble = self.server.trouble if self.server else None
        if trouble is not None:
            return Health(self.backend, self.location, ok=False, detail=trouble)
        try:
            self._graph.ro_query("RETURN 1")
            info = self._db.connection.info("server")
            modules = {m["name"]: m.get("ver") for m in self._db.connection.module_list()}
            fsync = self._db.connection.config_get("appendfsync").get("appendfsync", "?")
        except (redis.RedisError, OSError) as exc:
            return Health(self.backend, self.location, ok=False, detail=str(exc))
        version = f"redis {info.get('redis_version')}, graph module {modules.get('graph')}"
        kind = "embedded" if self.server else "server"
        detail = f"{kind}, appendfsync {fsync}"
        return Health(self.backend, self.location, ok=True, version=version, detail=detail)

    def clear(self) -> None:
        """Delete the nodes, not the graph: FalkorDB 4.x can append effects of a deleted
        graph's constraints to the AOF after ``GRAPH.DELETE``, and the server then crashes
        replaying them at the next start."""
        delete_all_nodes(self)

    def compact(self) -> None:
        """``BGREWRITEAOF``: the append-only file is rewritten from the graph in memory (the
        history of overwritten values goes); waits until the rewrite is done."""
        deadline = time.monotonic() + COMPACT_TIMEOUT_S
        with _translated_errors():
            connection = self._db.connection
            while _rewriting(connection.info("persistence")):  # one already running
                time.sleep(0.05)
            connection.bgrewriteaof()
            while _rewriting(connection.info("persistence")):
                if time.monotonic() > deadline:
                    raise GraphUnavailable(f"the AOF rewrite took over {COMPACT_TIMEOUT_S:.0f} s")
                time.sleep(0.05)

    def settle(self) -> None:
        self.write(SETTLE)

    def close(self) -> None:
        with contextlib.suppress(redis.RedisError, OSError):
            self._db.connection.close()
        if self.server is not None:
            self.server.stop()

    def _ensure_graph(self) -> Any:
        """Select the graph, creating it empty: FalkorDB refuses reads of a missing graph. A
        write creates it, so it is in the AOF too and still there after a restart."""
        graph = self._db.select_graph(self.graph_name)
        if self.graph_name not in self._db.list_graphs():
            graph.query("CREATE (n) DELETE n")
        return graph

    def _execute_ddl(self, statement: str) -> None:
        with _translated_errors(statement):
            self._graph.query(statement)

    def _existing_indexes(self) -> set[tuple[str, str]]:
        rows = self.read("CALL db.indexes() YIELD label, properties RETURN label, properties")
        return {(row["label"], key) for row in rows for key in row["properties"]}

    def _constraints(self) -> list[list[Any]]:
        with _translated_errors():
            return list(self._graph.query("CALL db.constraints()").result_set)

    def _await_constraints(self) -> None:
        """Unique constraints build in the background; wait, and report one that failed."""
        deadline = time.monotonic() + CONSTRAINT_TIMEOUT_S
        while time.monotonic() < deadline:
            states = self._constraints()
            failed = [c for c in states if c[4] == "FAILED"]
            if failed:
                label, keys = failed[0][1], ", ".join(failed[0][2])
                with _translated_errors():
                    self._graph.drop_node_unique_constraint(label, *failed[0][2])
                raise Conflict(f"cannot make {label}.{keys} unique: existing nodes share a value")
            if all(c[4] == "OPERATIONAL" for c in states):
                return
            time.sleep(0.05)
        raise GraphUnavailable("unique constraints did not finish building in time")


def _rewriting(persistence: Mapping[str, Any]) -> bool:
    return bool(
        persistence.get("aof_rewrite_in_progress") or persistence.get("aof_rewrite_scheduled")
    )


def _decoded(reply: list[Any], graph: Any, sealer: Sealer) -> list[Row]:
    """A read's rows straight from the server's compact reply, sealed values opened, in one
    pass: the driver's own parsing builds its objects first and :func:`_value` walks them again
    (a ledger page: 0.65 ms of Python for its 50 rows). The shapes a read returns most (strings,
    numbers, lists, maps, nodes) are decoded here; the rest as the driver parses them."""
    for part in (reply[0], reply[-1]):
        if isinstance(part, redis.ResponseError):
            raise part
    if len(reply) == 1:  # no result set: statistics only
        return []
    columns = [str(column[1]) for column in reply[0]]
    schema = graph.schema
    return [
        {
            name: _scalar(cell[0], cell[1], graph, schema, sealer)
            for name, cell in zip(columns, record, strict=True)
        }
        for record in reply[1]
    ]


def _scalar(kind: int, value: Any, graph: Any, schema: Any, sealer: Sealer) -> Any:
    """One value of a compact reply (its type code and value), as :func:`_value` gives it."""
    if kind == STRING:
        return sealer.open(value if type(value) is str else _text(value))
    if kind == INTEGER:
        return int(value)
    if kind == NULL:
        return None
    if kind == ARRAY:
        return [_scalar(v[0], v[1], graph, schema, sealer) for v in value]
    if kind == MAP:
        return {
            _text(value[i]): _scalar(value[i + 1][0], value[i + 1][1], graph, schema, sealer)
            for i in range(0, len(value), 2)
        }
    if kind == NODE:
        labels = [schema.get_label(i) for i in value[1]]
        properties = {
            schema.get_property(p[0]): _scalar(p[1], p[2], graph, schema, sealer) for p in value[2]
        }
        return node(str(int(value[0])), labels, properties)
    if kind == BOOLEAN:
        return _text(value) == "true"
    if kind == DOUBLE:
        return float(value)
    return _value(parse_scalar([kind, value], graph), sealer)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _rows(result: Any, sealer: Sealer) -> list[Row]:
    columns = [str(column[1]) for column in result.header]
    return [
        {name: _value(value, sealer) for name, value in zip(columns, record, strict=True)}
        for record in result.result_set
    ]


_PLAIN = (type(None), int, float, bool)


def _value(value: Any, sealer: Sealer) -> Any:
    """Driver objects to the platform's plain shapes, recursively, with sealed values opened.

    Every value of every row passes here (a 50-row ledger page: about a thousand), so the common
    shapes are tested by exact type first, and a map's or list's items without a call each."""
    kind = type(value)
    if kind is str:
        return sealer.open(value)
    if kind in _PLAIN:
        return value
    if kind is OrderedDict or kind is dict:  # the driver's maps are OrderedDicts
        return {
            str(k): sealer.open(v)
            if type(v) is str
            else v
            if type(v) in _PLAIN
            else _value(v, sealer)
            for k, v in value.items()
        }
    if kind is list:
        return [
            sealer.open(v) if type(v) is str else v if type(v) in _PLAIN else _value(v, sealer)
            for v in value
        ]
    if isinstance(value, Node):
        props = {k: _value(v, sealer) for k, v in value.properties.items()}
        return node(str(value.id), value.labels or [], props)
    if isinstance(value, Edge):
        start = value.src_node.id if isinstance(value.src_node, Node) else value.src_node
        end = value.dest_node.id if isinstance(value.dest_node, Node) else value.dest_node
        props = {k: _value(v, sealer) for k, v in value.properties.items()}
        return relationship(str(value.id), str(value.relation), str(start), str(end), props)
    if isinstance(value, FalkorPath):
        return path(
            [_value(n, sealer) for n in value.nodes()], [_value(e, sealer) for e in value.edges()]
        )
    if isinstance(value, Mapping):
        return {str(k): _value(v, sealer) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v, sealer) for v in value]
    return value


@contextlib.contextmanager
def _translated_errors(query: str = "") -> Iterator[None]:
    """Redis and FalkorDB errors become citykg errors; callers never see driver types."""
    try:
        yield
    except redis.ResponseError as exc:
        message = str(exc)
        if "constraint violation" in message:
            raise Conflict(f"the write breaks a uniqueness rule: {message}") from exc
        if "read-only" in message:
            raise Forbidden(READ_ONLY_REFUSED) from exc
        raise QueryError(f"the graph rejected the query: {message}", query=query) from exc
    except (redis.ConnectionError, redis.TimeoutError, ConnectionError, OSError) as exc:
        raise GraphUnavailable(f"the FalkorDB server did not answer: {exc}") from exc
