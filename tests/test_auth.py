"""Sign up, sign in and out, throttling, password rules and rehashing, the forgot-password
flow with recovery codes, two-step sign-in (TOTP) and the operator's reset command."""
import re
import sqlite3
from pathlib import Path

import pyotp
import pytest
from argon2 import PasswordHasher

from caregiver import credentials
from caregiver import throttle
from caregiver import create_app, forms
from caregiver.account_forms import COMMON_PASSWORDS
from conftest import Actions
from db_helpers import rows

PASSWORD = "correct horse battery"
CODE_RE = r"<code>([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})</code>"


def signed_in_as(client):
    """The display name in the footer, or None when signed out."""
    match = re.search(r"Signed in as ([^ ]+) ·", client.get("/signed-out").get_data(as_text=True))
    return match.group(1) if match else None


def sign_up_with_codes(auth, client, username="alice", password=PASSWORD):
    response = auth.sign_up(username, password)
    assert response.status_code == 302, response.get_data(as_text=True)
    return re.findall(CODE_RE, client.get(response.headers["Location"]).get_data(as_text=True))


class Clock:
    """The time the TOTP check sees; a step is 30 seconds."""

    def __init__(self):
        self.now = 1_800_000_000

    def tick(self, steps=1):
        self.now += 30 * steps


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(credentials, "_clock", lambda: c.now)
    return c


def enable_two_step(auth, client, clock, password=PASSWORD):
    html = client.get("/account/two-step").get_data(as_text=True)
    secret = re.search(r'id="totp-key" type="text" readonly value="([A-Z2-7 ]+)"', html).group(1)
    totp = pyotp.TOTP(secret.replace(" ", ""))
    response = auth.post("/account/two-step", {"password": password, "code": totp.at(clock.now)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return totp


# --- Sign up ------------------------------------------------------------------------

def test_sign_up_creates_the_account_and_signs_in(app, auth, client):
    response = auth.sign_up("alice")
    assert response.status_code == 302
    assert "/account/recovery-codes/new" in response.headers["Location"]
    (uid, name, pw_hash), = rows(app, "SELECT id, display_name, password_hash FROM users")
    assert name == "Alice" and pw_hash.startswith("$argon2id$") and PASSWORD not in pw_hash
    assert signed_in_as(client) == "Alice"
    assert rows(app, "SELECT user_id FROM sessions WHERE user_id IS NOT NULL") == [(uid,)]


def test_sign_up_shows_ten_recovery_codes_once_and_stores_only_hashes(app, auth, client):
    response = auth.sign_up("alice")
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    codes = re.findall(CODE_RE, html)
    assert len(codes) == 10 == len(set(codes))
    assert not set("01ILOU") & set("".join(codes))  # only unambiguous characters
    assert "shown only this once" in html and 'href="/"' in html  # the user continues from here
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.findall(CODE_RE, again) == []
    stored = " ".join(r[0] for r in rows(app, "SELECT code_hash FROM recovery_codes"))
    sessions = " ".join(r[0] for r in rows(app, "SELECT data FROM sessions"))
    for code in codes:
        for form in (code, code.replace("-", "")):
            assert form not in stored and form not in sessions


def test_sign_up_continues_to_next_after_the_codes(auth, client):
    response = auth.post("/sign-up?next=/c/9/history", {"username": "alice", "display_name": "Alice",
                                                        "password": PASSWORD}, token_from="/sign-up")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'href="/c/9/history"' in html


def test_sign_up_never_continues_to_another_site(auth, client):
    response = auth.post("/sign-up?next=//evil.example/x", {"username": "alice", "display_name": "Alice",
                                                            "password": PASSWORD}, token_from="/sign-up")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "evil.example" not in html


@pytest.mark.parametrize("password, message", [
    ("", "Choose a password."),
    ("short pw", "Use 10 to 128 characters."),
    ("x" * 129, "Use 10 to 128 characters."),
    ("qwertyuiop", "too easy to guess"),
    ("QwertyUiop123", "too easy to guess"),  # from caregiver/common-passwords.txt, any case
    ("manchester", "too easy to guess"),
    ("aaaaabbbbbaaaaa", "too easy to guess"),  # fewer than 4 different characters
])
def test_weak_passwords_are_refused_at_sign_up_and_nothing_written(app, auth, password, message):
    response = auth.sign_up("alice", password)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert rows(app, "SELECT count(*) FROM users") == [(0,)]


def test_the_common_password_file_is_loaded_and_holds_only_long_lower_case_entries():
    path = Path(forms.__file__).with_name("common-passwords.txt")
    entries = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    assert len(entries) >= 300 and len(set(entries)) == len(entries)
    assert all(len(p) >= 10 and p == p.lower() == p.strip() for p in entries)
    assert set(entries) <= COMMON_PASSWORDS
    assert {"qwertyuiop", "1234567890", "password123", "qwertyuiop123"} <= COMMON_PASSWORDS


def test_a_128_character_password_is_accepted(app, auth, client):
    long = ("correct horse battery staple " * 5)[:128]
    assert len(long) == 128
    assert auth.sign_up("alice", long).status_code == 302
    auth.sign_out()
    assert auth.sign_in("alice", long).status_code == 302


def test_a_taken_name_is_refused_whatever_its_case(app, auth):
    auth.sign_up("alice")
    auth.sign_out()
    response = auth.sign_up("ALICE")
    assert response.status_code == 400 and "This name is taken" in response.get_data(as_text=True)
    assert rows(app, "SELECT count(*) FROM users") == [(1,)]


# --- Sign in and out ----------------------------------------------------------------

def test_sign_in_with_the_right_password(auth, client):
    auth.sign_up("alice")
    auth.sign_out()
    assert signed_in_as(client) is None
    response = auth.sign_in("Alice")  # user names ignore case
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in_as(client) == "Alice"


def test_a_wrong_password_or_unknown_name_is_refused_the_same_way(auth, client):
    auth.sign_up("alice")
    auth.sign_out()
    wrong = auth.sign_in("alice", "not my password at all")
    unknown = auth.sign_in("nobody", PASSWORD)
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "don&#39;t match" in response.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_sign_in_follows_only_same_site_next(auth, client):
    auth.sign_up("alice")
    auth.sign_out()
    token = auth.token()
    ok = client.post("/sign-in?next=/c/3/history", data={"csrf_token": token, "username": "alice",
                                                          "password": PASSWORD})
    assert ok.headers["Location"] == "/c/3/history"
    auth.sign_out()
    for evil in ("//evil.example", "https://evil.example", "/\\evil.example", "/\t/evil.example",
                 "/\n/evil.example", "/\r//evil.example", "/\x7f/evil.example"):
        token = auth.token()
        response = client.post("/sign-in", query_string={"next": evil},
                               data={"csrf_token": token, "username": "alice", "password": PASSWORD})
        assert response.headers["Location"] == "/", evil
        auth.sign_out()


def test_sign_out_needs_a_post_and_ends_the_session(app, auth, client):
    auth.sign_up("alice")
    page = client.get("/sign-out")
    assert page.status_code == 200 and signed_in_as(client) == "Alice"  # GET only asks
    response = auth.sign_out()
    assert response.status_code == 302 and response.headers["Location"] == "/signed-out"
    assert "storage" in response.headers["Clear-Site-Data"]
    assert signed_in_as(client) is None
    assert rows(app, "SELECT count(*) FROM sessions WHERE user_id IS NOT NULL") == [(0,)]


def test_sign_in_page_links_forgot_password(client):
    html = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/sign-in/forgot"' in html


def test_a_weaker_argon2_hash_is_upgraded_at_sign_in(app, auth):
    auth.sign_up("alice")
    auth.sign_out()
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        conn.execute("UPDATE users SET password_hash = ?", [weak])
    assert credentials.hasher.check_needs_rehash(weak)
    assert auth.sign_in().status_code == 302
    (new_hash,), = rows(app, "SELECT password_hash FROM users")
    assert new_hash != weak
    assert not credentials.hasher.check_needs_rehash(new_hash)
    assert credentials.hasher.verify(new_hash, PASSWORD)


def test_a_current_hash_is_left_alone_at_sign_in(app, auth):
    auth.sign_up("alice")
    auth.sign_out()
    (before,), = rows(app, "SELECT password_hash FROM users")
    auth.sign_in()
    assert rows(app, "SELECT password_hash FROM users") == [(before,)]


# --- Throttling ---------------------------------------------------------------------

def fail(auth, username, address):
    return auth.post("/sign-in", {"username": username, "password": "wrong password here"},
                     environ_base={"REMOTE_ADDR": address})


def test_an_account_locks_after_five_failures_from_any_addresses(app, auth, client):
    auth.sign_up("alice")
    auth.sign_out()
    for i in range(4):
        assert fail(auth, "alice", f"10.0.0.{i}").status_code == 400
    ok = auth.post("/sign-in", {"username": "alice", "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.0.1.1"})
    assert ok.status_code == 302  # 4 failures: still fine, and success clears the count
    auth.sign_out()
    for i in range(5):
        fail(auth, "alice", f"10.0.0.{i}")
    locked = auth.post("/sign-in", {"username": "alice", "password": PASSWORD},
                       environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert locked.status_code == 429
    assert "wait" in locked.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_an_address_locks_after_five_failures_on_any_accounts(app, auth, client):
    auth.sign_up("alice")
    auth.sign_out()
    for i in range(5):
        fail(auth, f"someone{i}", "10.0.0.7")
    same_address = auth.post("/sign-in", {"username": "alice", "password": PASSWORD},
                             environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert same_address.status_code == 429
    other_address = auth.post("/sign-in", {"username": "alice", "password": PASSWORD},
                              environ_base={"REMOTE_ADDR": "10.0.0.8"})
    assert other_address.status_code == 302


def test_the_lock_doubles_with_each_further_failure(app, auth):
    for _ in range(5):
        fail(auth, "alice", "10.0.0.1")
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        conn.execute("UPDATE login_failures SET locked_until = NULL")  # the first lock has passed
    fail(auth, "alice", "10.0.0.1")
    with app.app_context():
        from caregiver.db import get_db
        wait = throttle.wait(get_db(), [throttle.account_key("alice"), "address:x"])
    assert 100 < wait <= 121  # 60 s, then 120 s


def test_the_lock_holds_across_two_app_instances_on_one_database(app, tmp_path):
    other = create_app(dict(app.config))  # a second worker process on the same file
    first, second = Actions(app.test_client()), Actions(other.test_client())
    first.sign_up("alice")
    first.sign_out()
    for i in range(5):
        fail(first, "alice", f"10.0.0.{i}")
    response = second.post("/sign-in", {"username": "alice", "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "10.7.7.7"})
    assert response.status_code == 429


# --- Forgot password: recovery codes ------------------------------------------------

def forgot(auth, code, username="alice", new="a brand new passphrase", **kwargs):
    return auth.post("/sign-in/forgot", {"username": username, "recovery_code": code, "new_password": new},
                     **kwargs)


def test_a_recovery_code_resets_the_password_and_ends_every_session(app, auth, client):
    codes = sign_up_with_codes(auth, client)
    phone = Actions(app.test_client())
    phone.sign_in()
    assert signed_in_as(phone.client) == "Alice"
    response = forgot(auth, codes[3].lower().replace("-", " "))  # case, spaces and dashes don't matter
    assert response.status_code == 302 and response.headers["Location"] == "/password-changed"
    assert signed_in_as(phone.client) is None
    assert signed_in_as(client) is None
    assert rows(app, "SELECT count(*) FROM sessions WHERE user_id IS NOT NULL") == [(0,)]
    assert auth.sign_in().status_code == 400
    assert auth.sign_in(password="a brand new passphrase").status_code == 302
    assert rows(app, "SELECT count(*) FROM recovery_codes WHERE used_at IS NOT NULL") == [(1,)]


def test_a_recovery_code_works_only_once(app, auth, client):
    codes = sign_up_with_codes(auth, client)
    auth.sign_out()
    assert forgot(auth, codes[0]).status_code == 302
    again = forgot(auth, codes[0], new="yet another passphrase")
    assert again.status_code == 400
    assert auth.sign_in(password="yet another passphrase").status_code == 400


def test_a_wrong_code_changes_nothing_and_counts_as_a_failure(app, auth, client):
    sign_up_with_codes(auth, client)
    auth.sign_out()
    (before,), = rows(app, "SELECT password_hash FROM users")
    response = forgot(auth, "ABCD-EFGH-JKMN-PQRS")
    assert response.status_code == 400
    assert "don&#39;t match" in response.get_data(as_text=True)
    assert rows(app, "SELECT password_hash FROM users") == [(before,)]
    assert rows(app, "SELECT failures FROM login_failures WHERE key = ?", [throttle.account_key("alice")]) == [(1,)]


def test_a_codes_of_another_account_do_not_work(app, auth, client):
    bea_codes = sign_up_with_codes(auth, client, "bea")
    auth.sign_out()
    sign_up_with_codes(auth, client, "alice")
    auth.sign_out()
    assert forgot(auth, bea_codes[0], username="alice").status_code == 400


def test_forgot_password_is_throttled_like_sign_in(app, auth, client):
    codes = sign_up_with_codes(auth, client)
    auth.sign_out()
    for _ in range(5):
        forgot(auth, "ABCD-EFGH-JKMN-PQRS")
    locked = forgot(auth, codes[0])
    assert locked.status_code == 429
    assert rows(app, "SELECT count(*) FROM recovery_codes WHERE used_at IS NOT NULL") == [(0,)]


def test_forgot_password_checks_the_new_password_like_sign_up(app, auth, client):
    codes = sign_up_with_codes(auth, client)
    auth.sign_out()
    response = forgot(auth, codes[0], new="qwertyuiop123")
    assert response.status_code == 400 and "too easy to guess" in response.get_data(as_text=True)
    assert rows(app, "SELECT count(*) FROM recovery_codes WHERE used_at IS NOT NULL") == [(0,)]


@pytest.mark.parametrize("field, value", [("username", ""), ("recovery_code", ""), ("recovery_code", "x" * 41),
                                          ("username", "a" * 500), ("recovery_code", "\u00e9\u00e8" * 8)])
def test_odd_forgot_password_input_is_a_400_not_a_crash(app, auth, field, value):
    data = {"username": "alice", "recovery_code": "ABCD-EFGH-JKMN-PQRS", "new_password": "a brand new passphrase"}
    data[field] = value
    assert auth.post("/sign-in/forgot", data).status_code == 400


# --- Two-step sign-in ---------------------------------------------------------------

def test_two_step_asks_for_a_code_before_the_session_starts(app, auth, client, clock):
    auth.sign_up("alice")
    totp = enable_two_step(auth, client, clock)
    auth.sign_out()
    response = auth.sign_in()
    assert response.headers["Location"] == "/sign-in/two-step"
    assert signed_in_as(client) is None  # half signed in: no uid yet
    assert client.get("/account").status_code == 302
    assert rows(app, "SELECT count(*) FROM sessions WHERE user_id IS NOT NULL") == [(0,)]
    assert '"uid"' not in " ".join(r[0] for r in rows(app, "SELECT data FROM sessions"))
    clock.tick()
    wrong = auth.post("/sign-in/two-step", {"code": "000000" if totp.at(clock.now) != "000000" else "111111"})
    assert wrong.status_code == 400 and "Code: this code is not right" in wrong.get_data(as_text=True)
    ok = auth.post("/sign-in/two-step", {"code": totp.at(clock.now)})
    assert ok.status_code == 302 and ok.headers["Location"] == "/"
    assert signed_in_as(client) == "Alice"


def test_a_two_step_code_cannot_be_used_twice(app, auth, client, clock):
    auth.sign_up("alice")
    totp = enable_two_step(auth, client, clock)
    auth.sign_out()
    auth.sign_in()
    # The code that turned two-step on is spent already.
    assert auth.post("/sign-in/two-step", {"code": totp.at(clock.now)}).status_code == 400
    clock.tick()
    code = totp.at(clock.now)
    assert auth.post("/sign-in/two-step", {"code": code}).status_code == 302
    auth.sign_out()
    auth.sign_in()
    assert auth.post("/sign-in/two-step", {"code": code}).status_code == 400  # replay, same window
    clock.tick()
    assert auth.post("/sign-in/two-step", {"code": totp.at(clock.now)}).status_code == 302


def test_a_code_a_step_early_or_late_is_accepted_but_not_two_steps(app, auth, client, clock):
    auth.sign_up("alice")
    totp = enable_two_step(auth, client, clock)
    auth.sign_out()
    clock.tick(5)
    auth.sign_in()
    assert auth.post("/sign-in/two-step", {"code": totp.at(clock.now - 60)}).status_code == 400
    assert auth.post("/sign-in/two-step", {"code": totp.at(clock.now + 30)}).status_code == 302


def test_a_recovery_code_replaces_the_two_step_code_once(app, auth, client, clock):
    codes = sign_up_with_codes(auth, client)
    enable_two_step(auth, client, clock)
    auth.sign_out()
    auth.sign_in()
    assert auth.post("/sign-in/two-step", {"code": codes[1]}).status_code == 302
    auth.sign_out()
    auth.sign_in()
    assert auth.post("/sign-in/two-step", {"code": codes[1]}).status_code == 400


def test_two_step_failures_lock_even_after_the_right_password_again(app, auth, client, clock):
    auth.sign_up("alice")
    totp = enable_two_step(auth, client, clock)
    auth.sign_out()
    clock.tick()
    for _ in range(5):
        auth.sign_in()  # the right password must not reset the count of wrong codes
        auth.post("/sign-in/two-step", {"code": "12345" + ("6" if totp.at(clock.now)[-1] != "6" else "7")})
    assert auth.sign_in().status_code == 429
    assert signed_in_as(client) is None


def test_the_half_signed_in_state_expires_after_five_minutes(app, auth, client, clock):
    auth.sign_up("alice")
    totp = enable_two_step(auth, client, clock)
    auth.sign_out()
    auth.sign_in()
    token = auth.token("/sign-in/two-step")
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        conn.execute("UPDATE sessions SET data = json_set(data, '$.two_step.since', '2000-01-01T00:00:00+00:00')")
    clock.tick()
    response = client.post("/sign-in/two-step", data={"csrf_token": token, "code": totp.at(clock.now)})
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"
    assert signed_in_as(client) is None


def test_the_two_step_page_without_a_password_first_goes_to_sign_in(client):
    response = client.get("/sign-in/two-step")
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"


# --- The operator's command ---------------------------------------------------------

def test_operator_reset_password_prompts_twice_and_ends_every_session(app, auth, client):
    auth.sign_up("alice")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "reset-password", "alice"],
                           input="operator set this one\noperator set this one\n")
    assert result.exit_code == 0, result.output
    assert "every session" in result.output and "operator set this one" not in result.output
    assert signed_in_as(client) is None
    assert auth.sign_in(password="operator set this one").status_code == 302
    assert rows(app, "SELECT event, json_extract(detail, '$.via') FROM audit_log WHERE event = 'password.reset'") == [
        ("password.reset", "operator")]


def test_operator_reset_password_can_generate_one(app, auth):
    auth.sign_up("alice")
    auth.sign_out()
    result = app.test_cli_runner().invoke(args=["user", "reset-password", "alice", "--generate"])
    assert result.exit_code == 0, result.output
    password = re.search(r"New password: (\S+)", result.output).group(1)
    assert len(password) >= 20
    assert auth.sign_in(password=password).status_code == 302


def test_operator_reset_password_refuses_weak_passwords_and_unknown_names(app, auth):
    auth.sign_up("alice")
    (before,), = rows(app, "SELECT password_hash FROM users")
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["user", "reset-password", "alice"], input="qwertyuiop\nqwertyuiop\n")
    assert weak.exit_code != 0 and "too easy to guess" in weak.output
    unknown = runner.invoke(args=["user", "reset-password", "nobody", "--generate"])
    assert unknown.exit_code != 0 and "no account named" in unknown.output
    assert rows(app, "SELECT password_hash FROM users") == [(before,)]


def test_operator_can_turn_off_two_step_for_someone_who_lost_everything(app, auth, client, clock):
    auth.sign_up("alice")
    enable_two_step(auth, client, clock)
    result = app.test_cli_runner().invoke(args=["user", "reset-password", "alice", "--generate",
                                                "--turn-off-two-step"])
    assert result.exit_code == 0, result.output
    password = re.search(r"New password: (\S+)", result.output).group(1)
    assert auth.sign_in(password=password).headers["Location"] == "/"


def test_signing_in_to_ones_own_account_does_not_reset_the_address_counter(app, auth, client):
    # Otherwise one address could try a password across many accounts, signing in to
    # its own between every few guesses.
    auth.sign_up("bea")
    auth.sign_out()
    auth.sign_up("mallory")
    auth.sign_out()
    for name in ("bea", "carl", "dora", "erin"):
        auth.post("/sign-in", {"username": name, "password": "a wrong password"})
    auth.sign_in("mallory")
    auth.sign_out()
    response = auth.post("/sign-in", {"username": "fay", "password": "a wrong password"})
    locked = auth.post("/sign-in", {"username": "gus", "password": "a wrong password"})
    assert response.status_code == 400 and locked.status_code == 429
    assert "Too many unsuccessful tries" in locked.get_data(as_text=True)


def test_one_address_makes_a_few_accounts_then_waits(app, auth, client):
    app.config["SIGNUP_MAX_PER_ADDRESS"] = 3
    for name in ("ann", "ben", "cyd"):
        assert auth.sign_up(name).status_code == 302
        auth.sign_out()
    response = auth.sign_up("dee")
    assert response.status_code == 429
    assert "Many accounts were just made from this network" in response.get_data(as_text=True)
    assert rows(app, "SELECT count(*) FROM users WHERE username = 'dee'") == [(0,)]
    other = app.test_client()  # another address is not held up
    from conftest import Actions
    assert Actions(other).post("/sign-up", {"username": "eve", "display_name": "Eve",
                                            "password": PASSWORD}, environ_base={"REMOTE_ADDR": "192.0.2.7"},
                               token_from="/sign-up").status_code == 302


@pytest.mark.parametrize("mark", ["\u202e", "\u202a", "\u2066", "\u2069"])
def test_a_name_with_a_direction_mark_is_refused_so_it_cannot_reorder_the_page(app, auth, mark):
    response = auth.sign_up("alice", name=f"Al{mark}ice")
    assert response.status_code == 400
    assert "marks that reverse the text" in response.get_data(as_text=True)
    assert rows(app, "SELECT count(*) FROM users") == [(0,)]
