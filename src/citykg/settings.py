"""Typed settings: the only place that reads the environment (prefix ``CITYKG_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from citykg.graph.embedded import AofRewrite, Durability
from citykg.graph.store import NotificationLevel

REPO_ROOT = Path(__file__).resolve().parents[2]


def _default_ontology_dir() -> Path:
    return REPO_ROOT / "ontology"


def _default_graph_url() -> str:
    return f"falkordb://{(Path.cwd() / 'data' / 'graph').as_posix()}"


class Settings(BaseSettings):
    """Where the graph lives, where the ontology is read from, how the API serves.

    ``graph`` selects the backend by URL:
    ``falkordb:///abs/path`` (embedded, the default: a server process citykg starts and stops),
    ``falkordb://host:6379`` (an existing FalkorDB server) or
    ``neo4j://user:pass@host:7687/dbname`` (also ``bolt://``, ``neo4j+s://``).
    """

    model_config = SettingsConfigDict(env_prefix="CITYKG_", extra="ignore")

    graph: str = Field(default_factory=_default_graph_url)
    graph_name: str = "citykg"
    durability: Durability = "everysec"
    """The embedded server's AOF fsync: ``everysec`` (a power failure may lose the last second
    of acknowledged writes) or ``always`` (fsync before every answer; fewer writes/s)."""
    aof_rewrite: AofRewrite = "auto"
    """When the embedded server compacts its AOF: ``auto`` (once it has doubled) or ``scheduled``
    (only by ``citykg compact``, run off-peak: a rewrite stops a 1M-person city for ~0.6 s)."""
    neo4j_notifications: NotificationLevel = "OFF"
    """The lowest severity of Neo4j server notification to log (``WARNING``, ``INFORMATION``)."""
    ontology_dir: Path = Field(default_factory=_default_ontology_dir)
    migrations_dir: Path = REPO_ROOT / "migrations"
    host: str = "127.0.0.1"
    port: int = 8000
    secret: str | None = Field(default=None, repr=False)
    """Seals ledger refs and cursors; share it between API processes (else one per process)."""
    data_key_file: Path | None = None
    """The data keys that seal ID numbers and phones in the graph, one per line, the current
    key first (``citykg graph new-key``); kept outside the data directory. Default: an embedded
    graph's own key file beside its data directory; a graph on a server derives its key from
    ``secret``."""
    analyst_graph: str | None = None
    """The analysts' de-identified copy, a graph URL like ``graph`` (default: an embedded
    FalkorDB in ``analyst/`` of an embedded graph's directory, else ``./data/analyst``)."""


def get_settings() -> Settings:
    """Build settings from the environment; call once at the edge (app factory, CLI)."""
    return Settings()
