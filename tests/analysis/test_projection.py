"""What the copy holds: ontology entities and relations only, no masked value but hashed keys."""

from __future__ import annotations

import re
from pathlib import Path

from citykg.access.masking import masker_for
from citykg.analysis import Analysis
from citykg.analysis.projection import Projection, Ref, projection_key
from citykg.ontology import Ontology
from tests.ledgers.city import WANG

HASH = re.compile(r"[0-9a-f]{64}")


def test_every_copied_value_is_an_unmasked_ontology_attribute(
    analysis: Analysis, ontology: Ontology
) -> None:
    masker = masker_for(ontology)
    state = analysis.state()
    assert state is not None
    copy = analysis.copy.store(state.slot)
    nodes = copy.read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    assert len(nodes) == state.entities > 200
    for node in nodes:
        assert set(node["labels"]) <= analysis.projection.labels
        attributes = {
            a.property_key
            for label in node["labels"]
            for a in ontology.attributes_of(ontology.class_named(label))
        }
        masked = masker.masked_keys(node["labels"])
        for key, value in node["props"].items():
            assert key in attributes, f"{key} of {node['labels']} is not an ontology attribute"
            assert key not in masked or (key == "idNumber" and HASH.fullmatch(value))
    rels = copy.read("MATCH ()-[r]->() RETURN type(r) AS type, keys(r) AS keys")
    assert len(rels) == state.relationships > 200
    for rel in rels:
        assert rel["type"] in analysis.projection.relation_types
        relation = next(r for r in ontology.relations.values() if r.graph_type == rel["type"])
        qualification = ontology.qualification_of(relation)
        allowed = {a.property_key for a in ontology.attributes_of_relation(relation)}
        masked = masker.masked_keys([qualification.name]) if qualification else {}
        assert set(rel["keys"]) <= allowed - set(masked), rel


def test_platform_nodes_are_not_projected(projection: Projection) -> None:
    for labels, props in (
        (["AuditRecord"], {"target": WANG, "principal": "head"}),
        (["Principal"], {"id": "worker1", "person": WANG}),
        (["ApiToken"], {"hash": "abc"}),
        (["Submission"], {"id": "s1", "author": "worker1"}),
        (["PastValue"], {"key": "mobilePhone", "value": "13812345678"}),
        (["Person"], {"name": "无身份号"}),  # no identity key: cannot be addressed
    ):
        assert projection.node(labels, props) is None


def test_a_person_keeps_only_unmasked_attributes_and_a_hashed_key(projection: Projection) -> None:
    copied = projection.node(
        ["Person", "Resident", "Principal"],
        {"idNumber": WANG, "name": "王伟", "mobilePhone": "13812345678", "chronicDisease": "2",
         "source": "demo", "endReason": "迁出", "gender": "1"},
    )  # fmt: skip
    assert copied is not None and copied.labels == ("Person", "Resident")
    assert copied.ref == Ref("Person", WANG)
    assert copied.properties == {"idNumber": projection.hash(WANG), "name": "王伟", "gender": "1"}
    assert projection.copy_key(Ref("Place", "110105")) == "110105"
    report = projection.relationship("REPORTED_BY", Ref("Event", "E1"), Ref("Person", WANG),
                                      {"channel": "app", "contactPhone": "13812345678",
                                       "assertedBy": "s1"})  # fmt: skip
    assert report is not None and report.properties == {"channel": "app"}
    assert projection.relationship("ACTS_AS", Ref("Person", WANG), Ref("Person", WANG), {}) is None


def test_the_key_comes_from_the_secret_else_from_one_file(tmp_path: Path) -> None:
    secret = projection_key("s3cret")
    assert secret == projection_key("s3cret", tmp_path / "hash.key") != projection_key("other")
    drawn = projection_key(None, tmp_path / "hash.key")
    assert drawn == projection_key(None, tmp_path / "hash.key") != secret
    assert (tmp_path / "hash.key").stat().st_mode & 0o777 == 0o600
