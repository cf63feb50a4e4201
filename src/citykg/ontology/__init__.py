"""The City Knowledge System: load, check, count, diff and compile the ontology.

Load once with :func:`load_ontology` (cached per folder); everything else takes the loaded
:class:`Ontology`. Compilers live in :mod:`citykg.ontology.generators`.
"""

from citykg.ontology.diff import Change as Change
from citykg.ontology.diff import OntologyDiff as OntologyDiff
from citykg.ontology.diff import diff_ontologies as diff_ontologies
from citykg.ontology.diff import load_source as load_source
from citykg.ontology.docs import build_docs as build_docs
from citykg.ontology.docs import write_docs as write_docs
from citykg.ontology.generators.graphschema import compile_graph_schema as compile_graph_schema
from citykg.ontology.generators.jsonschema import json_schemas as json_schemas
from citykg.ontology.generators.validators import Validators as Validators
from citykg.ontology.generators.validators import compile_validators as compile_validators
from citykg.ontology.instances import code_lists_graph as code_lists_graph
from citykg.ontology.instances import minimal_instance as minimal_instance
from citykg.ontology.instances import to_rdf as to_rdf
from citykg.ontology.load import load_ontology as load_ontology
from citykg.ontology.model import Attribute as Attribute
from citykg.ontology.model import CodeList as CodeList
from citykg.ontology.model import Concept as Concept
from citykg.ontology.model import EntityInstance as EntityInstance
from citykg.ontology.model import Location as Location
from citykg.ontology.model import Ontology as Ontology
from citykg.ontology.model import OntologyClass as OntologyClass
from citykg.ontology.model import PropertyRule as PropertyRule
from citykg.ontology.model import RelationInstance as RelationInstance
from citykg.ontology.model import RelationType as RelationType
from citykg.ontology.model import SparqlRule as SparqlRule
from citykg.ontology.model import SubjectRule as SubjectRule
from citykg.ontology.model import Text as Text
from citykg.ontology.rules import Problem as Problem
from citykg.ontology.rules import RuleOptions as RuleOptions
from citykg.ontology.stats import OntologyStats as OntologyStats
from citykg.ontology.stats import ontology_stats as ontology_stats
from citykg.ontology.validate import validate_ontology as validate_ontology

__all__ = [
    "Attribute",
    "Change",
    "CodeList",
    "Concept",
    "EntityInstance",
    "Location",
    "Ontology",
    "OntologyClass",
    "OntologyDiff",
    "OntologyStats",
    "Problem",
    "PropertyRule",
    "RelationInstance",
    "RelationType",
    "RuleOptions",
    "SparqlRule",
    "SubjectRule",
    "Text",
    "Validators",
    "build_docs",
    "code_lists_graph",
    "compile_graph_schema",
    "compile_validators",
    "diff_ontologies",
    "json_schemas",
    "load_ontology",
    "load_source",
    "minimal_instance",
    "ontology_stats",
    "to_rdf",
    "validate_ontology",
    "write_docs",
]
