"""axe-core on every page of the three sites, in French and English, on a desktop and a phone.

Every GET route of the public site, the portal and the console is visited with an object of each
kind it names (the `world` of tests/web/test_urls.py), as the person the site is for. A page must
have no axe-core violation of any impact and, 390 px wide, no horizontal scrolling.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from soutien.web.console.views.reports import PAGES as REPORTS
from tests.kb.fixtures import *  # noqa: F403  (the publish and writer fixtures)
from tests.web.test_urls import ROUTES
from tests.web.test_urls import world as world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = (Path(__file__).parent / "axe" / "axe.min.js").read_text()
# A newsletter issue's preview, and a received email's HTML shown in its sandboxed frame, are the
# emails themselves, as a mail client shows them (their own documents, without the sites' frame);
# the newsletter's and the mail's tests check them, not this walk of the sites' pages.
EMAIL = re.compile(r"/infolettre/numeros/\d+/apercu/|/courriel/recus/\d+/html/")
WIDTHS = {"desktop": 1280, "phone": 390}
# The styled 404 of each site.
NOT_FOUND_PATHS = {
    "public": "/cette-page-n-existe-pas/",
    "portal": "/portail/nulle-part/",
    "console": "/console/nulle-part/",
}
NOT_FOUND = re.compile("|".join(re.escape(p) + "$" for p in NOT_FOUND_PATHS.values()))


def _paths(site: str, values: dict[str, object], category_slug: str) -> list[str]:
    paths = []
    for name, params in ROUTES:
        if not name.startswith(f"{site}:"):
            continue
        kwargs = {param: values[param] for param in params}
        if name == "public:category":
            kwargs["slug"] = category_slug
        if name == "public:newsletter_confirm":
            kwargs["token"] = values["confirmation"]
        if name == "public:rate":
            kwargs["token"] = values["rating_token"]
        paths.append(reverse(name, kwargs=kwargs))
    if site == "console":
        # Every report, a saved view's list; not only the routes' default arguments.
        paths += [reverse("console:report", kwargs={"page": page}) for page in REPORTS]
        paths.append(reverse("console:search") + f"?view={values['view_id']}")
    paths.append(NOT_FOUND_PATHS[site])
    return list(dict.fromkeys(paths))


def _pages(client: Client, paths: list[str]) -> list[str]:
    """The paths that answer a GET with a whole HTML page (not a fragment, file or redirect)."""
    pages = []
    for path in paths:
        response = client.get(path)
        if response.status_code != (404 if NOT_FOUND.search(path) else 200):
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        if b"<html" not in response.content[:400]:
            continue  # an htmx fragment
        pages.append(path)
    return pages


# The innermost elements that stick out of the screen, to say what makes a page too wide.
WIDE = """() => {
    const width = document.documentElement.clientWidth, found = [];
    for (const el of document.querySelectorAll('body *')) {
        const box = el.getBoundingClientRect();
        if (box.right > width + 1 && ![...el.children].some(
                c => c.getBoundingClientRect().right > width + 1)) {
            found.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                + ' ' + Math.round(box.right));
        }
    }
    return found.slice(0, 5);
}"""


def _axe(page) -> list[dict[str, object]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE)
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
            }));
        }"""
    )


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("site", ["public", "portal", "console"])
def test_every_page_has_no_axe_violation_and_fits_a_phone(
    browser, live_server, world, site, language
):
    if connection.vendor != "sqlite":
        pytest.skip("the pages are the same on PostgreSQL: checked once, on SQLite")
    values, visitors, category = world
    client = visitors[site]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages = [p for p in _pages(client, _paths(site, values, category.slug)) if not EMAIL.search(p)]
    assert NOT_FOUND_PATHS[site] in pages, "the styled 404"
    assert len(pages) > (3 if site == "public" else 5)

    # Some pages (a raw email) forbid every script: axe is the visitor's tool, not the page's.
    context = browser.new_context(locale=f"{language}-CA", bypass_csp=True)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    cookies = [
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"}
    ]
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if session is not None:
        cookies.append(
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session.value,
                "domain": host,
                "path": "/",
            }
        )
    context.add_cookies(cookies)
    page = context.new_page()
    problems = []
    for path in pages:
        page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
        page.goto(f"{live_server.url}{path}")
        if not page.evaluate("document.documentElement.lang"):
            problems.append(f"{path}: the page does not say its language")
        for width in WIDTHS:
            page.set_viewport_size({"width": WIDTHS[width], "height": 900})
            # The page's resize handlers run before the next frame: let them.
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r)))")
            for violation in _axe(page):
                problems.append(
                    f"{path} ({width}) [{violation['impact']}] {violation['id']}: {violation['help']}"
                )
                problems.extend(f"    {node}" for node in violation["nodes"])  # type: ignore[attr-defined]
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            culprits = page.evaluate(WIDE)
            problems.append(f"{path}: {overflow} px wider than a 390 px phone: {culprits}")
    context.close()
    assert not problems, "\n".join(problems)
