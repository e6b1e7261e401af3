"""Settings for a running service (the `soutien` command's default)."""

from soutien.config.settings.base import *  # noqa: F403
