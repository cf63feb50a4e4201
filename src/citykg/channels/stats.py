"""Statistics of one channel: requests by state and by place, and how fast they were answered.

Counts are read from the requests (their state and the place code they came from, so a level is
a prefix of the code); times come from the transition facts the workflow recorded: the first
reply (a reply, a finish or a decline) and the move to ``done``, each from when the request was
received.
"""

from __future__ import annotations

from statistics import median

from citykg.access.policy import may_manage_channel
from citykg.access.principals import Principal
from citykg.channels import queries
from citykg.channels.manage import get_channel
from citykg.channels.models import ChannelStats, PlaceCount
from citykg.channels.requests import KIND, REPLY_EVENTS, REQUESTS
from citykg.errors import NotFound
from citykg.geo.codes import CODE_LENGTHS
from citykg.graph import GraphStore
from citykg.tasks.models import LEVELS, LevelName

HOUR_MS = 3_600_000


def channel_stats(
    store: GraphStore, *, principal: Principal, channel_id: str, level: LevelName = "community"
) -> ChannelStats:
    """The statistics of a channel the caller manages (NotFound otherwise)."""
    channel = get_channel(store, channel_id=channel_id)
    if not may_manage_channel(principal, places=channel["places"]).allowed:
        raise NotFound(f"channel: no channel {channel_id!r} you manage (服务通道不存在)")
    width = CODE_LENGTHS[int(LEVELS[level]) - 1]
    counts = dict.fromkeys(REQUESTS.states, 0)
    places: dict[str, dict[str, int]] = {}
    for row in store.read(queries.COUNTS, {"channel": channel_id, "width": width}):
        state, n = str(row["state"]), int(row["n"])
        counts[state] += n
        bucket = places.setdefault(str(row["place"]), dict.fromkeys(REQUESTS.states, 0))
        bucket[state] += n
    times = store.read(queries.TIMES, {"channel": channel_id, "kind": KIND,
                                       "replies": list(REPLY_EVENTS), "done": "done"})  # fmt: skip
    to_reply = [int(r["toReply"]) for r in times]
    to_done = [int(r["toDone"]) for r in times if int(r["toDone"]) >= 0]
    return ChannelStats(
        channel=channel_id, level=level, counts=counts,
        by_place=[PlaceCount(place=p, counts=c) for p, c in sorted(places.items())],
        first_reply_median_hours=_hours(to_reply), done_median_hours=_hours(to_done),
        replied=len(to_reply), done=len(to_done),
    )  # fmt: skip


def _hours(values: list[int]) -> float | None:
    return round(median(values) / HOUR_MS, 2) if values else None
