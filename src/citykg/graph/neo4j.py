"""The Neo4j 5 backend, through the official ``neo4j`` driver (Bolt).

Kept small on purpose so it can be reviewed by eye: managed transactions via ``execute_query``,
READ routing for reads (the server refuses writes in a read transaction), one statement per write.
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
from citykg.graph.identifiers import quote_identifier
from citykg.graph.store import (
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


class Neo4jStore:
    """A graph in a Neo4j 5 database."""

    backend = "neo4j"
    supports_read_only_queries = True

    def __init__(self, *, uri: str, user: str, password: str, database: str | None) -> None:
        self.location = f"{uri}/{database or ''}"
        self.database = database
        with _translated_errors():
            self._driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))

    def read(
        self, query: LiteralString, params: Params | None = None, *, timeout_ms: int | None = None
    ) -> list[Row]:
        return self.read_untrusted(query, params, timeout_ms=timeout_ms)

    def read_untrusted(
        self, query: str, params: Params | None = None, *, timeout_ms: int | None = None
    ) -> list[Row]:
        timeout = timeout_ms / 1000 if timeout_ms else None
        statement = neo4j.Query(query, timeout=timeout)
        with _translated_errors(query):
            result = self._driver.execute_query(
                statement,
                dict(params or {}),
                routing_=neo4j.RoutingControl.READ,
                database_=self.database,
            )
        return [{key: _value(record[key]) for key in result.keys} for record in result.records]

    def write(self, query: LiteralString, params: Params | None = None) -> WriteSummary:
        with _translated_errors(query):
            result = self._driver.execute_query(query, dict(params or {}), database_=self.database)
        counters = result.summary.counters
        return WriteSummary(
            rows=[{key: _value(record[key]) for key in result.keys} for record in result.records],
            nodes_created=counters.nodes_created,
            nodes_deleted=counters.nodes_deleted,
            relationships_created=counters.relationships_created,
            relationships_deleted=counters.relationships_deleted,
            properties_set=counters.properties_set,
        )

    def apply_schema(self, schema: GraphSchema) -> None:
        for constraint in schema.constraints:
            label, key = quote_identifier(constraint.label), quote_identifier(constraint.key)
            name = quote_identifier(f"citykg_unique_{constraint.label}_{constraint.key}")
            self._ddl(
                f"CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{key} IS UNIQUE"
            )
        unique = {(c.label, c.key) for c in schema.constraints}
        for index in schema.indexes:
            if (index.label, index.key) in unique:
                continue  # the constraint's own index serves
            label, key = quote_identifier(index.label), quote_identifier(index.key)
            name = quote_identifier(f"citykg_index_{index.label}_{index.key}")
            self._ddl(f"CREATE INDEX {name} IF NOT EXISTS FOR (n:{label}) ON (n.{key})")
        self._ddl("CALL db.awaitIndexes(300)")

    def explain(self, query: str, params: Params | None = None) -> str:
        rows = self.read_untrusted(f"EXPLAIN {query}", params)
        return str(rows)

    def health(self) -> Health:
        try:
            info = self._driver.get_server_info()
            self._driver.verify_connectivity()
        except (neo4j_errors.Neo4jError, neo4j_errors.DriverError, OSError) as exc:
            return Health(self.backend, self.location, ok=False, detail=str(exc))
        return Health(self.backend, self.location, ok=True, version=str(info.agent))

    def clear(self) -> None:
        delete_all_nodes(self)

    def close(self) -> None:
        self._driver.close()

    def _ddl(self, statement: str) -> None:
        with _translated_errors(statement):
            self._driver.execute_query(statement, database_=self.database)


def _value(value: Any) -> Any:
    """Driver objects to the platform's plain shapes, recursively."""
    if isinstance(value, neo4j_graph.Node):
        return node(value.element_id, list(value.labels), {k: _value(v) for k, v in value.items()})
    if isinstance(value, neo4j_graph.Relationship):
        start = value.start_node.element_id if value.start_node else ""
        end = value.end_node.element_id if value.end_node else ""
        props = {k: _value(v) for k, v in value.items()}
        return relationship(value.element_id, value.type, start, end, props)
    if isinstance(value, neo4j_graph.Path):
        return path([_value(n) for n in value.nodes], [_value(r) for r in value.relationships])
    if isinstance(value, neo4j_time.Date | neo4j_time.DateTime | neo4j_time.Time):
        return value.iso_format()
    if isinstance(value, Mapping):
        return {str(k): _value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value


@contextlib.contextmanager
def _translated_errors(query: str = "") -> Iterator[None]:
    """Driver errors become citykg errors; callers never see ``neo4j.exceptions``."""
    try:
        yield
    except neo4j_errors.ConstraintError as exc:
        raise Conflict(f"the write breaks a uniqueness rule: {exc.message}") from exc
    except neo4j_errors.ClientError as exc:
        if exc.code and "AccessMode" in exc.code:
            raise Forbidden(READ_ONLY_REFUSED) from exc
        raise QueryError(f"the graph rejected the query: {exc.message}", query=query) from exc
    except (neo4j_errors.ServiceUnavailable, neo4j_errors.SessionExpired, OSError) as exc:
        raise GraphUnavailable(f"the Neo4j server did not answer: {exc}") from exc
    except neo4j_errors.Neo4jError as exc:
        raise QueryError(f"the graph failed the query: {exc.message}", query=query) from exc
