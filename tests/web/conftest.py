"""A uvicorn server on the small test city, in a thread, and headless Debian Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page

from citykg.access import Principal
from citykg.access.tokens import set_password
from citykg.api.app import create_app
from citykg.controls import load_examples
from citykg.ontology import load_ontology
from citykg.settings import Settings
from citykg.web.local import chromium, served
from tests.backends import Graph
from tests.ledgers.city import City, build_city

RESIDENT_PASSWORD = "wang-secret-1"
WORKER_PASSWORD = "worker1-secret"
SERVICE = Principal(id="service", kind="service", name="表单装载")


@dataclass(frozen=True)
class Site:
    url: str
    city: City


@pytest.fixture(scope="module")
def site(falkordb_graph: Graph) -> Iterator[Site]:
    """The test city, with the example forms, served on a free port until the module's tests
    are done."""
    store = falkordb_graph.store
    store.clear()
    city = build_city(store)
    settings = Settings()
    load_examples(store, ontology=load_ontology(settings.ontology_dir), principal=SERVICE)
    set_password(store, principal_id="resident", password=RESIDENT_PASSWORD)
    set_password(store, principal_id="worker1", password=WORKER_PASSWORD)
    with served(create_app(settings, store=store)) as url:
        yield Site(url, city)
    store.clear()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    """A fresh desktop browser (no cookies) per test."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A fresh 375 px wide phone browser per test."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812},
                                  is_mobile=True, has_touch=True)  # fmt: skip
    yield context.new_page()
    context.close()


@pytest.fixture
def browser_pages(phone: Page, desk: Page) -> tuple[Page, Page]:
    """A resident's phone and an official's desktop, side by side in one test."""
    return phone, desk
