"""Workflow (工作流): the states and transitions of each kind of work item, as data.

Kinds (a task item, a task part, later a channel request or an event) are declared in
``workflows.yaml``; :mod:`~citykg.workflow.machine` builds a python-statemachine chart of each,
bound to the state attribute of a graph node; :mod:`~citykg.workflow.record` writes each move in
one guarded statement together with its ``:Transition`` fact (who, through which post, when,
why), so stage times, who-did-what and bottlenecks are queries over facts.
"""

from citykg.graph import GraphSchema, Index
from citykg.workflow.machine import Step as Step
from citykg.workflow.machine import Workflow as Workflow
from citykg.workflow.machine import workflow as workflow
from citykg.workflow.record import Actor as Actor
from citykg.workflow.record import Deed as Deed
from citykg.workflow.record import Move as Move
from citykg.workflow.record import StageTime as StageTime
from citykg.workflow.record import apply_move as apply_move
from citykg.workflow.record import apply_moves as apply_moves
from citykg.workflow.record import history as history
from citykg.workflow.record import move_statement as move_statement
from citykg.workflow.record import stage_times as stage_times
from citykg.workflow.record import who_did_what as who_did_what

WORKFLOW_SCHEMA = GraphSchema(indexes=(Index("Transition", "within"), Index("Transition", "item")))
"""Indexes the transition queries start from."""

__all__ = [
    "WORKFLOW_SCHEMA",
    "Actor",
    "Deed",
    "Move",
    "StageTime",
    "Step",
    "Workflow",
    "apply_move",
    "apply_moves",
    "history",
    "move_statement",
    "stage_times",
    "who_did_what",
    "workflow",
]
