"""Browser tests drive Debian's Chromium through Playwright against a live Soutien server."""

from __future__ import annotations

import os
import shutil

import pytest
from django.db import connections

CHROMIUM = os.environ.get("SOUTIEN_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not shutil.which(CHROMIUM):
        if os.environ.get("SOUTIEN_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required here but not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    return CHROMIUM


@pytest.fixture
def browser(chromium_path, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # plain synchronous code, so Django's async guard does not apply to them.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=FLAGS)
        try:
            yield instance
        finally:
            instance.close()
            # While Playwright's loop runs, Django keys connections by context, so the test's ORM
            # calls opened one the database teardown cannot see; close it here.
            connections.close_all()


def sign_in(page, base: str, username: str) -> None:
    """Sign in through the sign-in page with the factories' password; wait for the next page."""
    from tests import factories

    page.goto(f"{base}/connexion/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
