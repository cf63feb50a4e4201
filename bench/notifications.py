"""Channels and notifications benchmark on a generated city.

    .venv/bin/citykg demo generate --persons 100000 --graph falkordb:///tmp/city100k
    .venv/bin/python bench/notifications.py --graph falkordb:///tmp/city100k [--runs 200]

``--street CODE --head IDNUMBER`` skip finding the street and its head (a scan of every
resident: minutes on a 1M city); on the 1M demo city they are ``110105032`` and
``11010519960515615X``.

Acts as officials resolved from their posts, as the API does: the head (JD01) of the street
office with the most residents sends a notice to the whole street (audience resolved through
the audience piece and one delivery per resident written; each run a new notification), then
times the read-rate roll-up by building, mark read (residents of that street, each once), and
a resident's list of channels (three channels open at district, street and community level,
one with a condition ``age:gte:60``). Prints p50/p95 (nearest rank) and the send rate.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from citykg.access import Principal, principal, save_principal
from citykg.channels import ChannelSpec, Text, create_channel, ensure_channels_schema, offered
from citykg.channels.demo import save_service_form
from citykg.graph import open_store
from citykg.ledgers import catalog_for
from citykg.notifications import NotificationSpec, ensure_notifications_schema, mark, rollup, send
from citykg.notifications.models import Text as NoticeText
from citykg.ontology import load_ontology
from citykg.settings import Settings

STREET_HEAD = (
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(o:SubdistrictOffice)-[:HAS_JURISDICTION_OVER]->"
    "(s:Subdistrict) WHERE h.until IS NULL AND h.role = 'JD01' "
    "MATCH (x:Person)-[r:RESIDES_IN]->(d:Door) WHERE r.until IS NULL "
    "AND d.placeCode STARTS WITH s.placeCode "
    "WITH s, min(p.idNumber) AS head, count(x) AS n ORDER BY n DESC LIMIT 1 "
    "RETURN s.placeCode AS street, head, n"
)
BUREAU = (
    "MATCH (p:Person)-[h:HOLDS_POST_IN]->(:GovernmentDepartment)-[:HAS_JURISDICTION_OVER]->"
    "(:District) WHERE h.until IS NULL AND h.role = 'BM01' RETURN min(p.idNumber) AS person"
)
COMMUNITY: str = (
    "MATCH (c:Community) WHERE c.placeCode STARTS WITH $street "
    "RETURN c.placeCode AS code ORDER BY code LIMIT 1"
)
RECIPIENTS = "MATCH (d:Delivery {notification: $id}) RETURN d.person AS person LIMIT $n"


def resident(person: str) -> Principal:
    """A resident principal acting as ``person`` (as a token of theirs would resolve)."""
    return Principal(id=f"bench-{person}", kind="resident", name="居民", person=person)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def timed(runs: int, call: Callable[[int], Any]) -> list[float]:
    samples = []
    for n in range(runs):
        started = time.perf_counter()
        call(n)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def line(name: str, samples: list[float], target: float) -> str:
    p95 = percentile(samples, 0.95)
    verdict = "met" if p95 < target else "NOT met"
    return (f"{name}: p50 {percentile(samples, 0.5):.1f} ms, p95 {p95:.1f} ms "
            f"(target p95 < {target:.0f} ms: {verdict}; {len(samples)} runs)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--graph", required=True)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--sends", type=int, default=3)
    parser.add_argument("--street", help="the street's code (with --head: no search for it)")
    parser.add_argument("--head", help="the ID number of the person who sends to it")
    args = parser.parse_args()
    if bool(args.street) != bool(args.head):
        parser.error("--street and --head go together")
    settings = Settings(graph=args.graph)
    ontology = load_ontology(settings.ontology_dir)
    catalog = catalog_for(ontology)
    store = open_store(args.graph)
    try:
        ensure_notifications_schema(store)
        ensure_channels_schema(store)
        save_service_form(store, ontology=ontology)
        street = (
            {"street": args.street, "head": args.head, "n": None}
            if args.street
            else store.read(STREET_HEAD)[0]
        )
        save_principal(store, id="bench-street-head", kind="official", name="街道办主任",
                       person=street["head"])  # fmt: skip
        save_principal(store, id="bench-bureau", kind="official", name="区局",
                       person=store.read(BUREAU)[0]["person"])  # fmt: skip
        head, bureau = principal(store, "bench-street-head"), principal(store, "bench-bureau")
        if street["n"] is not None:
            print(f"street {street['street']}: {street['n']:,} residents")
        rates, last, load = [], "", os.getloadavg()[0]
        for n in range(args.sends):
            spec = NotificationSpec(
                title=NoticeText(zh=f"全街道通知 {n}"),
                body=NoticeText(zh="基准测试"),
                scope=(street["street"],),
            )
            done = send(store, catalog=catalog, principal=head, spec=spec)  # fmt: skip
            rates.append(done.delivered / done.seconds)
            last = done.notification
            print(
                f"send {n + 1}: {done.delivered:,} recipients resolved + written in "
                f"{done.seconds:.2f} s = {done.delivered / done.seconds:,.0f} recipients/s"
            )
        print(
            f"send to a whole street: best {max(rates):,.0f}, median "
            f"{sorted(rates)[len(rates) // 2]:,.0f} recipients/s (target >= 50,000; "
            f"load {load:.1f} -> {os.getloadavg()[0]:.1f})"
        )
        ups = timed(args.runs, lambda _n: rollup(store, principal=head, notification_id=last,
                                                  level="building"))  # fmt: skip
        buildings = len(
            rollup(store, principal=head, notification_id=last, level="building").places
        )
        print(line(f"read-rate roll-up by building ({buildings:,} buildings)", ups, 50))
        people = [r["person"] for r in store.read(RECIPIENTS, {"id": last, "n": args.runs})]
        reads = timed(len(people), lambda n: mark(store, principal=resident(people[n]),
                                                  notification_id=last))  # fmt: skip
        print(line("mark read", reads, 10))
        community = store.read(COMMUNITY, {"street": street["street"]})[0]["code"]
        now = datetime.now(UTC)
        for who, place, conditions in (
            (bureau, street["street"][:6], ("age:gte:60",)),
            (head, street["street"], ()),
            (head, community, ()),
        ):
            create_channel(store, catalog=catalog, principal=who, at=now, spec=ChannelSpec(
                title=Text(zh="基准服务"), form="resident-service", places=(place,),
                roles=("SQ05",), conditions=conditions))  # fmt: skip
        lists = timed(len(people), lambda n: offered(store, catalog=catalog,
                                                     principal=resident(people[n])))  # fmt: skip
        print(line("a resident's list of channels", lists, 20))
    finally:
        store.close()


if __name__ == "__main__":
    main()
