"""The HTML reference and its SVG overview: structure, not text layout."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from citykg.ontology import Ontology, build_docs
from tests.ontology.conftest import MINI, CliRun

SVG = "{http://www.w3.org/2000/svg}"


class _Page(HTMLParser):
    """Collects element ids, link targets and text of one HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: set[str] = set()
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href"):
            self.links.add(str(found["href"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_one_index_and_one_page_per_top_class(mini: Ontology) -> None:
    files = build_docs(mini)
    assert set(files) == {
        "index.html",
        "overview.svg",
        "person.html",
        "place.html",
        "event.html",
        "thing.html",
        "organization.html",
    }
    for name, text in files.items():
        if name.endswith(".html"):
            assert text.startswith("<!DOCTYPE html>")


def test_top_class_page_documents_classes_attributes_and_constraints(mini: Ontology) -> None:
    page = _Page(build_docs(mini)["person.html"])
    assert {"Person", "Resident"} <= page.ids
    text = " ".join(page.text)
    for expected in (
        "公民身份号码",
        "resident ID number",
        "pattern ^[0-9]{17}[0-9X]$",
        "≥ 30",
        "≤ 260",
        "registeredSince",
        "Resident, Person",
        "RESIDES_IN",
    ):
        assert expected in text, expected
    assert "index.html#Gender" in page.links  # coded attributes link to their code list
    assert "place.html#Place" in page.links  # relations link to their range class


def test_index_lists_relations_and_code_lists(mini: Ontology) -> None:
    page = _Page(build_docs(mini)["index.html"])
    text = " ".join(page.text)
    for relation in mini.relations.values():
        assert relation.graph_type in text
    assert {"Gender", "ResidenceType", "EventStatus", "relations", "code-lists"} <= page.ids
    assert "since" in text and "one of 全职, 兼职" in text  # relation attributes and their shapes


def test_overview_svg_draws_top_classes_and_relation_counts(mini: Ontology) -> None:
    svg = ET.fromstring(build_docs(mini)["overview.svg"].split("?>", 1)[1])
    assert svg.tag == f"{SVG}svg"
    circles = svg.findall(f".//{SVG}circle")
    assert len(circles) == 5
    groups = svg.findall(f".//{SVG}g[@class='relations']") + svg.findall(
        f".//{SVG}g[@class='relations same-class']"
    )
    titles = [g.findtext(f"{SVG}title") or "" for g in groups]
    assert sum(len(t.splitlines()) for t in titles) == len(mini.relations)  # each relation once
    assert any(t.startswith("residesIn 常住于") for t in titles)
    badges = sorted(int(g.findtext(f"{SVG}text") or 0) for g in groups)
    assert sum(badges) == len(mini.relations)


def test_real_docs_build(real: Ontology) -> None:
    files = build_docs(real)
    ET.fromstring(files["overview.svg"].split("?>", 1)[1])  # well-formed
    assert len(_Page(files["person.html"]).ids) > 10


def test_cli_docs(tmp_path: Path, run_cli: CliRun) -> None:
    code, output = run_cli("ontology", "docs", "--dir", str(MINI), "--out", str(tmp_path / "docs"))
    assert code == 0 and "wrote 7 files" in output
    assert (tmp_path / "docs" / "overview.svg").is_file()
