"""No ID number or phone in clear at rest (issue 12, S1): a dump of the demo city's data
directory, the analysts' copy and the engine's log included, holds none of the values the graph
answers with, and only the owner can read any of it."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

from citykg.graph import open_store
from citykg.graph.sealing import SENSITIVE, key_file_beside

ON_DISK = re.compile(SENSITIVE.pattern.encode())
"""The same shapes the store seals, found in raw bytes."""


def test_a_dump_of_the_demo_city_holds_no_clear_id_number_or_phone(tmp_path: Path) -> None:
    data = tmp_path / "graph"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYKG_")}
    subprocess.run(
        [sys.executable, "-m", "citykg", "demo", "--no-serve", "--graph", f"falkordb://{data}"],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    store = open_store(f"falkordb://{data}")
    try:
        texts = [
            repr(row)
            for query in (
                "MATCH (n) RETURN properties(n) AS p",
                "MATCH ()-[r]->() RETURN properties(r) AS p",
            )
            for row in store.read(query)
        ]
    finally:
        store.close()
    clear = {m.group(0) for text in texts for m in SENSITIVE.finditer(text)}
    ids = {v for v in clear if len(v) == 18}
    assert len(ids) > 4_000 and len(clear - ids) > 3_000  # persons' IDs, phones, compound keys

    files = [p for p in data.rglob("*") if p.is_file()] + [key_file_beside(data)]
    found = {
        m.group(0).decode()
        for path in files
        for m in ON_DISK.finditer(path.read_bytes())
        if m.group(0).decode() in clear
    }
    assert found == set()
    assert any(path.name.endswith(".aof") and path.stat().st_size > 1_000_000 for path in files)

    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o600}
