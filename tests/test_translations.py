"""French first: every interface string has a French translation, compiled and up to date."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

import soutien

PACKAGE = Path(soutien.__file__).parent
PO = PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def _entries(path: Path) -> dict[tuple[str, str], list[str]]:
    """(context, msgid) -> msgstrs, read with a small parser for what makemessages writes."""
    entries: dict[tuple[str, str], list[str]] = {}
    current: dict[str, list[str]] = {}
    key = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current.get("msgid") and current["msgid"][0]:
                context = current.get("msgctxt", [""])[0]
                entries[(context, current["msgid"][0])] = current.get("msgstr", [])
            current, key = {}, ""
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) (".*")$', line)
        if match:
            key = "msgstr" if match.group(1).startswith("msgstr") else match.group(1)
            current.setdefault(key, []).append(ast.literal_eval(match.group(2)))
        elif line.startswith('"') and key:
            current[key][-1] += ast.literal_eval(line)
    return entries


def test_every_string_has_a_french_translation():
    untranslated = [msgid for msgid, strs in _entries(PO).items() if not all(strs)]
    assert untranslated == []
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")


def test_compiled_catalogue_matches_the_po_file():
    with translation.override("fr"):
        for (context, msgid), strs in _entries(PO).items():
            if len(strs) == 1 and "%(" not in msgid:
                found = (
                    translation.pgettext(context, msgid) if context else translation.gettext(msgid)
                )
                assert found == strs[0], msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_no_string_is_missing_from_the_catalogue(tmp_path):
    copy = tmp_path / "soutien"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "fr",
            "--ignore",
            "*/migrations/*",
            "--no-location",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "soutien.config.settings.test"},
    )
    fresh = set(_entries(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    missing = sorted(fresh - set(_entries(PO)))
    assert missing == [], "run makemessages -l fr and translate these"
