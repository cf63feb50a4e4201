"""ID numbers and phones are sealed at the store boundary (issue 12, S1): the graph holds only
tokens, every query works on them unchanged, and the data key can be rotated."""

from __future__ import annotations

import threading

import pytest

from citykg.errors import GraphUnavailable
from citykg.graph import GraphStore
from citykg.graph.rekey import rekey
from citykg.graph.sealing import MARK, Keyring, Sealer, new_key_line

ID = "110105198405317858"
OTHER_ID = "11010519960515615X"
PHONE = "13812345678"
WRITE = (
    "CREATE (p:Person {idNumber: $id, phone: $phone, note: $note, aliases: $aliases}) "
    "CREATE (p)-[:CALLED {from: $phone}]->(:Case {key: $key})"
)
PARAMS = {
    "id": ID,
    "phone": PHONE,
    "note": f"楼下井盖丢了，联系人王先生 {PHONE}，身份证{OTHER_ID}。",
    "aliases": [OTHER_ID, "plain"],
    "key": f"n1:{ID}",
}
READ = (
    "MATCH (p:Person)-[c:CALLED]->(k:Case) "
    "RETURN p.idNumber AS id, p.phone AS phone, p.note AS note, p.aliases AS aliases, "
    "c.from AS called, k.key AS key, p AS node"
)


def keyring() -> Keyring:
    return Keyring.from_text(new_key_line())


def test_what_is_written_comes_back_in_clear(store: GraphStore) -> None:
    store.write(WRITE, PARAMS)
    [row] = store.read(READ)
    assert {k: row[k] for k in ("id", "phone", "aliases", "key")} == {
        k: PARAMS[k] for k in ("id", "phone", "aliases", "key")
    }
    assert row["note"] == PARAMS["note"] and row["called"] == PHONE
    assert row["node"]["properties"]["idNumber"] == ID


def test_the_graph_holds_tokens_only(store: GraphStore) -> None:
    store.write(WRITE, PARAMS)
    with store.sealer.bypassed():
        [row] = store.read(READ)
    stored = repr(row)
    for clear in (ID, OTHER_ID, PHONE):
        assert clear not in stored
    assert row["id"].startswith(MARK) and row["key"].startswith("n1:" + MARK)
    assert "联系人王先生" in row["note"]


def test_equality_lookups_and_literals_work_on_tokens(store: GraphStore) -> None:
    store.write(WRITE, PARAMS)
    store.write(f"CREATE (:Person {{idNumber: '{OTHER_ID}'}})")  # a literal in the text
    by_param = "MATCH (p:Person {idNumber: $id}) RETURN p.idNumber AS id"
    assert store.read(by_param, {"id": ID}) == [{"id": ID}]
    assert store.read(by_param, {"id": OTHER_ID}) == [{"id": OTHER_ID}]
    assert store.read(
        "MATCH (p:Person) WHERE $p IN p.aliases RETURN count(p) AS n", {"p": OTHER_ID}
    )
    assert store.read(f"MATCH (k:Case {{key: 'n1:{ID}'}}) RETURN count(k) AS n") == [{"n": 1}]


def test_a_map_keyed_by_id_number_finds_its_entry(store: GraphStore) -> None:
    store.write("CREATE (:Person {idNumber: $id})", {"id": ID})
    found = store.read(
        "MATCH (p:Person) RETURN $byPerson[p.idNumber] AS role", {"byPerson": {ID: "head"}}
    )
    assert found == [{"role": "head"}]


def test_the_same_value_merges_into_one_node(store: GraphStore) -> None:
    for _ in range(2):
        store.write("MERGE (:Person {idNumber: $id})", {"id": ID})
    assert store.read("MATCH (p:Person) RETURN count(p) AS n") == [{"n": 1}]


@pytest.mark.parametrize(
    "text",
    [
        "110105",
        "110105026041",
        "1101050260410001001010001",  # a door's code
        "110105026041L0001",
        "2026-12-05T19:04:00.123456+00:00",
        "550e8400-e29b-41d4-a716-446655440000",
        "110105026041~",
        "4404ab8d-9954-40ca-99b2-c17662032536",  # a UUID with eleven digits in a group
        "767fd142-7791-4773-911b-4c9067a90434",
    ],
)
def test_codes_dates_and_ids_are_not_sealed(text: str) -> None:
    assert Sealer(keyring()).seal(text) == text


@pytest.mark.parametrize(
    "text", [ID, OTHER_ID, PHONE, "+86 138-1234-5678", f"电话{PHONE}", f"{ID}:{PHONE}"]
)
def test_id_numbers_and_phones_are_sealed_wherever_they_sit(text: str) -> None:
    sealer = Sealer(keyring())
    sealed = sealer.seal(text)
    assert PHONE not in sealed and ID not in sealed and OTHER_ID not in sealed
    assert "1234-5678" not in sealed
    assert sealer.open(sealed) == text
    assert sealer.seal(text) == sealed  # deterministic: equal values, equal tokens


def test_an_opened_value_is_remembered_but_not_while_bypassed() -> None:
    sealer = Sealer(keyring())
    sealed = sealer.seal(f"{ID}:{PHONE}")
    assert sealer.open(sealed) == sealer.open(sealed) == f"{ID}:{PHONE}"
    with sealer.bypassed():
        assert sealer.open(sealed) == sealed  # rotation reads the tokens as they are
    assert sealer.open(sealed) == f"{ID}:{PHONE}"


def test_a_bypass_holds_in_its_own_thread_only() -> None:
    sealer = Sealer(keyring())
    sealed = sealer.seal(ID)
    elsewhere: list[str] = []
    with sealer.bypassed():
        other = threading.Thread(target=lambda: elsewhere.append(sealer.open(sealed)))
        other.start()
        other.join()
        assert sealer.open(sealed) == sealed
    assert elsewhere == [ID]


def test_a_token_opens_only_under_its_key() -> None:
    key = new_key_line()
    sealed = Sealer(Keyring.from_text(key)).seal(ID)
    with pytest.raises(GraphUnavailable, match="data key"):
        Sealer(keyring()).open(sealed)
    tampered = sealed[:-3] + ("A" if sealed[-3] != "A" else "B") + sealed[-2:]
    with pytest.raises(GraphUnavailable, match="authentication"):
        Sealer(Keyring.from_text(key)).open(tampered)


def test_a_rotation_seals_everything_again_under_the_new_key(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = new_key_line(), new_key_line()
    monkeypatch.setattr(store, "sealer", Sealer(Keyring.from_text(old)))
    store.write(WRITE, PARAMS)
    store.write("CREATE (:Person {idNumber: $id})", {"id": OTHER_ID})

    monkeypatch.setattr(store, "sealer", Sealer(Keyring.from_text(new, old)))
    done = rekey(store)
    assert done.values >= 6 and done.properties >= 5
    assert rekey(store).values == 0  # idempotent

    monkeypatch.setattr(store, "sealer", Sealer(Keyring.from_text(new)))
    [row] = store.read(READ)
    assert row["id"] == ID and row["note"] == PARAMS["note"] and row["aliases"] == PARAMS["aliases"]
    assert store.read("MATCH (p:Person {idNumber: $id}) RETURN count(p) AS n", {"id": ID}) == [
        {"n": 1}
    ]
    monkeypatch.setattr(store, "sealer", Sealer(Keyring.from_text(old)))
    with pytest.raises(GraphUnavailable, match="data key"):
        store.read(READ)


def test_a_graph_written_before_sealing_is_sealed_in_place(store: GraphStore) -> None:
    """Migration 0003: values a graph holds in clear are sealed, and look-ups find them again."""
    with store.sealer.bypassed():
        store.write(WRITE, PARAMS)  # as an older version wrote it
    by_param = "MATCH (p:Person {idNumber: $id}) RETURN count(p) AS n"
    assert store.read(by_param, {"id": ID}) == [{"n": 0}]

    assert rekey(store).values == 6  # ID, phone (node and call), note, aliases, compound key
    assert store.read(by_param, {"id": ID}) == [{"n": 1}]
    with store.sealer.bypassed():
        stored = repr(store.read(READ))
    assert ID not in stored and PHONE not in stored and OTHER_ID not in stored
    [row] = store.read(READ)
    assert row["note"] == PARAMS["note"] and row["key"] == PARAMS["key"]
