from __future__ import annotations

from django.db.utils import ConnectionHandler

from soutien.config import env
from soutien.config.settings.base import _database


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path, django_db_blocker):
    config = _database(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    wrapper = ConnectionHandler({"default": config})["default"]
    with django_db_blocker.unblock():
        try:
            with wrapper.cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                assert cursor.fetchone()[0] == "wal"
                cursor.execute("PRAGMA foreign_keys")
                assert cursor.fetchone()[0] == 1
            assert wrapper.transaction_mode == "IMMEDIATE"
        finally:
            wrapper.close()


def test_postgres_url_gives_the_postgres_engine():
    config = _database("postgres://soutien:secret@db.internal:5432/soutien")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["HOST"] == "db.internal"


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECRET_KEY_FILE", raising=False)
    first = env.secret_key(tmp_path)
    assert len(first) >= 50
    assert env.secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_secret_key_from_a_file(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "key").write_text("from-a-mounted-secret\n")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "key"))
    assert env.secret_key(tmp_path / "unused") == "from-a-mounted-secret"


def test_serve_reads_its_defaults_as_words_or_numbers(monkeypatch):
    """`SOUTIEN_REUSE_PORT=false` turns port reuse off (it used to leave it on)."""
    monkeypatch.setenv("SOUTIEN_REUSE_PORT", "false")
    monkeypatch.setenv("SOUTIEN_ACCESS_LOG", "off")
    monkeypatch.setenv("SOUTIEN_WEB_WORKERS", "3")
    defaults = env.serve_defaults()
    assert (defaults.reuse_port, defaults.access_log, defaults.workers) == (False, False, 3)
    monkeypatch.setenv("SOUTIEN_REUSE_PORT", "yes")
    assert env.serve_defaults().reuse_port is True


def test_a_bad_word_for_a_switch_is_refused(monkeypatch):
    import pytest
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("SOUTIEN_REUSE_PORT", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env.serve_defaults()
