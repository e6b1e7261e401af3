"""The security runs drive Chromium with the browser tests' fixtures."""

import pytest

from tests.browser.conftest import browser, chromium_path  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def _no_api_rate_limit(settings):
    """These runs call the API thousands of times from one address; the limits have their tests."""
    settings.SOUTIEN_API_RATE_PER_TOKEN = 10**9
    settings.SOUTIEN_API_RATE_PER_ADDRESS = 10**9
