"""The security runs drive Chromium with the browser tests' fixtures."""

from tests.browser.conftest import browser, chromium_path  # noqa: F401 (fixtures)
