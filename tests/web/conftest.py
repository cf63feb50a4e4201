"""A uvicorn server on the small test city, in a thread, and headless Debian Chromium."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from citykg.access import Principal
from citykg.access.tokens import set_password
from citykg.api.app import create_app
from citykg.controls import load_examples
from citykg.ontology import load_ontology
from citykg.settings import Settings
from tests.backends import Graph
from tests.ledgers.city import City, build_city

CHROMIUM = "/usr/bin/chromium"
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
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(create_app(settings, store=store), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="on")  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:  # readiness: poll the server's flag; stop early if it died
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        thread.join(timeout=0.02)
    yield Site(f"http://127.0.0.1:{port}", city)
    server.should_exit = True
    thread.join(timeout=30)
    store.clear()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make install` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield browser
        browser.close()


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
