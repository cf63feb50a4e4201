"""Load what every request uses before the first one, then hide it from the cycle collector.

The ontology, the ledgers' catalog and the compiled validators are some 660,000 objects that
live as long as the process. Python's full garbage collection walks all of them: ~350 ms on
two cores, every few dozen requests (the p95 of a task's progress at 100k persons was that
pause, not the query). :func:`gc.freeze` moves them to a generation no collection visits; they
are still freed by reference counting if ever dropped. :func:`cool_down` undoes it at shutdown,
so a process that builds many apps (the tests) leaks nothing.
"""

from __future__ import annotations

import gc

from citykg.ledgers import catalog_for
from citykg.ontology import compile_validators, load_ontology
from citykg.settings import Settings


def warm_up(settings: Settings) -> None:
    """Build the long-lived artefacts now and freeze every object alive."""
    ontology = load_ontology(settings.ontology_dir)
    catalog_for(ontology)
    compile_validators(ontology)
    gc.collect()
    gc.freeze()


def cool_down() -> None:
    """Give the frozen objects back to the collector."""
    gc.unfreeze()
