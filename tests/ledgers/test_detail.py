"""One entity with its relations: scope, household, masking, audited reveal, navigation."""

from __future__ import annotations

import pytest

from citykg.access import Principal
from citykg.access.audit import recent
from citykg.errors import Forbidden, NotFound, ValidationFailed
from citykg.ledgers import Catalog, EntityDetail, entity_detail
from citykg.ledgers.models import RelatedEntity
from citykg.ledgers.refs import seal
from tests.ledgers.city import C1, CAR, COMPLAINT, D1, LI, SHOP, SUN, WANG, XIAOMING, City


def detail(city: City, catalog: Catalog, who: Principal, key: str, **kw: object) -> EntityDetail:
    return entity_detail(city.store, catalog=catalog, principal=who, type="Person", key=key, **kw)  # type: ignore[arg-type]


def items(found: EntityDetail, relation: str, direction: str = "out") -> list[RelatedEntity]:
    (g,) = [g for g in found.relations if g.relation == relation and g.direction == direction]
    return g.items


def group(found: EntityDetail, relation: str, direction: str = "out") -> list[str]:
    return [str(i.name) for i in items(found, relation, direction)]


def test_a_residents_record_shows_every_dimension_navigably(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    found = detail(city, catalog, who["worker1"], WANG)
    assert found.type == "Resident" and found.key == "11****************"
    assert group(found, "householdHeadOf") == ["李娜", "王小明"]
    assert group(found, "spouseOf") == ["李娜"] and group(found, "parentOf") == ["王小明"]
    assert group(found, "employedBy") == ["王记小卖部"]
    assert group(found, "ownedByPerson", "in") == ["京A12345"]
    assert group(found, "reportedBy", "in") == ["楼道堆物"]
    (home,) = items(found, "residesIn")
    assert home.key == D1 and home.href == f"/ledgers/Place/{D1}"
    assert [p.name for p in home.path][:3] == ["北京市", "市辖区", "朝阳区"]
    assert [p.code for p in home.path][4] == C1
    named = {i.name: i for g in found.relations for i in g.items}
    assert named["王记小卖部"].href == f"/ledgers/Organization/{SHOP}"
    assert named["楼道堆物"].href == f"/ledgers/Event/{COMPLAINT}"
    assert named["京A12345"].href is None and named["京A12345"].key == CAR  # no place: not open
    li = named["李娜"]
    assert li.key == "11****************" and li.href and li.ref and LI not in li.href
    assert detail(city, catalog, who["worker1"], li.ref).properties["name"] == "李娜"


def test_out_of_scope_is_not_found_whoever_asks(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    with pytest.raises(NotFound):
        detail(city, catalog, who["worker2"], WANG)
    with pytest.raises(NotFound):
        detail(city, catalog, who["worker1"], SUN)
    with pytest.raises(NotFound):
        detail(city, catalog, who["worker1"], "110105199912319999")
    with pytest.raises(Forbidden):
        detail(city, catalog, who["analyst"], WANG)


def test_a_resident_sees_their_household_and_themselves_in_clear(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    me = detail(city, catalog, who["resident"], WANG)
    assert me.properties["idNumber"] == WANG and me.properties["mobilePhone"] == "13812345678"
    child = detail(city, catalog, who["resident"], XIAOMING)
    assert child.properties["idNumber"] == "11****************"
    with pytest.raises(NotFound):
        detail(city, catalog, who["resident"], SUN)


def test_reveal_needs_a_purpose_the_right_and_the_group_and_is_audited(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    keys = ["idNumber", "chronicDisease"]
    with pytest.raises(ValidationFailed) as info:
        detail(city, catalog, who["doctor"], WANG, reveal=keys)
    assert info.value.violations[0].path == "purpose"
    worker = detail(city, catalog, who["worker1"], WANG, reveal=keys, purpose="入户走访")
    assert worker.revealed == [] and worker.properties["idNumber"] != WANG
    doctor = detail(city, catalog, who["doctor"], WANG, reveal=keys, purpose="慢病随访")
    assert doctor.revealed == ["chronicDisease", "idNumber"]
    assert doctor.properties["chronicDisease"] == "2" and doctor.properties["idNumber"] == WANG
    head = detail(city, catalog, who["head"], WANG, reveal=keys, purpose="核实身份")
    assert head.revealed == ["idNumber"]  # no health tag
    (record,) = recent(city.store, principal_id="doctor")
    assert record["action"] == "sensitive.reveal" and record["target"] == f"Person:{seal(WANG)}"
    assert record["fields"] == ["chronicDisease", "idNumber"] and record["purpose"] == "慢病随访"
    assert recent(city.store, principal_id="worker1") == []  # nothing revealed, nothing logged


def test_relation_attributes_are_masked_too(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    found = detail(city, catalog, who["worker1"], WANG)
    (report,) = items(found, "reportedBy", "in")
    assert report.properties["contactPhone"] == "138****5678"
    (marriage,) = items(found, "spouseOf")
    assert marriage.properties["certificateNumber"] != "J110105-1975-001"


def test_a_forged_or_stale_ref_is_refused(
    city: City, catalog: Catalog, who: dict[str, Principal]
) -> None:
    with pytest.raises(ValidationFailed) as info:
        detail(city, catalog, who["worker1"], "ref_bm90LWEtcmVmLWF0LWFsbC14eHh4eHh4eHh4eHh4")
    assert info.value.violations[0].path == "key"
