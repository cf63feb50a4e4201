"""Role- and tag-based rules, masking and the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest

from citykg.access import Post, Principal
from citykg.access.audit import recent, record
from citykg.access.check import allowed, ensure_allowed
from citykg.access.masking import Masker, mask
from citykg.access.rules import load_rules
from citykg.errors import ConfigError, Forbidden
from citykg.graph import GraphStore
from citykg.ontology import load_ontology
from citykg.settings import Settings


def official(role: str, *tags: str) -> Principal:
    post = Post("ORG1", role, tags)
    return Principal(
        id="o", kind="official", name="官员", roles=frozenset({role}), tags=frozenset(tags),
        posts=(post,),
    )  # fmt: skip


ANALYST = Principal(id="a", kind="analyst", name="分析员", roles=frozenset({"analyst"}))
RESIDENT = Principal(id="r", kind="resident", name="居民", person="1")


@pytest.mark.parametrize(
    ("who", "action", "expected"),
    [
        (official("SQ05"), "ledger.read", True),
        (official("SQ05"), "sensitive.reveal", False),
        (official("SQ02"), "sensitive.reveal", True),
        (official("JD02"), "task.dispatch", True),
        (official("WG02"), "notification.send", False),
        (ANALYST, "cypher.run", True),
        (ANALYST, "ledger.read", False),
        (RESIDENT, "form.submit", True),
        (RESIDENT, "ledger.read", False),
    ],
)
def test_roles_grant_actions(who: Principal, action: str, expected: bool) -> None:
    assert allowed(principal=who, action=action) is expected


def test_a_refusal_names_the_action_in_both_languages() -> None:
    with pytest.raises(Forbidden, match="run read-only graph queries") as info:
        ensure_allowed(principal=RESIDENT, action="cypher.run")
    assert "运行只读图查询" in str(info.value)


def test_unknown_actions_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="unknown action"):
        allowed(principal=ANALYST, action="ledger.reed")


def test_a_rules_file_granting_an_unknown_action_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text("actions: {a.b: {en: x}}\nroles: {analyst: [a.c]}\n")
    with pytest.raises(ConfigError, match=r"analyst: a\.c"):
        load_rules(bad)


@pytest.fixture(scope="module")
def masker() -> Masker:
    return Masker(load_ontology(Settings().ontology_dir))


PERSON = {"name": "王伟", "idNumber": "11010519491231002X", "mobilePhone": "13812345678",
          "chronicDisease": "高血压", "gender": "1"}  # fmt: skip


def test_sensitive_values_are_masked_by_default(masker: Masker) -> None:
    seen = masker.redact(official("SQ05"), ["Person"], PERSON)
    assert seen.properties["idNumber"] == "11****************"
    assert seen.properties["mobilePhone"] == "138****5678"
    assert seen.properties["chronicDisease"] == "***"
    assert seen.properties["name"] == "王伟" and seen.properties["gender"] == "1"
    assert seen.revealed == []


def test_reveal_needs_the_action_and_the_attribute_group(masker: Masker) -> None:
    keys = ["idNumber", "chronicDisease"]
    director = masker.redact(official("SQ02"), ["Person"], PERSON, reveal=keys)
    assert director.revealed == ["idNumber"]
    assert director.properties["chronicDisease"] == "***"
    doctor = masker.redact(official("SQ02", "health"), ["Person"], PERSON, reveal=keys)
    assert doctor.revealed == ["chronicDisease", "idNumber"]
    worker = masker.redact(official("SQ05", "health"), ["Person"], PERSON, reveal=keys)
    assert worker.revealed == []


def test_own_data_is_clear(masker: Masker) -> None:
    assert masker.redact(RESIDENT, ["Person"], PERSON, own=True).properties == PERSON


def test_mask_shapes() -> None:
    assert mask("13812345678") == "138****5678"
    assert mask("110105194912310021") == "11****************"
    assert mask("x") == "***"


def test_audit_records_are_kept_newest_first(store: GraphStore) -> None:
    record(
        store, principal=ANALYST, action="cypher.run", target="graph", detail="MATCH (n) RETURN n"
    )
    record(store, principal=ANALYST, action="sensitive.reveal", target="Person:1",
           fields=["idNumber"], purpose="家访核实")  # fmt: skip
    rows = recent(store, principal_id="a")
    assert [r["action"] for r in rows] == ["sensitive.reveal", "cypher.run"]
    assert rows[0]["fields"] == ["idNumber"] and rows[0]["purpose"] == "家访核实"
