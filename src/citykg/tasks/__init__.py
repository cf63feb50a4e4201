"""The task system (任务体系): create, dispatch, execute, aggregate.

The service layer the API, the CLI and the web console call (typed results from
:mod:`~citykg.tasks.models`), thin over the two shared pieces and the form write path:
:mod:`citykg.workflow` (states and transitions as data, every move a recorded fact) and
:mod:`citykg.audience` (what a scope covers, within the caller's reach).

* :mod:`~citykg.tasks.create`: a task from a form, or from a ledger query (one item per entity).
* :mod:`~citykg.tasks.dispatch`: the whole tree in one idempotent call; parts to posts.
* :mod:`~citykg.tasks.listing`: the tasks a principal follows (created by it, or reaching it).
* :mod:`~citykg.tasks.items`: execute through ``controls.submit(task=item)``, review, return
  (in batches covering a whole filter), transfer, reassign, report up.
* :mod:`~citykg.tasks.progress`: live numbers at every node from counters kept in the same
  statement as the states; stage times and bottlenecks from the transition facts; export.
"""

from citykg.tasks.create import TASKS_SCHEMA as TASKS_SCHEMA
from citykg.tasks.create import create_task as create_task
from citykg.tasks.create import ensure_tasks_schema as ensure_tasks_schema
from citykg.tasks.create import get_task as get_task
from citykg.tasks.create import task_view as task_view
from citykg.tasks.dispatch import dispatch as dispatch
from citykg.tasks.dispatch import preview_dispatch as preview_dispatch
from citykg.tasks.dispatch import split_part as split_part
from citykg.tasks.items import ExecuteResult as ExecuteResult
from citykg.tasks.items import act as act
from citykg.tasks.items import act_many as act_many
from citykg.tasks.items import act_on_part as act_on_part
from citykg.tasks.items import count_mine as count_mine
from citykg.tasks.items import execute as execute
from citykg.tasks.items import item_to_fill as item_to_fill
from citykg.tasks.items import item_view as item_view
from citykg.tasks.items import labels_of as labels_of
from citykg.tasks.items import list_items as list_items
from citykg.tasks.items import mine as mine
from citykg.tasks.items import reassign as reassign
from citykg.tasks.items import returned_to_me as returned_to_me
from citykg.tasks.items import transfer as transfer
from citykg.tasks.listing import followed as followed
from citykg.tasks.models import ItemSelection as ItemSelection
from citykg.tasks.models import SplitRule as SplitRule
from citykg.tasks.models import TaskSpec as TaskSpec
from citykg.tasks.models import Text as Text
from citykg.tasks.progress import answers_by_level as answers_by_level
from citykg.tasks.progress import bottlenecks as bottlenecks
from citykg.tasks.progress import direct_counts as direct_counts
from citykg.tasks.progress import export_progress as export_progress
from citykg.tasks.progress import progress as progress

__all__ = [
    "TASKS_SCHEMA",
    "ExecuteResult",
    "ItemSelection",
    "SplitRule",
    "TaskSpec",
    "Text",
    "act",
    "act_many",
    "act_on_part",
    "answers_by_level",
    "bottlenecks",
    "count_mine",
    "create_task",
    "direct_counts",
    "dispatch",
    "ensure_tasks_schema",
    "execute",
    "export_progress",
    "followed",
    "get_task",
    "item_to_fill",
    "item_view",
    "labels_of",
    "list_items",
    "mine",
    "preview_dispatch",
    "progress",
    "reassign",
    "returned_to_me",
    "split_part",
    "task_view",
    "transfer",
]
