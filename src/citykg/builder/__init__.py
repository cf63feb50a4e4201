"""The visual form builder (数字化控件): a view over a form definition that picks terms from the
ontology, arranges fields, checks them as they are edited and publishes a new version.

:mod:`~citykg.builder.terms` finds terms as the builder types; :mod:`~citykg.builder.draft`
turns a term into a field and applies the builder's edits to the definition (which stays the
source of truth), and says at which field each problem lies.
"""

from citykg.builder.draft import Checked as Checked
from citykg.builder.draft import Draft as Draft
from citykg.builder.draft import Problem as Problem
from citykg.builder.draft import check as check
from citykg.builder.terms import TermHit as TermHit
from citykg.builder.terms import class_terms as class_terms
from citykg.builder.terms import search_terms as search_terms

__all__ = ["Checked", "Draft", "Problem", "TermHit", "check", "class_terms", "search_terms"]
