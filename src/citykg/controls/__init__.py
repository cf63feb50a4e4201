"""Digital form controls (数字化控件): forms bound to the ontology, compiled into graph writes.

A form is data (:mod:`~citykg.controls.models`, YAML/JSON or an XLSForm workbook) checked
against the ontology when saved (:mod:`~citykg.controls.binding`). A submission compiles, with
no store, into validated entities and an atomic, idempotent write with provenance and history
(:mod:`~citykg.controls.compile`); :mod:`~citykg.controls.service` stores forms, runs
submissions (many per statement, :mod:`~citykg.controls.writer`) and answers lineage
questions; :mod:`~citykg.controls.prefill` fills a form from what the graph already knows.
"""

from citykg.controls.binding import BoundForm as BoundForm
from citykg.controls.binding import bind_form as bind_form
from citykg.controls.compile import CompiledForm as CompiledForm
from citykg.controls.compile import EntityRef as EntityRef
from citykg.controls.compile import ResolvedPlace as ResolvedPlace
from citykg.controls.compile import SubmissionContext as SubmissionContext
from citykg.controls.compile import SubmissionPlan as SubmissionPlan
from citykg.controls.compile import WritePlan as WritePlan
from citykg.controls.compile import compile_form as compile_form
from citykg.controls.expressions import Expression as Expression
from citykg.controls.expressions import parse_expression as parse_expression
from citykg.controls.lineage import TermUse as TermUse
from citykg.controls.lineage import form_lineage as form_lineage
from citykg.controls.models import FormDefinition as FormDefinition
from citykg.controls.models import form_json_schema as form_json_schema
from citykg.controls.models import load_form as load_form
from citykg.controls.models import parse_form as parse_form
from citykg.controls.prefill import Prefill as Prefill
from citykg.controls.prefill import prefill as prefill
from citykg.controls.service import EXAMPLES_DIR as EXAMPLES_DIR
from citykg.controls.service import FormSummary as FormSummary
from citykg.controls.service import FormUse as FormUse
from citykg.controls.service import SavedForm as SavedForm
from citykg.controls.service import SubmissionRequest as SubmissionRequest
from citykg.controls.service import SubmissionResult as SubmissionResult
from citykg.controls.service import ensure_controls_schema as ensure_controls_schema
from citykg.controls.service import forms_writing as forms_writing
from citykg.controls.service import get_compiled as get_compiled
from citykg.controls.service import get_form as get_form
from citykg.controls.service import list_forms as list_forms
from citykg.controls.service import load_examples as load_examples
from citykg.controls.service import save_form as save_form
from citykg.controls.service import submit as submit
from citykg.controls.service import submit_many as submit_many
from citykg.controls.xlsform import read_xlsform as read_xlsform

__all__ = [
    "EXAMPLES_DIR",
    "BoundForm",
    "CompiledForm",
    "EntityRef",
    "Expression",
    "FormDefinition",
    "FormSummary",
    "FormUse",
    "Prefill",
    "ResolvedPlace",
    "SavedForm",
    "SubmissionContext",
    "SubmissionPlan",
    "SubmissionRequest",
    "SubmissionResult",
    "TermUse",
    "WritePlan",
    "bind_form",
    "compile_form",
    "ensure_controls_schema",
    "form_json_schema",
    "form_lineage",
    "forms_writing",
    "get_compiled",
    "get_form",
    "list_forms",
    "load_examples",
    "load_form",
    "parse_expression",
    "parse_form",
    "prefill",
    "read_xlsform",
    "save_form",
    "submit",
    "submit_many",
]
