"""Which region codes a resident ID number may start with (GB 11643, characters 1–6).

An ID number keeps the code of the county that issued it whatever became of that county since,
so a code is accepted when its province and city (the first four digits) name a city-level
division that exists today (the NBS 2023 slice) or existed in any GB/T 2260 revision since 1980
(``geo/data/gb2260-1980-2020.csv.gz``): the county of a historical code is often unknown to both.
Hong Kong, Macao and Taiwan residents' permits carry their region's own code (810000, 820000,
830000). ``000000`` and other made-up regions are refused.

The ontology holds the rule as the ``sh:pattern`` of ``ckg:idNumber`` (so pySHACL and the fast
validators apply the same one); :func:`id_number_pattern` builds it from the data, and a test
keeps the two the same.
"""

from __future__ import annotations

import csv
import gzip
import io
from functools import cache
from importlib import resources
from itertools import groupby

from citykg.geo.divisions import shipped_divisions

HISTORY = "gb2260-1980-2020.csv.gz"
PERMITS = frozenset({"81", "82", "83"})
"""Hong Kong, Macao, Taiwan: their permits' numbers start with the region's code (810000 …)."""


@cache
def city_prefixes() -> frozenset[str]:
    """Every province + city prefix (4 digits) an ID number may start with."""
    data = resources.files("citykg.geo").joinpath("data", HISTORY).read_bytes()
    rows = csv.DictReader(io.StringIO(gzip.decompress(data).decode("utf-8")))
    codes = {row["code"] for row in rows} | {d.code for d in shipped_divisions() if d.level <= 3}
    return frozenset(
        code[:4] for code in codes if len(code) >= 4 and (code[2:4] != "00" or code[:2] in PERMITS)
    )


def id_number_pattern() -> str:
    """The ``sh:pattern`` of ``ckg:idNumber``: a known region, then 11 digits and a digit or X."""
    groups = groupby(sorted(city_prefixes()), key=lambda prefix: prefix[:2])
    regions = "|".join(
        f"{province}(?:{'|'.join(prefix[2:] for prefix in prefixes)})"
        for province, prefixes in groups
    )
    return f"^(?:{regions})[0-9]{{13}}[0-9X]$"
