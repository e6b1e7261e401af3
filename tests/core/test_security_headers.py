"""Every answer carries the security headers; no page template has inline script, style or handler."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import soutien

PACKAGE = Path(soutien.__file__).resolve().parent
# Documents that never reach a browser as a page of ours: emails (mail readers ignore style
# sheets) and PDFs, known by their `@page` rule (WeasyPrint takes no URL: their styles are inline).
NOT_PAGES = ("/email/", "/emails/")
PRINTED = "@page"
INLINE = re.compile(r"""style=|<style|<script(?![^>]*\bsrc=)|\son[a-z]+\s*=|javascript:""", re.I)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/connexion/", "/api/v1/support-hours/status", "/healthz"])
def test_every_answer_has_the_policy_and_the_other_headers(client, path):
    r = client.get(path)
    policy = r["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "camera=()" in r["Permissions-Policy"]
    assert "geolocation=()" in r["Permissions-Policy"]
    assert r["Cross-Origin-Opener-Policy"] == "same-origin"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in r  # plain HTTP: HSTS would mean nothing


@pytest.mark.django_db
def test_hsts_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    r = client.get("/connexion/", secure=True)
    assert r["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/connexion/")


def test_htmx_is_told_to_inject_no_style_and_eval_nothing():
    base = (PACKAGE / "web/templates/web/base.html").read_text(encoding="utf-8")
    assert '"includeIndicatorStyles": false' in base
    assert '"allowEval": false' in base


def test_no_page_template_has_inline_script_style_or_handler():
    found = []
    for template in sorted(PACKAGE.rglob("templates/**/*.html")):
        relative = template.relative_to(PACKAGE).as_posix()
        if any(part in f"/{relative}" for part in NOT_PAGES):
            continue
        text = template.read_text(encoding="utf-8")
        if PRINTED in text:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if INLINE.search(line):
                found.append(f"{relative}:{number}: {line.strip()[:100]}")
    assert found == [], "\n".join(found)


@pytest.mark.django_db
def test_the_api_docs_load_nothing_from_elsewhere(client):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    page = r.content.decode()
    assert "/static/soutien/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert "http://" not in page
    assert "https://" not in page
    assert "<script>" not in page  # only files, and the settings as a JSON data block
