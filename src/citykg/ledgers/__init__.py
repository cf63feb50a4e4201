"""Entity ledgers (实体台账): people, places, things, organizations (and events) as live views.

One generic ledger, parametrised by the ontology (:mod:`~citykg.ledgers.catalog`): any entity
class can be listed (keyset pages, filters by attribute and place subtree, search on names and
addresses, creating organization), opened with its relations (:mod:`~citykg.ledgers.detail`),
counted up the place tree (:mod:`~citykg.ledgers.stats`), exported as CSV or XLSX
(:mod:`~citykg.ledgers.export`), edited through the forms' write path and ended, never deleted
(:mod:`~citykg.ledgers.edit`). Ledgers are queries, not copies: a submission or a move shows at
once. Every read runs under the principal's reach (:mod:`~citykg.access.policy`), compiled into
the Cypher; sensitive values are masked, and revealed only on request, audited. Analysts'
Cypher runs on a de-identified copy of the graph instead (:mod:`citykg.analysis`).
"""

from citykg.access.policy import Reach as Reach
from citykg.ledgers.catalog import Catalog as Catalog
from citykg.ledgers.catalog import EntityType as EntityType
from citykg.ledgers.catalog import catalog_for as catalog_for
from citykg.ledgers.detail import entity_detail as entity_detail
from citykg.ledgers.detail import entity_places as entity_places
from citykg.ledgers.edit import EndResult as EndResult
from citykg.ledgers.edit import edit_entity as edit_entity
from citykg.ledgers.edit import end_entity as end_entity
from citykg.ledgers.export import Export as Export
from citykg.ledgers.export import export_ledger as export_ledger
from citykg.ledgers.listing import ledger_page as ledger_page
from citykg.ledgers.models import EntityDetail as EntityDetail
from citykg.ledgers.models import Filter as Filter
from citykg.ledgers.models import LedgerPage as LedgerPage
from citykg.ledgers.models import LedgerQuery as LedgerQuery
from citykg.ledgers.models import LedgerRow as LedgerRow
from citykg.ledgers.models import LedgerStats as LedgerStats
from citykg.ledgers.stats import ledger_stats as ledger_stats

__all__ = [
    "Catalog",
    "EndResult",
    "EntityDetail",
    "EntityType",
    "Export",
    "Filter",
    "LedgerPage",
    "LedgerQuery",
    "LedgerRow",
    "LedgerStats",
    "Reach",
    "catalog_for",
    "edit_entity",
    "end_entity",
    "entity_detail",
    "entity_places",
    "export_ledger",
    "ledger_page",
    "ledger_stats",
]
