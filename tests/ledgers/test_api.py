"""The ledger endpoints: bad input as problem+json naming the parameter; the happy paths."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from citykg.ledgers.refs import seal
from tests.ledgers.city import C1, SUN, WANG, City

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/ledgers/Persn", {}, "type"),
        ("/ledgers/Person", {"filter": "shoeSize:eq:42"}, "filter"),
        ("/ledgers/Person", {"filter": "gender:like:1"}, "filter"),
        ("/ledgers/Person", {"cursor": "garbage"}, "cursor"),
        ("/ledgers/Person", {"limit": "0"}, "limit"),
        ("/ledgers/Person", {"limit": "501"}, "limit"),
        ("/ledgers/Person", {"sort": "-shoeSize"}, "sort"),
        ("/ledgers/Person", {"within": "nowhere"}, "within"),
        ("/ledgers/Person/stats", {"by": "shoeSize"}, "by"),
        ("/ledgers/Person/stats", {"level": "galaxy"}, "level"),
        ("/ledgers/Person/export", {"format": "pdf"}, "format"),
        ("/ledgers/Person/{wang}", {"reveal": "idNumber"}, "purpose"),
    ],
)
def test_bad_input_is_a_problem_naming_the_parameter(
    client: TestClient, city: City, path: str, params: dict[str, str], field: str
) -> None:
    path = path.format(wang=seal(WANG))  # sealed now: the secret in force for this app
    response = client.get(path, params=params, headers=city.headers("head"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["errors"][0]["field"] == field


def test_list_page_detail_and_navigation(client: TestClient, city: City) -> None:
    headers = city.headers("worker1")
    page = client.get("/ledgers/Person", params={"q": "王伟"}, headers=headers).json()
    (row,) = page["items"]
    assert row["key"] == "11****************" and page["next_cursor"] is None
    found = client.get(f"/ledgers/Person/{row['ref']}", headers=headers).json()
    spouse = next(g for g in found["relations"] if g["relation"] == "spouseOf")["items"][0]
    assert client.get(spouse["href"], headers=headers).json()["properties"]["name"] == "李娜"
    types = client.get("/ledgers", headers=headers).json()
    assert {"Person", "Place", "Organization", "Thing"} <= {t["type"] for t in types}


def test_out_of_scope_is_404_and_missing_rights_403(client: TestClient, city: City) -> None:
    assert (
        client.get(f"/ledgers/Person/{seal(SUN)}", headers=city.headers("worker1")).status_code
        == 404
    )
    response = client.get("/ledgers/Person", headers=city.headers("resident"))
    assert response.status_code == 403 and response.headers["content-type"] == PROBLEM
    assert client.get("/ledgers/Person").status_code == 401


def test_stats_export_edit_and_end(client: TestClient, city: City) -> None:
    head = city.headers("head")
    stats = client.get("/ledgers/Person/stats", params={"by": "gender"}, headers=head).json()
    assert stats["level"] == 5 and {b["code"] for b in stats["buckets"]} >= {C1}
    export = client.get(
        "/ledgers/Person/export", params={"format": "xlsx", "within": C1}, headers=head
    )
    assert export.status_code == 200 and export.content[:2] == b"PK"
    assert "attachment" in export.headers["content-disposition"]
    edited = client.patch(
        f"/ledgers/Person/{seal(WANG)}", json={"values": {"maritalStatus": "20"}}, headers=head
    )
    assert edited.status_code == 200, edited.text
    bad = client.patch(
        f"/ledgers/Person/{seal(WANG)}", json={"values": {"gender": "7"}}, headers=head
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "gender"
    ended = client.post(f"/ledgers/Person/{seal(SUN)}/end", json={"reason": "迁出"}, headers=head)
    assert ended.json()["ended"] == 1
