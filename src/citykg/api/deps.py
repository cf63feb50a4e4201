"""Request dependencies as ``Annotated`` aliases: handlers declare ``store: Store``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from citykg.graph import GraphStore
from citykg.settings import Settings


def get_store(request: Request) -> GraphStore:
    store: GraphStore = request.app.state.store
    return store


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


Store = Annotated[GraphStore, Depends(get_store)]
AppSettings = Annotated[Settings, Depends(get_settings)]
