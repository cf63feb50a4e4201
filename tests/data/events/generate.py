"""Build the hotline-sentence test set: real places of a generated city, said the ways callers say.

    .venv/bin/python tests/data/events/generate.py [--persons 10000] [--seed 1] [--count 3000]

Each sentence names a door of the demo city (``build_city`` of the shipped Chaoyang slice, the
same city ``citykg demo`` generates) inside a hotline-style sentence: a label before it
(收货地址：, 来电人反映, 地址:), a problem and contact notes after it (联系人王先生 138…), the
street or district left out, bare community names, the compound with or without 小区, building
forms 3号楼/3栋/3幢/3#/三号楼, units 2单元/2门/二单元, doors 1102/1102室, the dashed 3-2-1102,
full-width digits and spaces. Each line records the truth (community, compound, building codes).
A compound written without its community is only used when its name is unique in the city
(no reader could tell otherwise). Seeded: the same city gives the same set.

:func:`sentences` is also what ``bench/events.py`` uses on a graph of another size.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from citykg.geo.names import name_forms

HERE = Path(__file__).parent
CN = "零一二三四五六七八九十"
PROBLEMS = (
    "楼下井盖丢了", "路灯不亮好几天了", "垃圾桶满了没人清运", "楼道里有人给电动车充电",
    "夜间施工噪音很大", "下水道堵塞污水外溢", "门口有人占道经营", "小区里乱停车堵塞消防通道",
    "电梯坏了3天了", "暖气不热", "有人在楼下露天烧烤", "树木倒伏挡住了路", "路面积水很深",
    "楼上装修噪音扰民", "有2个井盖松动", "餐馆油烟太大", "晚上10点以后还在施工",
)  # fmt: skip
NAMES = "王李张刘陈杨黄赵吴周"
TITLES = ("先生", "女士", "师傅", "阿姨")


def chinese(n: int) -> str:
    if n <= 10:
        return CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN[tens]) + "十" + (CN[ones] if ones else "")


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


class Writer:
    """Writes sentences about the doors of a city (premises rows and division rows)."""

    def __init__(self, divisions: Mapping[str, str], premises: Sequence[Mapping[str, Any]],
                 seed: int) -> None:  # fmt: skip
        self.rng = random.Random(seed)
        self.divisions = dict(divisions)  # code -> name, levels 1-5
        self.rows = {str(r["code"]): r for r in premises}
        self.doors = sorted(c for c in self.rows if len(c) == 25)
        names = Counter(str(r["name"]) for r in premises if len(str(r["code"])) == 16)
        self.unique = {n for n, k in names.items() if k == 1}
        self.compounds_of = Counter(c[:12] for c in self.rows if len(c) == 16)

    def sentence(self) -> dict[str, Any]:
        rng = self.rng
        door = rng.choice(self.doors)
        community, compound, building = door[:12], door[:16], door[:19]
        cname = str(self.rows[compound]["name"])
        b, u = self._number(building), self._number(door[:21])
        d = self._number(door)
        style = rng.choice(("full", "no-street", "street", "community", "bare", "bare",
                            "community-short", "dashed", "lone-community"))  # fmt: skip
        if style == "bare" and cname not in self.unique:
            style = "community"
        if style == "lone-community" and self.compounds_of[community] != 1:
            style = "community-short"
        place = self._place(style, community, cname)
        tail = self._tail(style, b, u, d)
        address = place + tail
        if rng.random() < 0.15:
            address = full_width(address)
        if rng.random() < 0.15:
            address = address.replace(cname, cname + " ", 1)
        text = self._frame(address)
        return {
            "text": text,
            "format": style,
            "truth": {"community": community, "compound": compound, "building": building},
        }

    def _number(self, code: str) -> str:
        row = self.rows[code]
        number = row.get("number")
        if number is not None:
            return str(number)
        return "".join(c for c in str(row["name"]) if c.isdigit())

    def _written(self, code: str, short: bool) -> str:
        forms = name_forms(self.divisions[code], 5 if len(code) == 12 else 4)
        if short and forms.short:
            return forms.short[0]
        return self.rng.choice(forms.full)

    def _place(self, style: str, community: str, cname: str) -> str:
        rng = self.rng
        compound = cname + ("小区" if rng.random() < 0.3 and not cname.endswith("小区") else "")
        district = rng.choice(("朝阳区", "北京市朝阳区", "北京朝阳"))
        street = self._written(community[:9], short=rng.random() < 0.3)
        if style == "full":
            return f"{district}{street}{self._written(community, False)}{compound}"
        if style == "no-street":
            return f"{district}{self._written(community, rng.random() < 0.5)}{compound}"
        if style == "street":
            return f"{street}{compound}"
        if style in ("community", "dashed"):
            return f"{self._written(community, False)}{compound}"
        if style == "community-short":
            return f"{self._written(community, True)}{compound}"
        if style == "lone-community":
            return self._written(community, rng.random() < 0.5)
        return compound

    def _tail(self, style: str, b: str, u: str, d: str) -> str:
        rng = self.rng
        if style == "dashed":
            return f"{b}-{u}-{d}"
        bn = int(b) if b.isdigit() else None
        spoken = f"{chinese(bn)}号楼" if bn and bn <= 30 else f"{b}号楼"
        building = rng.choice((f"{b}号楼", f"{b}号楼", f"{b}栋", f"{b}幢", f"{b}#", spoken))
        un = int(u) if u.isdigit() else 1
        unit = rng.choice((f"{u}单元", f"{u}单元", f"{u}门", f"{chinese(un)}单元"))
        return rng.choice((building, building + unit, building + unit + d,
                           building + unit + d + "室", f"{building}{u}-{d}"))  # fmt: skip

    def _frame(self, address: str) -> str:
        rng = self.rng
        problem = rng.choice(PROBLEMS)
        name = rng.choice(NAMES) + rng.choice(TITLES)
        phone = "1" + rng.choice("358") + "".join(rng.choice("0123456789") for _ in range(9))
        frames = (
            f"我家住在{address}，{problem}，联系人{name}",
            f"收货地址：{address} {name} {phone}",
            f"来电人反映：{address}{problem}，请尽快处理。联系电话：{phone}",
            f"市民{name}来电称，{address}附近{problem}，希望相关部门处理",
            f"{problem}，地点在{address}，{name}，{phone}",
            f"地址：{address}；诉求：{problem}",
            f"{address}{problem}",
            f"您好，我是{address}的住户，{problem}，麻烦派人来看看，电话{phone}",
            f"反映{address}门口{problem}",
        )
        return rng.choice(frames)


def sentences(divisions: Mapping[str, str], premises: Sequence[Mapping[str, Any]], *,
              count: int, seed: int) -> Iterator[dict[str, Any]]:  # fmt: skip
    """``count`` sentences about random doors of the city described by the rows."""
    writer = Writer(divisions, premises, seed)
    for _ in range(count):
        yield writer.sentence()


def demo_rows(persons: int, seed: int) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The divisions (code → name) and premises rows of the demo city, built in memory."""
    from citykg.demo.generate import build_city, district_divisions

    divisions = district_divisions("110105")
    city = build_city(divisions, persons=persons, seed=seed)
    rows = [r for label in ("Compound", "Building", "BuildingUnit", "Door")
            for r in city.premises.get(label, [])]  # fmt: skip
    return {d.code: d.name for d in divisions}, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=HERE / "sentences.jsonl")
    args = parser.parse_args()
    divisions, rows = demo_rows(args.persons, args.seed)
    with args.out.open("w", encoding="utf-8") as out:
        for line in sentences(divisions, rows, count=args.count, seed=args.seed):
            out.write(json.dumps(line, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
