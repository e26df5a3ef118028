"""caregiver/words.py: the engine's words, translated from the same catalogs as the pages."""
import json

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from caregiver import words


@pytest.fixture
def xx(tmp_path, monkeypatch):
    """A language "xx" whose catalog knows two messages."""
    catalog = Catalog(locale="es")  # Spanish plural rules: 1 is singular
    catalog.add("Cravings", "Deseo intenso de consumir")
    catalog.add(("%(num)d day", "%(num)d days"), ("%(num)d día", "%(num)d días", "%(num)d días"))
    catalog.add("Seen on %(day)s", "Visto el %(day)s")
    folder = tmp_path / "xx" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as f:
        write_mo(f, catalog)
    monkeypatch.setattr(words, "LOCALEDIR", tmp_path)
    monkeypatch.setattr(words, "_catalogs", {})
    return "xx"


def test_a_label_made_at_import_is_read_in_the_language_of_the_moment(xx):
    label = words.Lazy("Cravings")
    assert str(label) == "Cravings"
    with words.using(xx):
        assert str(label) == "Deseo intenso de consumir"
        assert f"{label}: 8" == "Deseo intenso de consumir: 8"
        assert label.lower() == "deseo intenso de consumir"
        assert json.dumps({"label": str(label)}) == '{"label": "Deseo intenso de consumir"}'
    assert str(label) == "Cravings"  # the block ends, the language with it


def test_placeholders_and_plurals_follow_the_catalog(xx):
    with words.using(xx):
        assert words.gettext("Seen on %(day)s", day="lun 30 nov") == "Visto el lun 30 nov"
        assert words.ngettext("%(num)d day", "%(num)d days", 1) == "1 día"
        assert words.ngettext("%(num)d day", "%(num)d days", 3) == "3 días"
        assert words.gettext("Not in the catalog") == "Not in the catalog"  # English, never blank
    assert words.ngettext("%(num)d day", "%(num)d days", 3) == "3 days"


def test_a_label_is_escaped_in_a_page_and_compares_by_its_text(xx):
    from markupsafe import Markup
    assert Markup("<p>%s</p>") % words.Lazy("a < b") == Markup("<p>a &lt; b</p>")
    assert words.Lazy("Cravings") == "Cravings"
    assert sorted([words.Lazy("b"), words.Lazy("a")])[0] == "a"


def test_the_languages_are_those_with_a_compiled_catalog(xx):
    assert words.languages() == ["en", "xx"]
