"""What a resident may use: the channels offered where they live now, read from the graph.

"Where they live" is the person's current ``RESIDES_IN``, never a field they type, so a move
changes the list at once. A channel offered at a district shows in every community under it.
Conditions on the resident (ledger filters such as ``age:gte:60``) are evaluated by the ledgers'
own selection over the resident's home, so they mean exactly what they mean in a ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, LiteralString

from citykg.access.policy import Reach, may_request
from citykg.access.principals import Principal
from citykg.channels import queries
from citykg.channels.manage import channel_view, invalid
from citykg.channels.models import OfferedChannel
from citykg.errors import NotFound
from citykg.geo.scope import PlaceScope
from citykg.graph import GraphStore
from citykg.ledgers import Catalog
from citykg.ledgers.selection import select

CONDITIONS_SYSTEM = Principal(id="system:channels", kind="service", name="服务通道")
"""Who evaluates a channel's conditions for a resident: the platform, over their home only."""
matches_person: LiteralString = "WITH x WHERE x[$key] = $person RETURN count(x) AS n"


@dataclass(frozen=True, slots=True)
class Admission:
    """Where a request to a channel comes from, and the limit it is written under."""

    home: str
    allowed: int
    since_ms: int


def offered(
    store: GraphStore, *, catalog: Catalog, principal: Principal, now: datetime | None = None
) -> list[OfferedChannel]:
    """The open channels offered where ``principal``'s person lives now, their conditions met,
    with what is left of each one's per-resident limit."""
    now = now or datetime.now(UTC)
    if principal.person is None:
        return []
    rows = store.read(queries.OFFERED, {"person": principal.person, "now": _iso(now)})
    kept = [r for r in rows if _meets(store, catalog, principal.person, r["home"],
                                      r["channel"].get("conditions") or [])]  # fmt: skip
    used = _used(store, principal.person, [r["channel"]["id"] for r in kept])
    return [
        OfferedChannel(channel=channel_view(dict(r["channel"])), offered_at=str(r["offeredAt"]),
                       remaining=_remaining(r["channel"], used.get(r["channel"]["id"], []), now))
        for r in kept
    ]  # fmt: skip


def admit(
    store: GraphStore,
    *,
    catalog: Catalog,
    principal: Principal,
    channel: dict[str, Any],
    now: datetime,
) -> Admission:
    """Whether ``principal`` may request ``channel`` now: NotFound unless it is offered where
    they live and they meet its conditions; ValidationFailed naming ``channel`` when it is not
    open, and ``limit`` when they have used it up."""
    may_request(principal).ensure()
    person = str(principal.person)
    found = store.read(queries.OFFERED_HOME, {"person": person, "channel": channel["id"]})
    if not found or not _meets(store, catalog, person, str(found[0]["home"]),
                               channel.get("conditions") or []):  # fmt: skip
        raise NotFound(f"channel: no channel {channel['id']!r} offered where you live "
                       "(您所在地没有该服务)")  # fmt: skip
    stamp = _iso(now)
    if (
        channel["state"] != "open"
        or (channel.get("opensAt") or "") > stamp
        or (channel.get("expiresAt") and channel["expiresAt"] <= stamp)
    ):
        raise invalid("channel", f"the channel is {channel['state']} or not open at this time",
                      "该服务通道已关闭、暂停或不在开放时间内", channel["id"])  # fmt: skip
    remaining = _remaining(channel, _used(store, person, [channel["id"]]).get(channel["id"], []),
                           now)  # fmt: skip
    if remaining == 0:
        raise invalid("limit", f"you have used this channel as often as it allows "
                      f"({channel['limit']})", "您已达到该服务的申请次数上限",
                      channel["limit"])  # fmt: skip
    allowed, since = _window(channel, now)
    return Admission(str(found[0]["home"]), allowed, since)


def _meets(
    store: GraphStore, catalog: Catalog, person: str, home: str, conditions: Sequence[str]
) -> bool:
    if not conditions:
        return True
    filters = [catalog.parse_filter(text, path="conditions") for text in conditions]
    selection = select(store, catalog=catalog, principal=CONDITIONS_SYSTEM,
                       reach=Reach(PlaceScope.within(home)), type="Person",
                       filters=filters)  # fmt: skip
    rows = store.read(selection.text + matches_person, {**selection.params, "person": person})
    return bool(rows and rows[0]["n"])


def _used(store: GraphStore, person: str, channels: list[str]) -> dict[str, list[int]]:
    used: dict[str, list[int]] = {}
    for row in store.read(queries.USED, {"person": person, "channels": channels}):
        used.setdefault(str(row["channel"]), []).append(int(row["at"]))
    return used


def _window(channel: dict[str, Any], now: datetime) -> tuple[int, int]:
    """(requests allowed, since when in epoch ms) under the channel's limit."""
    if channel["limit"] == "once":
        return 1, 0
    if channel["limit"] == "per_period":
        since = now - timedelta(days=int(channel["periodDays"]))
        return 1, int(since.timestamp() * 1000)
    return 2**31, 0


def _remaining(channel: dict[str, Any], used: list[int], now: datetime) -> int | None:
    if channel["limit"] == "unlimited":
        return None
    allowed, since = _window(channel, now)
    return max(0, allowed - sum(1 for at in used if at >= since))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
