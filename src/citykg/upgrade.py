"""Bring a graph up to the platform: the ontology's schema, each area's own, pending migrations.

The graph schema is the ontology's compiled constraints and indexes plus those of the
platform's own bookkeeping labels (place aliases and changes, principals and tokens, change
stamps, submissions): one place that lists them, used by ``citykg migrate`` and the demo.
"""

from __future__ import annotations

from citykg.controls.service import CONTROLS_SCHEMA
from citykg.geo.importer import GEO_SCHEMA
from citykg.graph import Constraint, GraphSchema, GraphStore, Index
from citykg.graph.migrations import MigrationReport, migrate
from citykg.ontology import Ontology, compile_graph_schema, load_ontology
from citykg.settings import Settings

BOOKKEEPING_SCHEMA = GraphSchema(
    constraints=(
        Constraint("Principal", "id"),
        Constraint("ApiToken", "hash"),
        Constraint("SchemaMigration", "id"),
        Constraint("ChangeStamp", "topic"),  # one stamp per topic, even if two writes race
    ),
    indexes=(Index("AuditRecord", "principal"), Index("AuditRecord", "at")),
)


def graph_schema(ontology: Ontology) -> GraphSchema:
    """The ontology's compiled schema plus each area's own (geo, controls, bookkeeping)."""
    schema = compile_graph_schema(ontology)
    for area in (GEO_SCHEMA, CONTROLS_SCHEMA, BOOKKEEPING_SCHEMA):
        schema = schema.merged(area)
    return schema


def upgrade_graph(store: GraphStore, *, settings: Settings) -> MigrationReport:
    """Apply the schema and every pending migration; record the ontology version."""
    ontology = load_ontology(settings.ontology_dir)
    return migrate(
        store,
        directory=settings.migrations_dir,
        schema=graph_schema(ontology),
        ontology_version=ontology.version or "unversioned",
    )
