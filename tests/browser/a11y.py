"""Accessibility checks in the browser: axe-core (vendored under tests/browser/axe/) on a page."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).parent / "axe" / "axe.min.js"


def axe_violations(page) -> list[dict]:
    """The axe-core violations of the page as it is now (WCAG 2.x A and AA rules, best practices).

    The page's context must be opened with `bypass_csp=True`: the Content-Security-Policy
    refuses inline scripts, and axe is injected as one.
    """
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
            resultTypes: ["violations"],
        })"""
    )
    return [
        {
            "id": v["id"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]
