"""The geographic hierarchy (地理层级): nine levels of places, codes, history, addresses, roll-ups.

Province > city > district > street > community (national statistical division codes, imported
from real data) > compound > building > unit > door (codes extending the community code), plus
landmarks, roads and grids attached anywhere. See :mod:`citykg.geo.codes` for the code scheme,
:mod:`citykg.geo.history` for recorded changes, :mod:`citykg.geo.address` for parsing and
:mod:`citykg.geo.scope` for the visibility every query applies.
"""

from __future__ import annotations

from citykg.geo.address import Gazetteer as Gazetteer
from citykg.geo.address import GazetteerEntry as GazetteerEntry
from citykg.geo.address import LevelMatch as LevelMatch
from citykg.geo.address import ParsedAddress as ParsedAddress
from citykg.geo.address import normalize as normalize
from citykg.geo.codes import Level as Level
from citykg.geo.codes import PlaceCode as PlaceCode
from citykg.geo.divisions import DivisionRow as DivisionRow
from citykg.geo.divisions import read_divisions as read_divisions
from citykg.geo.divisions import select_divisions as select_divisions
from citykg.geo.divisions import shipped_divisions as shipped_divisions
from citykg.geo.entry import AddressEntry as AddressEntry
from citykg.geo.entry import attach_place as attach_place
from citykg.geo.entry import enter_address as enter_address
from citykg.geo.gazetteer import GazetteerCache as GazetteerCache
from citykg.geo.gazetteer import gazetteer_from_graph as gazetteer_from_graph
from citykg.geo.history import SplitPart as SplitPart
from citykg.geo.history import merge_places as merge_places
from citykg.geo.history import move_place as move_place
from citykg.geo.history import rename_place as rename_place
from citykg.geo.history import split_place as split_place
from citykg.geo.importer import GEO_SCHEMA as GEO_SCHEMA
from citykg.geo.importer import ImportReport as ImportReport
from citykg.geo.importer import count_divisions as count_divisions
from citykg.geo.importer import ensure_geo_schema as ensure_geo_schema
from citykg.geo.importer import import_divisions as import_divisions
from citykg.geo.jurisdiction import Jurisdiction as Jurisdiction
from citykg.geo.jurisdiction import Responsibility as Responsibility
from citykg.geo.jurisdiction import assign_jurisdiction as assign_jurisdiction
from citykg.geo.jurisdiction import places_under_jurisdiction as places_under_jurisdiction
from citykg.geo.jurisdiction import responsible_organizations as responsible_organizations
from citykg.geo.models import Page as Page
from citykg.geo.models import Place as Place
from citykg.geo.models import PlaceChange as PlaceChange
from citykg.geo.models import PlaceRef as PlaceRef
from citykg.geo.places import get_place as get_place
from citykg.geo.places import list_children as list_children
from citykg.geo.places import place_history as place_history
from citykg.geo.places import resolve_code as resolve_code
from citykg.geo.rollup import Bucket as Bucket
from citykg.geo.rollup import EntityRow as EntityRow
from citykg.geo.rollup import Rollup as Rollup
from citykg.geo.rollup import entities_under as entities_under
from citykg.geo.rollup import parse_level as parse_level
from citykg.geo.rollup import rollup as rollup
from citykg.geo.scope import PlaceScope as PlaceScope

__all__ = [
    "GEO_SCHEMA",
    "AddressEntry",
    "Bucket",
    "DivisionRow",
    "EntityRow",
    "Gazetteer",
    "GazetteerCache",
    "GazetteerEntry",
    "ImportReport",
    "Jurisdiction",
    "Level",
    "LevelMatch",
    "Page",
    "ParsedAddress",
    "Place",
    "PlaceChange",
    "PlaceCode",
    "PlaceRef",
    "PlaceScope",
    "Responsibility",
    "Rollup",
    "SplitPart",
    "assign_jurisdiction",
    "attach_place",
    "count_divisions",
    "ensure_geo_schema",
    "enter_address",
    "entities_under",
    "gazetteer_from_graph",
    "get_place",
    "import_divisions",
    "list_children",
    "merge_places",
    "move_place",
    "normalize",
    "parse_level",
    "place_history",
    "places_under_jurisdiction",
    "read_divisions",
    "rename_place",
    "resolve_code",
    "responsible_organizations",
    "rollup",
    "select_divisions",
    "shipped_divisions",
    "split_place",
]
