"""Resident service channels (服务通道): configurable services offered where residents live.

The service layer the API, the CLI and the web console call (typed results from
:mod:`~citykg.channels.models`), thin over the shared pieces: the policy point
(:mod:`citykg.access.policy`), the workflow (:mod:`citykg.workflow`: a channel's states and a
request's, every move a transition fact), the form write path (:func:`citykg.controls.submit`
with ``channel=``) and the ledgers' filters (conditions on the resident).

* :mod:`~citykg.channels.manage`: open, edit, pause, resume, close inside the jurisdiction.
* :mod:`~citykg.channels.offered`: what a resident may use, read from their residence.
* :mod:`~citykg.channels.requests`: a request as a tracked ``ResidentRequest`` case, the
  handlers' queue, replies.
* :mod:`~citykg.channels.stats`: requests by state and place, median times to reply and done.
"""

from citykg.channels.manage import CHANNELS_SCHEMA as CHANNELS_SCHEMA
from citykg.channels.manage import change_channel as change_channel
from citykg.channels.manage import create_channel as create_channel
from citykg.channels.manage import ensure_channels_schema as ensure_channels_schema
from citykg.channels.manage import list_channels as list_channels
from citykg.channels.manage import read_channel as read_channel
from citykg.channels.models import ChannelEdit as ChannelEdit
from citykg.channels.models import ChannelSpec as ChannelSpec
from citykg.channels.models import ChannelStats as ChannelStats
from citykg.channels.models import ChannelView as ChannelView
from citykg.channels.models import OfferedChannel as OfferedChannel
from citykg.channels.models import RequestIn as RequestIn
from citykg.channels.models import RequestView as RequestView
from citykg.channels.models import Text as Text
from citykg.channels.offered import offered as offered
from citykg.channels.requests import act_on_request as act_on_request
from citykg.channels.requests import my_requests as my_requests
from citykg.channels.requests import queue as queue
from citykg.channels.requests import request_service as request_service
from citykg.channels.requests import request_view as request_view
from citykg.channels.stats import channel_stats as channel_stats

__all__ = [
    "CHANNELS_SCHEMA",
    "ChannelEdit",
    "ChannelSpec",
    "ChannelStats",
    "ChannelView",
    "OfferedChannel",
    "RequestIn",
    "RequestView",
    "Text",
    "act_on_request",
    "change_channel",
    "channel_stats",
    "create_channel",
    "ensure_channels_schema",
    "list_channels",
    "my_requests",
    "offered",
    "queue",
    "read_channel",
    "request_service",
    "request_view",
]
