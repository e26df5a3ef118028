"""Sealed values: unreadable without the app's key, refused when changed or misused."""
from caregiver.sealing import seal, unseal


def test_a_sealed_value_unseals_for_its_purpose_only(app):
    with app.app_context():
        sealed = seal("invite-token-123", "invite")
        assert "invite-token-123" not in sealed
        assert unseal(sealed, "invite") == "invite-token-123"
        assert unseal(sealed, "share-link") is None  # another purpose, another key


def test_a_changed_or_foreign_value_is_refused(app):
    with app.app_context():
        sealed = seal("secret", "totp")
        flipped = sealed[:20] + ("A" if sealed[20] != "A" else "B") + sealed[21:]
        assert unseal(flipped, "totp") is None
        for junk in ("", None, 42, "not base64 at all!", "A" * 200):
            assert unseal(junk, "totp") is None
        app.config["SECRET_KEY"] = "another-secret"
        assert unseal(sealed, "totp") is None  # a copy of the database alone opens nothing
