"""Migrations: applied in order to an empty database; a newer database is refused."""
import sqlite3

import pytest

from caregiver import create_app, db


def applied(path):
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]


def test_every_migration_applies_in_order_to_an_empty_database(tmp_path):
    path = str(tmp_path / "new.db")
    names = db.upgrade(path)
    files = sorted(p.name for p in db.MIGRATIONS_DIR.glob("[0-9][0-9][0-9]-*.sql"))
    assert names == files == applied(path)
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"users", "sessions", "circles", "memberships", "checkins", "checkin_audit"} <= tables
    assert db.upgrade(path) == []  # a second run is a no-op


def test_a_database_from_a_newer_release_is_refused(tmp_path):
    path = str(tmp_path / "newer.db")
    db.upgrade(path)
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
                     " VALUES ('caregiver', '999-from-the-future.sql', 'x')")
    with pytest.raises(db.DatabaseTooNew, match="999-from-the-future.sql"):
        create_app({"DATABASE": path, "SECRET_KEY": "x"})


def test_a_failing_migration_rolls_back_and_stays_pending(tmp_path, monkeypatch):
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "001-good.sql").write_text("CREATE TABLE a (id INTEGER);")
    (migrations / "002-bad.sql").write_text("CREATE TABLE b (id INTEGER); INSERT INTO nope VALUES (1);")
    monkeypatch.setattr(db, "MIGRATIONS_DIR", migrations)
    path = str(tmp_path / "t.db")
    with pytest.raises(sqlite3.OperationalError):
        db.upgrade(path)
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "b" not in tables
    (migrations / "002-bad.sql").write_text("CREATE TABLE b (id INTEGER);")
    assert "002-bad.sql" in db.upgrade(path)


def test_request_connections_use_the_safe_pragmas(app):
    with app.test_request_context():
        conn = db.get_db().conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_the_upgrade_command_says_which_migrations_it_applied(tmp_path):
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "new.db"), "SECRET_KEY": "x"})
    first = app.test_cli_runner().invoke(args=["db", "upgrade"])
    files = sorted(p.name for p in db.MIGRATIONS_DIR.glob("[0-9][0-9][0-9]-*.sql"))
    assert first.exit_code == 0 and f"applied {len(files)} migration(s): {', '.join(files)}" in first.output
    again = create_app({"TESTING": True, "DATABASE": str(tmp_path / "new.db"), "SECRET_KEY": "x"})
    assert "applied 0 migration(s)" in again.test_cli_runner().invoke(args=["db", "upgrade"]).output


def test_a_new_database_file_is_private_to_the_apps_user(tmp_path):
    import os
    import stat
    path = tmp_path / "new.db"
    db.upgrade(str(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
