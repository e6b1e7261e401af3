"""Settings for the test suite: the database still comes from DATABASE_URL, so CI runs both."""

import tempfile

from soutien.config.env import set_default

set_default("SOUTIEN_DATA_DIR", tempfile.mkdtemp(prefix="soutien-test-"))
set_default("SECRET_KEY", "test-only-secret-key-not-for-production-" + "x" * 20)

from soutien.config.settings.base import *  # noqa: E402, F403
from soutien.config.settings.base import DATABASES, STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Live-server threads must not keep connections open past a test, or the test database
# cannot be dropped at the end of a PostgreSQL run.
DATABASES["default"]["CONN_MAX_AGE"] = 0
# The suite makes thousands of API calls a minute from one address and a few tokens; the
# tests of the limits set their own (tests/api/test_rate_limits.py).
SOUTIEN_API_RATE_PER_TOKEN = 1_000_000
SOUTIEN_API_RATE_PER_ADDRESS = 1_000_000
