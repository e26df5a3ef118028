"""Issue 18, part pages-a: the account, sign-in, circle, emergency, medication, offline
and outbox pages read in Spanish, and the part's catalog is complete.

The catalog part (translations/es/LC_MESSAGES/messages.po) is compiled into a temporary folder,
so these tests do not depend on the merged catalog. The same walk through the app runs
once in English and once in Spanish; every sentence of this part that the English page
shows must be gone from the Spanish page. Words of the other parts (the engine's level
names and emergency steps, the check-in and checklist pages) are not compiled here, so
they stay English and are not checked here.
"""
import html
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pyotp
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from caregiver import content, create_app, words
from conftest import Actions

ROOT = Path(__file__).resolve().parent.parent
PART = ROOT / "translations" / "es" / "LC_MESSAGES" / "messages.po"  # the Spanish catalog
TEMPLATES = ["base.html", "_macros.html", "error.html", "account/*.html", "auth/*.html", "circles/*.html",
             "pages/*.html", "medication/*.html", "pwa/offline.html", "pwa/outbox.html"]
PYTHON = ["app", "auth", "credentials", "account", "account_forms", "language", "circles", "pages", "pwa",
          "medication", "views", "webform", "sessions", "throttle"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
PASSWORD = "correct horse battery"


def part_files():
    files = [p for pattern in TEMPLATES for p in sorted((ROOT / "templates").glob(pattern))]
    return [str(p.relative_to(ROOT)) for p in files] + [f"caregiver/{name}.py" for name in PYTHON]


def extracted(tmp_path):
    """The msgids pybabel finds in this part's files today (babel.cfg's keywords)."""
    pot = tmp_path / "pages-a.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", "-o", str(pot), *part_files()],
                   cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as f:
        return {m.id for m in read_po(f) if m.id}


def read_part():
    with open(PART, "rb") as f:
        return read_po(f)


def test_attribute_texts_hold_no_double_quote():
    # Texts written into attributes (aria-label, data-confirm, content) come out as
    # markup: a straight double quote there would end the attribute.
    for message in read_part():
        for form in (message.string if isinstance(message.string, tuple) else (message.string,)):
            if message.id:
                assert '"' not in re.sub(r"<[^>]+>", "", form), (message.id, form)


# --- Pages --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def spanish_dir(tmp_path_factory):
    """This part's Spanish; every other part's message becomes a mark such as «#12», so
    no English of another part (not translated here) can pass for English left in this one."""
    folder = tmp_path_factory.mktemp("translations")
    catalog = read_part()
    mine = {m.id for m in catalog if m.id}
    for n, message in enumerate(m for m in everything(folder) if m.id and m.id not in mine):
        mark = f"«#{n}»"
        catalog.add(message.id, (mark,) * 3 if isinstance(message.id, tuple) else mark)
    (folder / "es" / "LC_MESSAGES").mkdir(parents=True)
    with open(folder / "es" / "LC_MESSAGES" / "messages.mo", "wb") as f:
        write_mo(f, catalog)
    return folder


def everything(folder):
    """Every message of the app (what scripts/translations update extracts)."""
    pot = folder / "all.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run([str(pybabel), "-q", "extract", "-F", "babel.cfg", "-o", str(pot), "caregiver", "templates",
                    "static/js"], cwd=ROOT, check=True, capture_output=True)
    with open(pot, "rb") as f:
        return list(read_po(f))


@pytest.fixture(scope="module")
def marked_dir(tmp_path_factory):
    """A catalog where each of this part's messages is a mark (and the rest stays English):
    the words its pages show that are another part's."""
    folder = tmp_path_factory.mktemp("marked")
    catalog = read_part()
    for n, message in enumerate(m for m in catalog if m.id):
        # the mark keeps the message's placeholders: the values (another part's words) still show
        english = message.id if isinstance(message.id, tuple) else (message.id,)
        marks = tuple(" ".join([f"«pa{n}»", *PLACEHOLDER.findall(english[min(i, len(english) - 1)])])
                      for i in range(3))
        message.string = marks if isinstance(message.id, tuple) else marks[0]
    (folder / "es" / "LC_MESSAGES").mkdir(parents=True)
    with open(folder / "es" / "LC_MESSAGES" / "messages.mo", "wb") as f:
        write_mo(f, catalog)
    return folder


@pytest.fixture(scope="module")
def walked(spanish_dir, marked_dir, tmp_path_factory):
    """{"en"|"es"|"marked": {page name: (status, html)}}: the same walk through the app in
    English, in Spanish, and with this part's words marked away."""
    runs = {}
    with pytest.MonkeyPatch.context() as mp:
        # The engine's Spanish-help lines, as its part adds them to the emergency data.
        mp.setitem(content.EMERGENCY, "spanish_help", SPANISH_HELP)
        for name, lang, folder in [("en", "en", spanish_dir), ("es", "es", spanish_dir),
                                   ("marked", "es", marked_dir)]:
            mp.setattr(words, "LOCALEDIR", folder)
            mp.setattr(words, "_catalogs", {})
            runs[name] = walk(lang, folder, tmp_path_factory.mktemp(name))
    return runs


SPANISH_HELP = {
    "title": "Help in Spanish", "lead": "Each of these lines can help in Spanish.",
    "lines": [{"label": "988 Suicide & Crisis Lifeline", "number": "988", "tel": "988", "sms": "988",
               "sms_body": "AYUDA", "note": "Call and press 2."}],
}


def walk(lang, spanish_dir, folder):
    """Every page of this part, with data that shows its conditional parts."""
    app = create_app({"TESTING": True, "DATABASE": str(folder / "test.db"), "SECRET_KEY": "test-secret",
                      "SESSION_COOKIE_SECURE": False, "SERVER_NAME": "localhost",
                      "BABEL_TRANSLATION_DIRECTORIES": str(spanish_dir)})
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    me = Actions(client)
    pages = {}

    def get(name, path, **kwargs):
        response = client.get(path, **kwargs)
        pages[name] = (response.status_code, response.get_data(as_text=True))
        return pages[name][1]

    def keep(name, response):
        pages[name] = (response.status_code, response.get_data(as_text=True))
        return pages[name][1]

    today = date.today()
    # Signed out
    for name, path in [("welcome", "/"), ("sign-in", "/sign-in"), ("sign-up", "/sign-up"),
                       ("forgot", "/sign-in/forgot"), ("signed-out", "/signed-out"),
                       ("password-changed", "/password-changed"), ("deleted", "/account/deleted"),
                       ("emergency", "/emergency"), ("offline", "/offline"), ("outbox", "/outbox"),
                       ("reset-gone", "/reset/not-a-token"), ("invite-bad", "/invite/not-a-token"),
                       ("not-found", "/no-such-page")]:
        get(name, path)
    keep("sign-up-empty", me.post("/sign-up", {"username": "", "display_name": "", "password": "short"}))
    keep("sign-in-wrong", me.sign_in("nobody", "wrong password"))
    keep("forgot-wrong", me.post("/sign-in/forgot", {"username": "nobody", "recovery_code": "ABCD-EFGH-JKMN-PQRS",
                                                     "new_password": "a long new password"}))

    # Alice: her codes, her circles
    me.sign_up("alice", PASSWORD)
    codes = re.findall(r"<code>([A-Z0-9-]{19})</code>", get("recovery-codes", "/account/recovery-codes/new?next=/"))
    get("recovery-codes-gone", "/account/recovery-codes/new")
    get("circles-none", "/?choose=1")
    get("circle-new", "/circles/new")
    sam = me.create_circle("Sam", since=(today - timedelta(days=60)).isoformat())
    get("home-first", f"/c/{sam}/")
    for days_ago in (2, 1, 0):
        me.checkin(sam, date=(today - timedelta(days=days_ago)).isoformat(), craving="9", stress="9",
                   access="easy", use="suspected", withdrawal="moderate")
    rule = re.search(r'name="rule" value="([^"]+)"', get("home-prompts", f"/c/{sam}/")).group(1)
    me.post(f"/c/{sam}/prompt-responses", {"rule": rule, "action": "talked-with-care-team", "note": "Called"},
            token_from=f"/c/{sam}/")
    me.post(f"/c/{sam}/medication", {"medication": "buprenorphine-injection",
                                     "since": (today - timedelta(days=40)).isoformat(),
                                     "next_due": (today - timedelta(days=3)).isoformat(), "note": "Monthly"})
    get("medication-overdue", f"/c/{sam}/medication")
    max_ = me.create_circle("Max", **{"care_team-0-label": "Counselor", "care_team-0-number": "555-0100"})
    me.post(f"/c/{max_}/medication", {"medication": "methadone", "since": (today - timedelta(days=30)).isoformat()})
    me.post(f"/c/{max_}/medication", {"medication": "none", "since": (today - timedelta(days=2)).isoformat()})
    get("medication-stopped", f"/c/{max_}/medication")
    keep("medication-empty", me.post(f"/c/{max_}/medication", {"medication": "", "since": ""}))

    # Bob joins Sam's circle, invites someone and makes a share link there
    me.post(f"/c/{sam}/invites", token_from=f"/c/{sam}/members")
    invite = re.search(r'readonly value="http://localhost(/invite/[^"]+)"', get("members-new-link", f"/c/{sam}/members"))
    get("invite-already", invite.group(1))
    me.sign_out()
    get("invite-signed-out", invite.group(1))
    me.sign_up("bob", PASSWORD)
    get("invite-join", invite.group(1))
    me.post(invite.group(1))
    me.post(f"/c/{sam}/invites", token_from=f"/c/{sam}/members")
    me.share_link(sam)
    get("forbidden", f"/c/{sam}/delete")
    get("members-as-member", f"/c/{sam}/members")
    me.sign_out()

    # Alice again (wrong passwords and codes are few: five from one address lock it)
    me.sign_in("alice", PASSWORD)
    get("home-urgent-or-not", f"/c/{sam}/")
    get("circles", "/?choose=1")
    bob = re.search(r"/c/\d+/members/(\d+)/remove", get("members", f"/c/{sam}/members")).group(1)
    get("remove", f"/c/{sam}/members/{bob}/remove")
    get("reset-link-form", f"/c/{sam}/members/{bob}/reset-link")
    me.post(f"/c/{sam}/members/{bob}/reset-link")
    reset = re.search(r'readonly value="http://localhost(/reset/[^"]+)"',
                      get("reset-link-shown", f"/c/{sam}/members/{bob}/reset-link")).group(1)
    get("reset-form", reset)
    get("more", f"/c/{sam}/more")
    get("settings", f"/c/{sam}/settings")
    get("circle-emergency", f"/c/{sam}/emergency")
    get("emergency-signed-in", "/emergency")
    get("delete-circle", f"/c/{max_}/delete")
    keep("delete-circle-wrong", me.post(f"/c/{max_}/delete", {"nickname": "Mux"}))
    get("delete-account", "/account/delete")
    get("language", "/account/language")
    keep("name-changed", me.post("/account/name", {"display_name": "Alicia"}, token_from="/account",
                                 follow_redirects=True))
    keep("password-wrong", me.post("/account/password", {"current_password": "nope", "new_password": "another long password"},
                                   token_from="/account"))
    keep("expired-form", client.post("/account/name", data={"display_name": "A"}))
    get("not-allowed", f"/c/{sam}/invites")
    get("account-two-step-off", "/account")

    # Two-step sign-in: set up, then signed in again with a recovery code
    secret = re.search(r'id="totp-key" type="text" readonly value="([A-Z2-7 ]+)"',
                       get("two-step-setup", "/account/two-step")).group(1).replace(" ", "")
    keep("two-step-on", me.post("/account/two-step", {"password": PASSWORD, "code": pyotp.TOTP(secret).now()},
                                follow_redirects=True))
    me.sign_out()
    me.sign_in("alice", PASSWORD)
    get("two-step-sign-in", "/sign-in/two-step")
    keep("two-step-wrong", me.post("/sign-in/two-step", {"code": "000000"}))
    me.post("/sign-in/two-step", {"code": codes[0]})
    get("account-two-step-on", "/account")

    # Bob now has a circle of his own: Alice cannot make him a reset link
    me.sign_out()
    me.sign_in("bob", PASSWORD)
    me.create_circle("Kim")
    me.sign_out()
    me.sign_in("alice", PASSWORD)
    me.post("/sign-in/two-step", {"code": codes[1]})
    get("reset-link-elsewhere", f"/c/{sam}/members/{bob}/reset-link")
    return pages


def visible(page):
    """The words a person reads or hears: text, and the attributes read aloud or shown."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    said = re.findall(r'(?:aria-label|title|alt|placeholder|content|data-confirm|data-sign-out)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(" ".join([text, *said])))


def english_runs(msgid):
    """The pieces of a message a page shows as written: between placeholders and tags."""
    texts = msgid if isinstance(msgid, tuple) else (msgid,)
    for text in texts:
        pieces = re.split(r"%\(\w+\)[sd]|<[^>]+>|\s*\n\s*", text)
        for piece in pieces:
            # a whole message is looked for as written ("(you)", not "you")
            piece = re.sub(r"\s+", " ", piece).strip(" " if len(pieces) == 1 else " .,:;·()?“”\"")
            # a lone word between placeholders ("on", "from") is no sentence of its own
            whole = len(pieces) == 1 or " " in piece
            if re.search(r"[A-Za-z]{2}", piece) and whole and piece not in SAME_IN_BOTH:
                yield piece


# Written the same way in Spanish: names and codes.
SAME_IN_BOTH = {"UTC", "otpauth://", "Caregiver", "NUL", "JavaScript"}


def test_every_page_is_spanish_and_says_so(walked):
    assert walked["en"].keys() == walked["es"].keys() == walked["marked"].keys()
    for name, (status, page) in walked["es"].items():
        assert status < 500, name
        assert '<html lang="es"' in page, name
        assert walked["en"][name][0] == status, name
        assert '<html lang="en"' in walked["en"][name][1], name


def bare_words(source):
    """Words a template writes without gettext: text outside tags, expressions, statements,
    comments and trans blocks, and in the attributes a person reads or hears."""
    source = re.sub(r"{#.*?#}|<meta name=\"viewport\"[^>]*>", " ", source, flags=re.S)
    source = re.sub(r"{%-?\s*trans\b.*?endtrans\s*-?%}", " ", source, flags=re.S)
    attributes = re.findall(r'(?:aria-label|title|alt|placeholder|content|data-confirm|data-sign-out)="([^"]*)"',
                            source)
    source = re.sub(r"<[^>]*>", " ", re.sub(r"{{.*?}}|{%.*?%}", " ", source, flags=re.S))
    source = re.sub(r"[\w-]+=\"[^\"]*\"", " ", source)  # attributes a macro writes (aria-invalid="true")
    found = []
    for text in [source, *attributes]:
        text = re.sub(r"{{.*?}}|{%.*?%}", " ", text, flags=re.S)
        found += [w for w in re.findall(r"[A-Za-z][A-Za-z'’-]+", text) if w not in SAME_IN_BOTH]
    return found


def test_the_parts_templates_write_every_word_through_gettext():
    for path in part_files():
        if path.endswith(".html"):
            words_left = bare_words((ROOT / path).read_text(encoding="utf-8"))
            assert not words_left, (path, words_left)


def test_the_spanish_pages_show_what_the_walk_set_up(walked):
    """The walk reached the conditional parts it means to check (so the test above reads them)."""
    es = {name: visible(page) for name, (_status, page) in walked["es"].items()}
    assert "Revise los campos marcados abajo." in es["sign-up-empty"]
    assert "Escriba un nombre." in es["sign-up-empty"]
    assert "Ese correo electrónico o nombre de usuario y la contraseña no coinciden." in es["sign-in-wrong"]
    assert "Inyección atrasada desde el" in es["home-urgent-or-not"]
    assert "La inyección está atrasada desde el" in es["medication-overdue"]
    assert "Lo dejó el" in es["medication-stopped"]
    assert "Lo que hizo el círculo" in es["home-urgent-or-not"]
    assert "Todavía no hay nada que leer." in es["home-first"]
    assert "Recibió una invitación al círculo de Sam" in es["invite-signed-out"]
    assert "¿Unirse al círculo de Sam?" in es["invite-join"]
    assert "Usted ya está en el círculo de Sam" in es["invite-already"]
    assert "Enlace de invitación (se muestra una sola vez):" in es["members-new-link"]
    assert "Bob pasa a ser responsable del círculo." in es["members"]
    assert "Los enlaces para compartir que creó Bob dejan de funcionar" in es["remove"]
    assert "Enlace para cambiar la contraseña (se muestra una sola vez):" in es["reset-link-shown"]
    assert "Bob también está en un círculo del que usted no es responsable." in es["reset-link-elsewhere"]
    assert "Se cambió su nombre." in es["name-changed"]
    assert "Contraseña actual: esta no es su contraseña actual." in es["password-wrong"]
    assert "Este formulario venció" in es["expired-form"]
    assert "La verificación en dos pasos está activada." in es["two-step-on"]
    assert "(con un código de recuperación)" in es["account-two-step-on"]
    assert "Intento fallido" in es["account-two-step-on"]
    assert "Código: este código no es correcto, o ya se usó." in es["two-step-wrong"]
    assert "Bob</strong>, que lleva más tiempo en el círculo" in walked["es"]["delete-account"][1]
    assert "se elimina con todo lo que tiene" in es["delete-account"]
    assert "Nombre: no coincide." in es["delete-circle-wrong"]
    assert "No se encontró la página" in es["not-found"] and "No permitido" in es["forbidden"]
    assert "Equipo de atención médica de Max" in es["emergency-signed-in"]
    # The engine's Spanish-help lines: a call and a text that starts with the keyword
    assert 'href="sms:988?&amp;body=AYUDA"' in walked["es"]["emergency"][1]
    assert "Envíe AYUDA por mensaje de texto al 988" in es["emergency"]
