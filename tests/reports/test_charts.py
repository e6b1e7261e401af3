"""Charts are accessible SVG: a title, a description, role="img", and nothing a reader wrote runs."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from soutien.reports.charts import Series, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parsed(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # noqa: S314 -- our own markup, parsed to check it


def test_a_bar_chart_has_its_title_description_and_one_bar_per_value():
    svg = _parsed(
        bar_chart(
            title="Heures <par> mois",
            description="Heures tirées des banques",
            labels=["2026-10", "2026-11"],
            series=[Series("Banques", [3, 5]), Series("Dépassement", [1, None])],
        )
    )
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None
    assert title.text == "Heures <par> mois"
    assert desc is not None
    assert desc.text == "Heures tirées des banques"
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    bars = [
        r for r in svg.iter(f"{SVG}rect") if r.get("height") is not None and r.get("width") != "10"
    ]
    assert len(bars) == 3  # the missing value draws nothing
    heights = sorted(float(r.get("height")) for r in bars)
    assert heights[2] / heights[1] == 5 / 3


def test_labels_written_by_people_are_escaped():
    markup = line_chart(
        title="t",
        description="d",
        labels=["<script>alert(1)</script>", "&"],
        series=[Series('"><img src=x onerror=alert(1)>', [1, 2]), Series("b", [2, 1])],
    )
    assert "<script>" not in markup
    assert "<img" not in markup
    _parsed(markup)  # still well-formed XML


def test_a_line_breaks_where_a_value_is_missing():
    svg = _parsed(
        line_chart(
            title="t",
            description="d",
            labels=list("abcde"),
            series=[Series("s", [1, 2, None, 3, 4])],
        )
    )
    assert len(list(svg.iter(f"{SVG}polyline"))) == 2
    assert len(list(svg.iter(f"{SVG}circle"))) == 4
