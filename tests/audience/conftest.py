"""Audience fixtures: the tasks' city (a district, street offices, committees and workers)."""

from tests.tasks.conftest import city as city
from tests.tasks.conftest import ontology as ontology
