"""Reading and changing a test app's database directly, beside the app's own connection."""
import sqlite3


def rows(app, sql, params=()):
    """Every row a query returns, as tuples."""
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        return conn.execute(sql, params).fetchall()


def execute(app, sql, params=()):
    """One statement, committed (e.g. to age a session or expire a link)."""
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        conn.execute(sql, params)
