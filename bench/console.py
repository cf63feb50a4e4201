"""Issue 16 benchmark: server-side rendering time of every console and resident page, and the
JS and CSS bytes each page loads.

    .venv/bin/python bench/console.py [--graph falkordb:///tmp/city100k-console]
                     [--persons 100000] [--runs 30] [--prepared]
                     [--users worker,district,resident,holder,head,handler,notifier,centre,builder]

Opens the graph (generating the demo city of ``--persons`` into it when it is empty, as
``citykg demo generate`` does), prepares it as ``citykg demo`` does (demo principals, example
forms, tasks, channels), then, in process through the ASGI app (no network, no browser), signs in
by password as the demo community worker, the district official and the resident, and times each
page ``--runs`` times after two warm-up requests: p50 and p95 (nearest rank) in milliseconds.
``holder`` is a community worker holding the post the demo survey's items went to
(``demo-sq05-0``; the demo ``worker`` holds another post, with no items): its home, its tasks
and an item's form. The demo's other officials open the pages of their work: ``head`` manages
channels, ``handler`` answers requests, ``notifier`` sends notices, ``centre`` is the command
centre dispatching cases, ``builder`` builds forms. An official's pages are every console page
it may open (the index pages of its menu, the first entry each lists, the forms that create),
found by following its pages' links; a page it may not open (403) is left out.
Bytes are the sizes of the scripts and stylesheets the page's HTML names. Goals: p95 < 100 ms,
at most about 300 KB of JS and CSS per page.
"""

from __future__ import annotations

import argparse
import math
import re
import secrets
import statistics
import time

from fastapi.testclient import TestClient

from citykg.access.tokens import set_password
from citykg.api.app import create_app
from citykg.cli.options import build_settings
from citykg.demo import generate_city, is_empty, prepare_demo
from citykg.graph import open_store
from citykg.ontology import load_ontology
from citykg.web.mount import STATIC

ASSET = re.compile(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="/static/([^"]+\.(?:js|css))"')
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
FIRST_ROW = re.compile(r'<tbody id="rows">\s*<tr><td><a href="(/entities/Person/[^"]+)"')
USERS = {
    "worker": "worker",
    "district": "district",
    "resident": "resident",
    "holder": "demo-sq05-0",
    "head": "demo-channel-head",
    "handler": "demo-channel-handler",
    "notifier": "demo-notice-worker",
    "centre": "",
    "builder": "builder",
}
"""The names the figures use, and the principal each signs in as (the command centre's post
holder is found in the graph: :data:`CENTRE`)."""
CENTRE = (
    "MATCH (p:Principal) WHERE p.id STARTS WITH 'demo-events-' AND p.id ENDS WITH '-bm01' "
    "RETURN p.id AS id ORDER BY id LIMIT 1"
)
INDEXES = [
    "/console/tasks",
    "/console/channels",
    "/console/channels/queue",
    "/console/notifications",
    "/console/events",
]
"""Pages that list what an official works on; the first entry of each is timed too."""
CREATING = [
    "/console/tasks/new",
    "/console/channels/new",
    "/console/notifications/new",
    "/console/events/kpis",
    "/console/builder",
]
DETAIL = re.compile(
    r'href="(/console/(?:tasks|channels|channels/requests|notifications|events)/'
    r'(?!new"|queue"|kpis")[^"/?]+|/console/tasks/items/[^"/?]+/fill)"'
)
GOAL_MS = 100.0
GOAL_BYTES = 300_000


def signed_in(client: TestClient, user: str, password: str) -> str:
    """Sign ``client`` in as ``user``; the page it lands on."""
    client.cookies.clear()
    token = CSRF.search(client.get("/").text)
    assert token, "no CSRF token on the sign-in page"
    answer = client.post(
        "/signin", data={"csrf": token.group(1), "username": user, "password": password}
    )
    assert answer.status_code == 200, f"{user} could not sign in ({answer.status_code})"
    return str(answer.url.path)


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def asset_bytes(html: str) -> int:
    return sum((STATIC / name).stat().st_size for name in set(ASSET.findall(html)))


def timed(client: TestClient, path: str, runs: int) -> tuple[float, float, int, int]:
    """p50 and p95 in ms, the status, and the JS+CSS bytes of ``path``."""
    for _ in range(2):
        client.get(path)
    times = []
    answer = client.get(path)
    for _ in range(runs):
        start = time.perf_counter()
        answer = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
    return (
        statistics.median(times),
        nearest_rank(times, 0.95),
        answer.status_code,
        asset_bytes(answer.text),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", default="falkordb:///tmp/city100k-console")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--users", default=",".join(USERS), help="who to sign in as, in order")
    parser.add_argument("--prepared", action="store_true",
                        help="the graph is a demo city already prepared: skip citykg demo's "
                        "preparation (its principals must be there)")  # fmt: skip
    args = parser.parse_args()
    settings = build_settings(args.graph)
    store = open_store(settings.graph, graph_name=settings.graph_name)
    try:
        store.await_indexes(600)  # a graph opened from disk rebuilds them in the background
        if is_empty(store):
            print(f"generating the demo city of {args.persons:,} persons into {args.graph} …")
            generate_city(
                store, ontology=load_ontology(settings.ontology_dir), persons=args.persons
            )
        if not args.prepared:
            prepare_demo(store, settings=settings)
        users = [user for user in args.users.split(",") if user]
        centre = store.read(CENTRE)
        ids = {**USERS, "centre": str(centre[0]["id"]) if centre else "worker"}
        passwords = {user: secrets.token_urlsafe(12) for user in users}
        for user, password in passwords.items():
            set_password(store, principal_id=ids.get(user, user), password=password)
        persons = int(store.read("MATCH (p:Person) RETURN count(p) AS n")[0]["n"])
        print(f"graph {args.graph}: {persons:,} persons; {args.runs} runs per page")
        print(f"{'who':<9} {'page':<58} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'JS+CSS':>8}")
        worst = (0.0, "")
        most = 0
        with TestClient(create_app(settings, store=store)) as client:
            for user in users:
                home = signed_in(client, ids.get(user, user), passwords[user])
                for path in pages(client, home):
                    p50, p95, status, size = timed(client, path, args.runs)
                    worst = max(worst, (p95, f"{user} {path}"))
                    most = max(most, size)
                    print(
                        f"{user:<9} {path[:58]:<58} {status:>6} {p50:>8.1f} {p95:>8.1f} "
                        f"{size / 1000:>6.1f}KB"
                    )
        print(
            f"slowest p95: {worst[0]:.1f} ms ({worst[1]}); goal < {GOAL_MS:.0f} ms: "
            f"{'met' if worst[0] < GOAL_MS else 'NOT met'}"
        )
        print(
            f"most JS+CSS on a page: {most / 1000:.1f} KB; goal ≤ {GOAL_BYTES / 1000:.0f} KB: "
            f"{'met' if most <= GOAL_BYTES else 'NOT met'}"
        )
    finally:
        store.close()


def pages(client: TestClient, home: str) -> list[str]:
    """Every page of the signed-in principal's side, with a real entity and place in it."""
    if home == "/my":
        services = re.search(r'href="(/my/channels/[^"/?]+)"', client.get("/my").text)
        return [
            "/my",
            *([services.group(1)] if services else []),
            "/my/requests",
            "/my/messages",
            "/my/report",
            "/my/me",
            "/fill/household-registration?subject=me",
            "/fill/epidemic-screening?subject=me",
        ]
    place = str(client.get("/console/places").url.path)
    ledger = client.get("/console/ledgers/Person").text
    found = FIRST_ROW.search(ledger)
    entity = found.group(1) if found else ""
    ref = entity.rsplit("/", 1)[-1]
    listed = [
        "/console",
        "/console/glance",
        place,
        "/console/ledgers/Person",
        "/console/ledgers/Person?q=王",
        "/console/ledgers/Organization",
        "/console/ledgers/Thing",
        "/console/ledgers/Place",
        "/console/forms",
        "/console/reviews",
    ]
    if entity:
        listed += [entity, f"/fill/household-registration?subject={ref}"]
    for index in INDEXES:
        answer = client.get(index)
        if answer.status_code != 200:
            continue
        listed.append(index)
        kinds = {
            re.sub(r"/[^/]+(/fill)?$", r"\1", path): path
            for path in reversed(DETAIL.findall(answer.text))
        }  # the first of each kind
        listed += [path for path in kinds.values() if path not in listed]
    return [path for path in listed + CREATING if client.get(path).status_code == 200]


if __name__ == "__main__":
    main()
