"""The database: one sqlite-utils connection per request, migrations, backup.

Migration policy: files in migrations/ are numbered, applied in order, and never
edited once landed; to undo something, add a new file. The app refuses to run on a
database that has a migration it does not know (a newer release wrote it).
"""
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import click
import sqlite_utils
from flask import current_app, g
from flask.cli import AppGroup
from sqlite_utils.migrations import Migrations

from .retention import purge

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
MIGRATION_SET = "caregiver"

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    "PRAGMA synchronous=FULL",  # a caregiver's entry is never lost to a crash
)


class DatabaseTooNew(RuntimeError):
    pass


def connect(path):
    conn = sqlite3.connect(path, timeout=5, check_same_thread=True)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    return sqlite_utils.Database(conn)


def get_db():
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def one(sql, params=()):
    """The first row of a query as a dict, or None."""
    return next(get_db().query(sql, params), None)


def close_db(exc=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


@contextmanager
def write(db):
    """A write transaction that takes the write lock up front.

    A plain BEGIN that reads and then writes fails at once with "database is locked"
    under concurrent writers; BEGIN IMMEDIATE waits for busy_timeout instead.
    """
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    else:
        db.conn.execute("COMMIT")


def now_utc():
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _migration_files():
    return sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9]-*.sql"))


def migrations():
    """The numbered SQL files as a sqlite-utils migration set."""
    migs = Migrations(MIGRATION_SET)
    for path in _migration_files():
        def apply(db, path=path):
            db.executescript(path.read_text())
        migs(name=path.name)(apply)
    return migs


def check_not_newer(db):
    known = {p.name for p in _migration_files()}
    applied = {m.name for m in migrations().applied(db)}
    unknown = sorted(applied - known)
    if unknown:
        raise DatabaseTooNew(
            "This database was written by a newer release (migrations "
            + ", ".join(unknown) + "). Upgrade the app before using it."
        )


def upgrade(path):
    """Apply pending migrations; refuse a database newer than this code."""
    new = not os.path.exists(path)
    db = connect(path)
    if new:  # health data: readable by the app's user only (SQLite gives -wal and -shm the same)
        os.chmod(path, 0o600)
    try:
        check_not_newer(db)
        migs = migrations()
        pending = [m.name for m in migs.pending(db)]
        # Serialise concurrent starters (several workers): one applies, others wait.
        with write(db):
            migs.apply(db)
        return pending
    finally:
        db.close()


def backup(source_path, dest_path):
    """SQLite online backup: consistent even while the app is writing."""
    src = sqlite3.connect(source_path)
    dst = sqlite3.connect(dest_path)
    try:
        with dst:
            src.backup(dst)
        ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        dst.close()
        src.close()
    return ok


def _unsound_backup(src):
    """Why this connection's file must not replace the database, or None if it may."""
    try:
        problems = [row[0] for row in src.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            return "it failed its integrity check (" + "; ".join(problems[:3]) + ")"
        db = sqlite_utils.Database(src)
        # An empty or foreign file passes integrity_check: restoring it would wipe every table.
        if not migrations().applied(db):
            return "it is not a Caregiver database (no migrations recorded)"
        check_not_newer(db)
    except sqlite3.DatabaseError as e:
        return f"it is not a SQLite database, or it is damaged ({e})"
    except DatabaseTooNew as e:
        return str(e)
    return None


def restore(backup_path, dest_path):
    """Replace the database with a backup (run with the app stopped).

    Everything is checked before the database is opened: a refused file changes nothing."""
    src = sqlite3.connect(backup_path)
    try:
        problem = _unsound_backup(src)
        if problem:
            raise click.ClickException(
                f"not restoring from {backup_path}: {problem.rstrip('.')}. The current database was not changed.")
        dst = sqlite3.connect(dest_path)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


# An AppGroup: each command runs inside the app context, however it is invoked.
db_cli = AppGroup("db", help="Database commands: upgrade, backup, restore, purge.")


@db_cli.command("upgrade")
def upgrade_command():
    """Apply pending migrations."""
    # The app applied pending migrations when it started for this command: say which.
    applied = current_app.extensions.get("migrations_applied_at_start", []) + upgrade(current_app.config["DATABASE"])
    click.echo(f"applied {len(applied)} migration(s)" + (": " + ", ".join(applied) if applied else ""))


@db_cli.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path):
    """Write a consistent copy of the database to PATH (safe while the app runs)."""
    ok = backup(current_app.config["DATABASE"], path)
    if ok != "ok":  # a cron job must notice: exit non-zero
        raise click.ClickException(f"the backup at {path} failed its integrity check: {ok}")
    click.echo(f"backup written to {path} (integrity: ok)")


@db_cli.command("purge")
def purge_command():
    """Delete what has ended and is past keeping (docs/privacy.md); run it daily."""
    db = get_db()
    with write(db):
        counts = purge(db)
    click.echo("purged: " + ", ".join(f"{n} {name}" for name, n in counts.items()))


@db_cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.confirmation_option(prompt="This replaces the current database. Continue?")
def restore_command(path):
    """Replace the database with the backup at PATH. Stop the app first."""
    restore(path, current_app.config["DATABASE"])
    click.echo(f"restored from {path}")


def init_app(app):
    app.teardown_appcontext(close_db)
    app.cli.add_command(db_cli)
