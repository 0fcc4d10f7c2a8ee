"""The ledger key: created once outside the database, published as a verifier key."""

import os
import stat

import pytest

from config.settings import Settings
from config.storage import open_registry
from ledger import keys
from tests.ledger.test_tamper import add_users


def test_verifier_keys_round_trip_whatever_their_base64_holds(tmp_path):
    for n in range(40):
        key, created = keys.load_or_create(tmp_path / f"k{n}.json", "registry-test")
        assert created
        verifier = key.verifier
        assert keys.VerifierKey.parse(str(verifier)) == verifier
        assert verifier.verify(b"message", key.sign(b"message"))
        assert not verifier.verify(b"messagE", key.sign(b"message"))


def test_the_key_file_is_private_and_reused(tmp_path):
    path = tmp_path / "ledger" / "key.json"
    first, created = keys.load_or_create(path, "registry-test")
    assert created and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    again, created = keys.load_or_create(path, "another-name")
    assert not created and again == first


def test_bad_verifier_keys_are_refused_with_a_reason():
    for text, reason in (("no-plus-signs", "reads <name>"),
                         ("name+00000000+not base64!", "not base64"),
                         ("name+00000000+AQID", "not an Ed25519 key")):
        with pytest.raises(keys.LedgerKeyError, match=reason):
            keys.VerifierKey.parse(text)


def test_a_store_with_a_journal_refuses_to_start_without_its_key(settings, tmp_path):
    app = open_registry(settings)
    add_users(app, ["someone"])
    app.close()
    settings.ledger_key.rename(tmp_path / "moved-away.json")
    with pytest.raises(keys.LedgerKeyError, match="restore the key file"):
        open_registry(settings)
    assert not settings.ledger_key.exists(), "no new key may be made over an old journal"
    elsewhere = Settings.from_env({"REGISTRY_DATABASE_URL": settings.database_url,
                                   "REGISTRY_HOME": str(settings.home),
                                   "REGISTRY_LEDGER_KEY": str(tmp_path / "moved-away.json")})
    reopened = open_registry(elsewhere)
    assert reopened.ledger.verify()["ok"]
    reopened.close()
