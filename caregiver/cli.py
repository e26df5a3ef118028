"""Operator commands for accounts: `flask --app caregiver user ...`.

    flask --app caregiver user reset-password USERNAME             # asks twice
    flask --app caregiver user reset-password USERNAME --generate  # prints a new one

A reset ends every session of the account and is written to the audit log.
"""
import secrets

import click
from flask.cli import AppGroup

from . import audit, credentials
from .account_forms import password_problems
from .db import get_db, one, write

# Generated passwords: 4 groups of 5 from letters and digits that read unambiguously.
_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def generate_password():
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(5)) for _ in range(4))


user_cli = AppGroup("user", help="Account commands for the operator.")


@user_cli.command("reset-password")
@click.argument("username")
@click.option("--generate", is_flag=True, help="Make a random password and print it.")
@click.option("--turn-off-two-step", is_flag=True,
              help="Also turn off two-step sign-in (the person lost their phone and their codes).")
def reset_password_command(username, generate, turn_off_two_step):
    """Set a new password for USERNAME and end all of its sessions."""
    user = one("SELECT id, username FROM users WHERE username = ?", [username])
    if user is None:
        raise click.ClickException(f"no account named {username!r}")
    if generate:
        password = generate_password()
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    problems = password_problems(password)
    if problems:
        raise click.ClickException(" ".join(problems))
    new_hash = credentials.hasher.hash(password)
    db = get_db()
    with write(db):
        credentials.set_password(db, user["id"], new_hash, via="operator")
        if turn_off_two_step:
            db.execute("UPDATE users SET totp_secret = NULL, totp_last_step = NULL WHERE id = ?", [user["id"]])
            audit.log(db, "two_step.disabled", user["id"], via="operator")
    click.echo(f"Password reset for {user['username']}; every session of the account has ended.")
    if turn_off_two_step:
        click.echo("Two-step sign-in is off.")
    if generate:
        click.echo(f"New password: {password}")
