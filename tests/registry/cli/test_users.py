"""``registry users``: accounts created on the record, tokens printed once."""

import pytest
from click.testing import CliRunner

from registry.cli import main
from tests.builders import event_count, seed


@pytest.fixture
def run(database_url, tmp_path):
    def invoke(*args, password="a long enough password"):
        return CliRunner().invoke(main, [str(a) for a in args], env={
            "REGISTRY_DATABASE_URL": database_url, "REGISTRY_USER": "cli.admin",
            "REGISTRY_HOME": str(tmp_path),
            "REGISTRY_NEW_PASSWORD": password})
    return invoke


@pytest.fixture
def seeded(app):
    seed(app)
    return app


def test_an_admin_adds_a_provider_user_who_can_then_sign_in(run, seeded):
    result = run("users", "add", "Jo.Bloggs", "--role", "provider", "--organisation", "ry6",
                 "--name", "Jo Bloggs")
    assert result.exit_code == 0, result.output
    assert "Created jo.bloggs (provider for RY6)" in result.stdout
    user = seeded.authenticate("jo.bloggs", "a long enough password")
    assert user["organisation"] == "RY6" and user["role"] == "provider"
    assert seeded.authenticate("jo.bloggs", "wrong password") is None
    shown = run("users", "show", "jo.bloggs")
    assert "Jo Bloggs, provider for RY6" in shown.stdout


def test_bad_accounts_are_refused_with_the_field_named_and_nothing_stored(run, seeded):
    before = event_count(seeded)
    missing = run("users", "add", "sam", "--role", "commissioner")
    assert missing.exit_code == 2 and "organisation" in missing.stderr
    short = run("users", "add", "sam", "--role", "regulator", password="short")
    assert short.exit_code == 2 and "password" in short.stderr
    unknown = run("users", "add", "sam", "--role", "provider", "--organisation", "ZZ99")
    assert unknown.exit_code == 2 and "ZZ99" in unknown.stderr
    assert event_count(seeded) == before
    assert run("users", "add", "sam", "--role", "regulator").exit_code == 0
    again = run("users", "add", "SAM", "--role", "regulator")
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_a_token_is_printed_once_and_works_until_revoked(run, seeded):
    run("users", "add", "robot", "--role", "regulator")
    result = run("users", "token", "robot", "--label", "nightly")
    token = result.stdout.strip()
    assert seeded.user_for_token(token)["username"] == "robot"
    token_id = token.split(".")[1]
    assert run("users", "revoke", "robot", token_id).exit_code == 0
    assert seeded.user_for_token(token) is None
    assert "(revoked)" in run("users", "show", "robot").stdout


def test_only_admins_create_users(database_url, seeded, tmp_path):
    result = CliRunner().invoke(main, ["--role", "regulator", "--organisation", "RY6",
                                       "users", "add", "x1", "--role", "admin"],
                                env={"REGISTRY_DATABASE_URL": database_url,
                                     "REGISTRY_HOME": str(tmp_path),
                                     "REGISTRY_NEW_PASSWORD": "a long enough password"})
    assert result.exit_code == 2 and "may not manage users" in result.stderr
