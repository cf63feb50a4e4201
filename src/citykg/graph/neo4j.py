"""The Neo4j 5 backend, through the official ``neo4j`` driver (Bolt).

Kept small on purpose so it can be reviewed by eye: managed transactions via ``execute_query``,
one statement per write. Reads are READ transactions, so with ``neo4j://`` routing any member of
a cluster may serve them and the server refuses a write in them; every statement goes through
the driver's one bookmark manager, so a read waits for this process's earlier writes (causal
consistency, ``docs/scaling.md``). Server notifications are off unless a level is asked for.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any, LiteralString

import neo4j
from neo4j import exceptions as neo4j_errors
from neo4j import graph as neo4j_graph
from neo4j import time as neo4j_time

from citykg.errors import Conflict, Forbidden, GraphUnavailable, QueryError
from citykg.graph import stamps
from citykg.graph.identifiers import quote_identifier
from citykg.graph.sealing import Keyring, Sealer
from citykg.graph.store import (
    INDEX_TIMEOUT_S,
    READ_ONLY_REFUSED,
    GraphSchema,
    Health,
    NotificationLevel,
    Params,
    Row,
    WriteSummary,
    delete_all_nodes,
    node,
    path,
    relationship,
)

AWAIT_INDEXES: LiteralString = "CALL db.awaitIndexes($timeout)"
CONSTRAINT_CREATION_FAILED = "Neo.DatabaseError.Schema.ConstraintCreationFailed"
PROCEDURE_TIMED_OUT = "Neo.ClientError.Procedure.ProcedureTimedOut"


def driver_options(notifications: NotificationLevel) -> dict[str, Any]:
    """The driver configuration: the lowest severity of notification the server sends (and the
    driver logs); ``OFF`` keeps the logs free of advice about queries that are meant as written."""
    return {"notifications_min_severity": neo4j.NotificationMinimumSeverity(notifications)}


class Neo4jStore:
    """A graph in a Neo4j 5 database (``stamped``: as for :class:`FalkorDBStore`)."""

    backend = "neo4j"
    supports_read_only_queries = True

    def __init__(
        self,
        *,
        uri: str,
        user: str,
        password: str,
        database: str | None,
        notifications: NotificationLevel = "OFF",
        keys: Keyring,
        stamped: bool = True,
    ) -> None:
        self.stamped = stamped
        self.location = f"{uri}/{database or ''}"
        self.sealer = Sealer(keys)
        self.database = database
        with _translated_errors():
            self._driver = neo4j.GraphDatabase.driver(
                uri, auth=(user, password), **driver_options(notifications)
            )

    def read(
        self, query: LiteralString, params: Params | None = None, *, timeout_ms: int | None = None
    ) -> list[Row]:
        return self.read_untrusted(query, params, timeout_ms=timeout_ms)

    def read_untrusted(
        self, query: str, params: Params | None = None, *, timeout_ms: int | None = None
    ) -> list[Row]:
        timeout = timeout_ms / 1000 if timeout_ms else None
        with _translated_errors(query):
            result = self._driver.execute_query(
                neo4j.Query(self._sealed(query), timeout=timeout),
                self.sealer.params(params),
                **self.statement_options(read=True),
            )
        return [
            {key: _value(record[key], self.sealer) for key in result.keys}
            for record in result.records
        ]

    def write(self, query: LiteralString, params: Params | None = None) -> WriteSummary:
        with _translated_errors(query):
            result = self._driver.execute_query(
                self._sealed(query),
                self.sealer.params(params),
                **self.statement_options(read=False),
            )
        if self.stamped:
            stamps.move(self, stamps.named(query))
        counters = result.summary.counters
        return WriteSummary(
            rows=[
                {key: _value(record[key], self.sealer) for key in result.keys}
                for record in result.records
            ],
            nodes_created=counters.nodes_created,
            nodes_deleted=counters.nodes_deleted,
            relationships_created=counters.relationships_created,
            relationships_deleted=counters.relationships_deleted,
            properties_set=counters.properties_set,
        )

    def statement_options(self, *, read: bool) -> dict[str, Any]:
        """What every statement is sent with: READ or WRITE routing (a read transaction may be
        served by any cluster member), the database, and the driver's bookmark manager, the
        same for every statement so that a read sees this process's last write."""
        return {
            "routing_": neo4j.RoutingControl.READ if read else neo4j.RoutingControl.WRITE,
            "database_": self.database,
            "bookmark_manager_": self._driver.execute_query_bookmark_manager,
        }

    def apply_schema(self, schema: GraphSchema) -> None:
        for constraint in schema.constraints:
            label, key = quote_identifier(constraint.label), quote_identifier(constraint.key)
            name = quote_identifier(f"citykg_unique_{constraint.label}_{constraint.key}")
            self._ddl(
                f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{key} IS UNIQUE",
                constraint=f"{constraint.label}.{constraint.key}",
            )
        unique = {(c.label, c.key) for c in schema.constraints}
        for index in schema.indexes:
            if (index.label, index.key) in unique:
                continue  # the constraint's own index serves
            label, key = quote_identifier(index.label), quote_identifier(index.key)
            name = quote_identifier(f"citykg_index_{index.label}_{index.key}")
            self._ddl(f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{key})")

    def await_indexes(self, timeout_s: float = INDEX_TIMEOUT_S) -> None:
        self._ddl(AWAIT_INDEXES, {"timeout": max(1, round(timeout_s))})

    def explain(self, query: str, params: Params | None = None) -> str:
        """The plan, from a WRITE transaction: a write statement is planned where it could run."""
        with _translated_errors(query):
            result = self._driver.execute_query(
                f"EXPLAIN {self.sealer.query(query)}",
                self.sealer.params(params),
                **self.statement_options(read=False),
            )
        return str(result.summary.plan)

    def health(self) -> Health:
        try:
            info = self._driver.get_server_info()
            self._driver.verify_connectivity()
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as exc:
            return Health(self.backend, self.location, ok=False, detail=str(exc))
        return Health(self.backend, self.location, ok=True, version=str(info.agent))

    def clear(self) -> None:
        delete_all_nodes(self)

    def compact(self) -> None:
        """Nothing the platform can do: Neo4j reuses the records of overwritten values over
        time; copy the database (``neo4j-admin database copy``) to drop them at once."""

    def settle(self) -> None:
        """Nothing to fold: Neo4j applies each transaction to its stores as it commits."""

    def close(self) -> None:
        self._driver.close()

    def _sealed(self, query: str) -> LiteralString:
        """The statement as sent: the platform's own text with string literals sealed."""
        return self.sealer.query(query)

    def _ddl(
        self, statement: str, params: Params | None = None, *, constraint: str | None = None
    ) -> None:
        with _translated_errors(statement, constraint=constraint):
            self._driver.execute_query(
                statement, dict(params or {}), **self.statement_options(read=False)
            )


def _value(value: Any, sealer: Sealer) -> Any:
    """Driver objects to the platform's plain shapes, recursively, with sealed values opened."""
    if value is None or isinstance(value, int | float):  # most values: numbers, before the rest
        return value
    if isinstance(value, str):
        return sealer.open(value)
    if isinstance(value, neo4j_graph.Node):
        props = {k: _value(v, sealer) for k, v in value.items()}
        return node(value.element_id, list(value.labels), props)
    if isinstance(value, neo4j_graph.Relationship):
        start = value.start_node.element_id if value.start_node else ""
        end = value.end_node.element_id if value.end_node else ""
        props = {k: _value(v, sealer) for k, v in value.items()}
        return relationship(value.element_id, value.type, start, end, props)
    if isinstance(value, neo4j_graph.Path):
        return path(
            [_value(n, sealer) for n in value.nodes],
            [_value(r, sealer) for r in value.relationships],
        )
    if isinstance(value, neo4j_time.Date | neo4j_time.DateTime | neo4j_time.Time):
        return value.iso_format()
    if isinstance(value, Mapping):
        return {str(k): _value(v, sealer) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v, sealer) for v in value]
    return value


@contextlib.contextmanager
def _translated_errors(query: str = "", *, constraint: str | None = None) -> Iterator[None]:
    """Driver errors become citykg errors; callers never see ``neo4j.exceptions``.

    ``constraint`` (``Label.key``) names the uniqueness constraint a DDL statement creates:
    Neo4j refuses one over existing duplicates with a *database* error, which is a
    :class:`Conflict` here, as on FalkorDB.
    """
    try:
        yield
    except neo4j_errors.ConstraintError as exc:
        raise Conflict(f"the write breaks a uniqueness rule: {exc.message}") from exc
    except neo4j_errors.ClientError as exc:
        if exc.code and "AccessMode" in exc.code:
            raise Forbidden(READ_ONLY_REFUSED) from exc
        if exc.code == PROCEDURE_TIMED_OUT:
            raise GraphUnavailable(f"the graph did not finish in time: {exc.message}") from exc
        raise QueryError(f"the graph rejected the query: {exc.message}", query=query) from exc
    except neo4j_errors.DatabaseError as exc:
        if constraint and exc.code == CONSTRAINT_CREATION_FAILED:
            raise Conflict(
                f"cannot make {constraint} unique: existing nodes share a value ({exc.message})"
            ) from exc
        raise QueryError(f"the graph failed the query: {exc.message}", query=query) from exc
    except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError) as exc:
        raise GraphUnavailable(f"the Neo4j server did not answer: {exc}") from exc
    except neo4j_errors.Neo4jError as exc:
        raise QueryError(f"the graph failed the query: {exc.message}", query=query) from exc
