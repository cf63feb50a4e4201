"""The graph constraints and indexes the ontology compiles to (``GraphStore.apply_schema``).

* a uniqueness :class:`Constraint` on each top class label for its identity key;
* an :class:`Index` on the identity key of every class label that has one (own or inherited), so
  matching ``MATCH (p:Resident {idNumber: $id})`` is indexed on the subclass label too;
* an :class:`Index` on what lists and dispatch filter on: names, codes and statuses (property
  keys ``name``/``…Name``, ``…Code``, ``status``/``…Status``), on the class declaring them.
"""

from __future__ import annotations

import re

from citykg.graph.store import Constraint, GraphSchema, Index
from citykg.ontology.model import Ontology

FILTERED_KEY = re.compile(r"^(name|status|code)$|(Name|Status|Code)$")
"""Property keys worth an index because lists and queries commonly filter on them."""


def compile_graph_schema(ontology: Ontology) -> GraphSchema:
    """Constraints and indexes for every entity class of ``ontology`` (sorted, deterministic)."""
    constraints = []
    indexes = []
    for cls in sorted(ontology.entity_classes, key=lambda c: c.name):
        key = ontology.identity_key(cls)
        if key is not None:
            indexes.append(Index(cls.name, key.property_key))
            if cls.is_top:
                constraints.append(Constraint(cls.name, key.property_key))
        indexes.extend(
            Index(cls.name, a.property_key)
            for a in ontology.own_attributes(cls)
            if FILTERED_KEY.search(a.property_key)
        )
    return GraphSchema(constraints=tuple(constraints), indexes=tuple(dict.fromkeys(indexes)))
