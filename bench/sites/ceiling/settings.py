"""The machine's ceiling: bare Django answering with one ORM INSERT into a ticket-shaped table."""

import os

SECRET_KEY = "bench-only-ceiling"  # noqa: S105 (a throwaway benchmark site on loopback)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["django.contrib.contenttypes", "ceiling"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "ceiling.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("CEILING_DB", "soutien_bench_ceiling"),
        "HOST": "127.0.0.1",
        "USER": "postgres",
        "CONN_MAX_AGE": 60,
    }
}
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
