"""Closed-loop events (事件, 一网统管; 12345): one door for reports, dispatch from one place,
handling until the loop is closed, performance measured (一门受理, 一体派单, 闭环处置, 考核问效).

Thin over the platform: :mod:`~citykg.events.locate` finds the place in a hotline sentence
(the geo gazetteer and the premises below it), :mod:`~citykg.events.routing` the responsible
post through jurisdiction, :mod:`~citykg.events.handling` moves cases on the shared workflow
(kind ``event``), :mod:`~citykg.events.kpi` measures; every decision is the policy point's.
Rules (classification, routes, deadlines, duplicates, reopening) are data: ``rules.yaml``.
"""

from citykg.events.handling import Action as Action
from citykg.events.handling import act as act
from citykg.events.intake import report as report
from citykg.events.intake import report_many as report_many
from citykg.events.models import EventView as EventView
from citykg.events.models import IntakeView as IntakeView
from citykg.events.models import Report as Report
from citykg.events.views import detail as detail
from citykg.events.views import due_soon as due_soon
from citykg.events.views import queue as queue

__all__ = [
    "Action",
    "EventView",
    "IntakeView",
    "Report",
    "act",
    "detail",
    "due_soon",
    "queue",
    "report",
    "report_many",
]
