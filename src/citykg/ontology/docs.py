"""A static, bilingual HTML reference of the ontology, with a hand-drawn SVG overview.

:func:`build_docs` returns every file as text (``index.html``, one page per top class,
``overview.svg``); :func:`write_docs` saves them. Pages are built as element trees and serialised
last, so every text is escaped and every page is well formed. No network, no external tools.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

from citykg.ontology.model import (
    Attribute,
    CodeList,
    Ontology,
    OntologyClass,
    PropertyRule,
    RelationType,
    Text,
)
from citykg.ontology.namespaces import curie, local_name
from citykg.ontology.stats import ontology_stats

COLOURS = {
    "Person": "#e76f51",
    "Place": "#2a9d8f",
    "Event": "#e9a23b",
    "Thing": "#6a994e",
    "Organization": "#457b9d",
}
_STYLE = """
body { font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #222; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1.5rem; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } code { font-size: .85rem; } .en { color: #555; }
section.class { border-top: 2px solid #eee; margin-top: 2rem; } .inherited { color: #777; }
"""
SVG_NS = "http://www.w3.org/2000/svg"


def build_docs(ontology: Ontology) -> dict[str, str]:
    """Every file of the reference, by relative name."""
    svg = overview_svg(ontology)
    files = {
        "index.html": _html(_index(ontology, svg)),
        "overview.svg": ET.tostring(svg, encoding="unicode", xml_declaration=True),
    }
    for top in ontology.top_classes:
        files[page_name(top)] = _html(_top_page(ontology, top))
    return files


def write_docs(ontology: Ontology, out: str | Path) -> list[Path]:
    """Write the reference into ``out`` (created if missing); returns the files written."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in build_docs(ontology).items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def page_name(top: OntologyClass) -> str:
    return f"{top.name.lower()}.html"


# --------------------------------------------------------------------------------------------
# The SVG overview: the five top classes on a pentagon, one arrow per (domain, range) pair
# --------------------------------------------------------------------------------------------


def overview_svg(ontology: Ontology) -> ET.Element:
    """Top classes as circles; arrows from domain to range top class, labelled with how many
    relation types join them (hover for their names); loops for same-class relations."""
    width, height, radius, node_r = 820, 800, 240, 64
    cx, cy = width / 2, 430
    tops = sorted(
        ontology.top_classes, key=lambda c: list(COLOURS).index(c.name) if c.name in COLOURS else 9
    )
    where = {
        top.iri: (
            cx + radius * math.cos(math.radians(-90 + i * 360 / len(tops))),
            cy + radius * math.sin(math.radians(-90 + i * 360 / len(tops))),
        )
        for i, top in enumerate(tops)
    }
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
            "font-family": "sans-serif",
        },
    )
    ET.SubElement(svg, "title").text = "城市知识体系概览 City Knowledge System overview"
    marker = ET.SubElement(
        ET.SubElement(svg, "defs"),
        "marker",
        {
            "id": "arrow",
            "viewBox": "0 0 10 10",
            "refX": "9",
            "refY": "5",
            "markerWidth": "7",
            "markerHeight": "7",
            "orient": "auto-start-reverse",
        },
    )
    ET.SubElement(marker, "path", {"d": "M 0 0 L 10 5 L 0 10 z", "fill": "#555"})
    ET.SubElement(
        svg, "text", {"x": "16", "y": "28", "font-size": "18", "font-weight": "bold"}
    ).text = f"城市知识体系 City Knowledge System {ontology.version or ''}"
    legend = {"x": "16", "y": str(height - 16), "font-size": "12", "fill": "#555"}
    ET.SubElement(
        svg, "text", legend
    ).text = (
        "箭头：关系类型数量（定义域 → 值域） · arrows: number of relation types (domain → range)"
    )
    pairs: dict[tuple[str, str], list[RelationType]] = {}
    for relation in sorted(ontology.relations.values(), key=lambda r: r.name):
        ends = [ontology.classes.get(relation.domain), ontology.classes.get(relation.range)]
        tops_of = [ontology.top_class(c) if c else None for c in ends]
        if tops_of[0] is not None and tops_of[1] is not None:
            pairs.setdefault((tops_of[0].iri, tops_of[1].iri), []).append(relation)
    for (source, target), relations in sorted(pairs.items()):
        if source == target:
            _loop(svg, where[source], (cx, cy), node_r, relations)
        else:
            _arrow(svg, where[source], where[target], node_r, relations)
    counts = Counter(t.iri for c in ontology.entity_classes if (t := ontology.top_class(c)))
    for top in tops:
        x, y = where[top.iri]
        group = ET.SubElement(svg, "g", {"id": f"top-{top.name}"})
        ET.SubElement(group, "title").text = f"{top.label.zh} {top.label.en}: {top.definition.en}"
        ET.SubElement(
            group,
            "circle",
            {
                "cx": _n(x),
                "cy": _n(y),
                "r": str(node_r),
                "fill": COLOURS.get(top.name, "#999"),
                "stroke": "#333",
                "stroke-width": "1.5",
            },
        )
        for dy, size, text in (
            (-8, 24, top.label.zh),
            (14, 13, top.label.en),
            (32, 11, f"{counts[top.iri]} classes"),
        ):
            ET.SubElement(
                group,
                "text",
                {
                    "x": _n(x),
                    "y": _n(y + dy),
                    "font-size": str(size),
                    "text-anchor": "middle",
                    "fill": "#fff",
                },
            ).text = text
    return svg


def _arrow(
    svg: ET.Element,
    a: tuple[float, float],
    b: tuple[float, float],
    r: float,
    rels: list[RelationType],
) -> None:
    (x1, y1), (x2, y2) = a, b
    length = math.hypot(x2 - x1, y2 - y1)
    nx, ny = -(y2 - y1) / length, (x2 - x1) / length  # normal: a→b and b→a bend apart
    qx, qy = (x1 + x2) / 2 + nx * 40, (y1 + y2) / 2 + ny * 40
    sx, sy = _towards(a, (qx, qy), r)
    ex, ey = _towards(b, (qx, qy), r + 2)
    group = ET.SubElement(svg, "g", {"class": "relations"})
    ET.SubElement(group, "title").text = _relation_list(rels)
    ET.SubElement(
        group,
        "path",
        {
            "d": f"M {_n(sx)} {_n(sy)} Q {_n(qx)} {_n(qy)} {_n(ex)} {_n(ey)}",
            "fill": "none",
            "stroke": "#555",
            "stroke-width": str(1 + min(len(rels), 8) * 0.4),
            "marker-end": "url(#arrow)",
        },
    )
    lx, ly = 0.25 * sx + 0.5 * qx + 0.25 * ex, 0.25 * sy + 0.5 * qy + 0.25 * ey
    _badge(group, lx, ly, str(len(rels)))


def _loop(
    svg: ET.Element,
    at: tuple[float, float],
    centre: tuple[float, float],
    r: float,
    rels: list[RelationType],
) -> None:
    x, y = at
    ux, uy = x - centre[0], y - centre[1]
    norm = math.hypot(ux, uy) or 1.0
    ux, uy = ux / norm, uy / norm
    px, py = -uy, ux
    start = (x + (ux * 0.7 + px * 0.7) * r, y + (uy * 0.7 + py * 0.7) * r)
    end = (x + (ux * 0.7 - px * 0.7) * r, y + (uy * 0.7 - py * 0.7) * r)
    c1 = (x + (ux * 2.2 + px * 1.2) * r, y + (uy * 2.2 + py * 1.2) * r)
    c2 = (x + (ux * 2.2 - px * 1.2) * r, y + (uy * 2.2 - py * 1.2) * r)
    group = ET.SubElement(svg, "g", {"class": "relations same-class"})
    ET.SubElement(group, "title").text = _relation_list(rels)
    ET.SubElement(
        group,
        "path",
        {
            "d": "M {} {} C {} {} {} {} {} {}".format(*map(_n, (*start, *c1, *c2, *end))),
            "fill": "none",
            "stroke": "#999",
            "stroke-width": "2",
            "marker-end": "url(#arrow)",
        },
    )
    _badge(group, x + ux * 1.75 * r, y + uy * 1.75 * r, str(len(rels)))


def _badge(group: ET.Element, x: float, y: float, text: str) -> None:
    ET.SubElement(
        group,
        "rect",
        {
            "x": _n(x - 13),
            "y": _n(y - 10),
            "width": "26",
            "height": "18",
            "rx": "9",
            "fill": "#fff",
            "stroke": "#555",
        },
    )
    ET.SubElement(
        group, "text", {"x": _n(x), "y": _n(y + 4), "font-size": "12", "text-anchor": "middle"}
    ).text = text


def _towards(
    a: tuple[float, float], b: tuple[float, float], distance: float
) -> tuple[float, float]:
    dx, dy = b[0] - a[0], b[1] - a[1]
    norm = math.hypot(dx, dy) or 1.0
    return a[0] + dx / norm * distance, a[1] + dy / norm * distance


def _relation_list(rels: list[RelationType]) -> str:
    return "\n".join(f"{r.name} {r.label.zh} ({r.label.en})" for r in rels)


def _n(value: float) -> str:
    return f"{value:.1f}"


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------


def _page(title: str) -> tuple[ET.Element, ET.Element]:
    html = ET.Element("html", {"lang": "zh-Hans"})
    head = ET.SubElement(html, "head")
    ET.SubElement(head, "meta", {"charset": "utf-8"})
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "style").text = _STYLE
    return html, ET.SubElement(html, "body")


def _html(root: ET.Element) -> str:
    return "<!DOCTYPE html>\n" + ET.tostring(root, encoding="unicode", method="html") + "\n"


def _index(ontology: Ontology, svg: ET.Element) -> ET.Element:
    html, body = _page("城市知识体系 City Knowledge System")
    ET.SubElement(body, "h1").text = f"城市知识体系 City Knowledge System {ontology.version or ''}"
    stats = ontology_stats(ontology).as_dict()
    _table(
        body,
        ["统计 statistic", "数量 count"],
        [[k.replace("_", " "), str(v)] for k, v in stats.items()],
    )
    body.append(svg)
    ET.SubElement(body, "h2").text = "顶层类 Top classes"
    rows: list[list[Cell]] = []
    for top in ontology.top_classes:
        link = ET.Element("a", {"href": page_name(top)})
        link.text = f"{top.label.zh} {top.label.en}"
        key = ontology.identity_key(top)
        rows.append(
            [
                link,
                top.definition.zh + " " + top.definition.en,
                _code(key.property_key if key else ""),
            ]
        )
    _table(body, ["类 class", "定义 definition", "标识键 identity key"], rows)
    ET.SubElement(body, "h2", {"id": "relations"}).text = "关系类型 Relation types"
    _relations_table(ontology, body, sorted(ontology.relations.values(), key=lambda r: r.name))
    ET.SubElement(body, "h2", {"id": "code-lists"}).text = "代码表 Code lists"
    for code_list in sorted(ontology.code_lists.values(), key=lambda c: c.name):
        _code_list(body, code_list)
    return html


def _top_page(ontology: Ontology, top: OntologyClass) -> ET.Element:
    html, body = _page(f"{top.label.zh} {top.label.en}")
    nav = ET.SubElement(body, "p")
    ET.SubElement(nav, "a", {"href": "index.html"}).text = "← 城市知识体系 City Knowledge System"
    classes = sorted(
        (c for c in ontology.entity_classes if ontology.top_class(c) is top),
        key=lambda c: (len(ontology.ancestors(c)), c.name),
    )
    ET.SubElement(body, "h1").text = f"{top.label.zh} {top.label.en}"
    _text(body, top.definition)
    toc = ET.SubElement(body, "p")
    for cls in classes:
        ET.SubElement(toc, "a", {"href": f"#{cls.name}"}).text = f"{cls.label.zh} {cls.name}"
        ET.SubElement(toc, "span").text = " · "
    for cls in classes:
        _class_section(ontology, body, cls)
    related = [
        r
        for r in ontology.relations.values()
        if any(
            (c := ontology.classes.get(end)) and ontology.top_class(c) is top
            for end in (r.domain, r.range)
        )
    ]
    ET.SubElement(body, "h2", {"id": "relations"}).text = "关系 Relations"
    _relations_table(ontology, body, sorted(related, key=lambda r: r.name))
    return html


def _class_section(ontology: Ontology, body: ET.Element, cls: OntologyClass) -> None:
    section = ET.SubElement(body, "section", {"class": "class", "id": cls.name})
    ET.SubElement(section, "h2").text = f"{cls.label.zh} {cls.label.en} "
    ET.SubElement(section[-1], "code").text = curie(cls.iri)
    _text(section, cls.definition)
    facts = ET.SubElement(section, "p")
    facts.text = "图标签 graph labels: " + ", ".join(ontology.graph_labels(cls))
    if cls.parents:
        ET.SubElement(facts, "br").tail = "上级类 superclass: "
        for parent in cls.parents:
            ET.SubElement(facts, "a", {"href": _href(ontology, parent)}).text = local_name(parent)
    key = ontology.identity_key(cls)
    if key is not None:
        ET.SubElement(facts, "br").tail = f"标识键 identity key: {key.property_key}"
    _attributes_table(ontology, section, cls, ontology.attributes_of(cls))


def _attributes_table(
    ontology: Ontology, parent: ET.Element, cls: OntologyClass, attributes: tuple[Attribute, ...]
) -> None:
    rows: list[list[Cell]] = []
    for attribute in attributes:
        inherited = attribute.domain != cls.iri
        name = ET.Element("span", {"class": "inherited"} if inherited else {})
        ET.SubElement(name, "code").text = attribute.property_key
        ET.SubElement(name, "br").tail = curie(attribute.iri)
        rows.append(
            [
                name,
                f"{attribute.label.zh} / {attribute.label.en}",
                _value_cell(ontology, attribute),
                _constraints(
                    ontology.rules_on(cls, attribute.iri), ontology.cardinality(cls, attribute.iri)
                ),
                attribute.definition.zh + " " + attribute.definition.en,
            ]
        )
    _table(
        parent, ["键 key", "名称 label", "取值 value", "约束 constraints", "定义 definition"], rows
    )


def _relations_table(ontology: Ontology, parent: ET.Element, relations: list[RelationType]) -> None:
    rows: list[list[Cell]] = []
    for relation in relations:
        ends = ET.Element("span")
        ET.SubElement(ends, "a", {"href": _href(ontology, relation.domain)}).text = local_name(
            relation.domain
        )
        ET.SubElement(ends, "span").text = " → "
        ET.SubElement(ends, "a", {"href": _href(ontology, relation.range)}).text = local_name(
            relation.range
        )
        attributes = ET.Element("div")
        qualification = ontology.qualification_of(relation)
        if qualification is not None:
            _attributes_table(
                ontology, attributes, qualification, ontology.attributes_of_relation(relation)
            )
        rows.append(
            [
                _code(relation.graph_type),
                f"{relation.label.zh} / {relation.label.en}",
                ends,
                ontology.relation_kind(relation) or "",
                attributes,
            ]
        )
    _table(
        parent, ["关系 type", "名称 label", "定义域 → 值域", "kind", "关系属性 attributes"], rows
    )


def _code_list(parent: ET.Element, code_list: CodeList) -> None:
    details = ET.SubElement(parent, "details", {"id": code_list.name})
    summary = ET.SubElement(details, "summary")
    count = len(code_list.concepts)
    summary.text = f"{code_list.label.zh} {code_list.label.en} ({count}) — {code_list.source}"
    _table(
        details,
        ["代码 notation", "中文", "English"],
        [[_code(c.notation), c.label.zh, c.label.en] for c in code_list.concepts],
    )


def _value_cell(ontology: Ontology, attribute: Attribute) -> ET.Element:
    cell = ET.Element("span")
    code_list = ontology.code_list_of(attribute)
    if code_list is not None:
        ET.SubElement(
            cell, "a", {"href": f"index.html#{code_list.name}"}
        ).text = f"{code_list.label.zh} ({curie(code_list.iri)})"
    else:
        cell.text = curie(attribute.range)
    return cell


def _constraints(rules: tuple[PropertyRule, ...], cardinality: tuple[int, int | None]) -> str:
    fewest, most = cardinality
    parts = [f"{fewest}..{'*' if most is None else most}"]
    for rule in rules:
        parts += [
            f"{label} {value}"
            for label, value in (
                ("pattern", rule.pattern),
                ("≥", rule.min_inclusive),
                ("≤", rule.max_inclusive),
                (">", rule.min_exclusive),
                ("<", rule.max_exclusive),
                ("min length", rule.min_length),
                ("max length", rule.max_length),
                ("one of", ", ".join(map(str, rule.in_values)) if rule.in_values else None),
                ("≤ value of", local_name(rule.less_than_or_equals or "") or None),
            )
            if value is not None
        ]
    return "; ".join(dict.fromkeys(parts))


def _href(ontology: Ontology, class_iri: str) -> str:
    cls = ontology.classes.get(class_iri)
    top = ontology.top_class(cls) if cls else None
    return f"{page_name(top)}#{cls.name}" if cls and top else "#"


def _text(parent: ET.Element, text: Text) -> None:
    p = ET.SubElement(parent, "p")
    p.text = text.zh
    ET.SubElement(p, "br").tail = text.en


def _code(text: str) -> ET.Element:
    element = ET.Element("code")
    element.text = text
    return element


Cell = str | ET.Element


def _table(parent: ET.Element, header: list[str], rows: list[list[Cell]]) -> None:
    table = ET.SubElement(parent, "table")
    head = ET.SubElement(ET.SubElement(table, "thead"), "tr")
    for title in header:
        ET.SubElement(head, "th").text = title
    body = ET.SubElement(table, "tbody")
    for row in rows:
        tr = ET.SubElement(body, "tr")
        for cell in row:
            td = ET.SubElement(tr, "td")
            if isinstance(cell, str):
                td.text = cell
            else:
                td.append(cell)
