"""The FastAPI application factory: one router per area, the graph opened for the app's life."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager

from fastapi import Depends, FastAPI

from citykg import __version__
from citykg.analysis import Analysis, opened_analysis
from citykg.api import errors, logs, openapi
from citykg.api.edge import EdgeGuard
from citykg.api.guard import check_declared, guard
from citykg.api.routes import (
    access,
    builder,
    channels,
    cypher,
    events,
    forms,
    health,
    ledgers,
    me,
    notifications,
    open311,
    places,
    reviews,
    tasks,
)
from citykg.api.warmup import cool_down, warm_up
from citykg.graph import GraphStore, open_store
from citykg.ledgers.refs import use_secret
from citykg.settings import Settings, get_settings
from citykg.web import mount as mount_web

ROUTERS = (
    health.router,
    me.router,
    places.router,
    forms.router,
    builder.router,
    reviews.router,
    ledgers.router,
    cypher.router,
    access.router,
    tasks.router,
    channels.router,
    notifications.router,
    events.router,
    open311.router,
)


STARTUP_INDEX_TIMEOUT_S = 900.0
"""How long the app waits, before it answers anyone, for the indexes of a graph just opened
(the 100,000-person city: 3 s after a start; meanwhile every look-up scans its label)."""


def create_app(
    settings: Settings,
    *,
    store: GraphStore | None = None,
    analysis: Analysis | None = None,
    sync_copy: bool = True,
) -> FastAPI:
    """Build the API. With ``store`` given the caller owns it, and the analysts' copy if it
    gives ``analysis``; else the app opens and closes both. The copy is kept in sync meanwhile,
    unless ``sync_copy`` is false (a worker of several: the process that started them syncs)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = store is None
        app.state.store = store or open_store(
            settings.graph,
            graph_name=settings.graph_name,
            neo4j_notifications=settings.neo4j_notifications,
            durability=settings.durability,
            aof_rewrite=settings.aof_rewrite,
        )
        if owned:  # a graph opened from disk rebuilds its indexes: until then reads scan labels
            app.state.store.await_indexes(STARTUP_INDEX_TIMEOUT_S)
        warm_up(settings)
        try:
            with ExitStack() as copy:
                app.state.analysis = analysis
                if owned and analysis is None:
                    app.state.analysis = copy.enter_context(
                        opened_analysis(settings, app.state.store)
                    )
                if app.state.analysis is not None and sync_copy:
                    copy.enter_context(app.state.analysis.syncing())
                yield
        finally:
            cool_down()
            if owned:
                app.state.store.close()

    app = FastAPI(
        title="citykg",
        version=__version__,
        summary="The city knowledge graph: ledgers, tasks, channels and events on one ontology.",
        lifespan=lifespan,
        dependencies=[Depends(guard)],
    )
    app.state.settings = settings
    use_secret(settings.secret)
    errors.install(app)
    openapi.install(app)
    app.add_middleware(EdgeGuard)
    logs.install()
    for router in ROUTERS:
        app.include_router(router)
    check_declared(app)
    mount_web(app, settings)
    return app


def worker_app() -> FastAPI:
    """The app of one API process among several (``citykg serve --workers N``): settings from
    the environment the parent set; the parent keeps the engine and syncs the analysts' copy."""
    return create_app(get_settings(), sync_copy=False)
