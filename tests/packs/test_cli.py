"""``registry pack``: writing each pack, verifying it, and refusing what is wrong."""

import json

import pytest
from click.testing import CliRunner

from registry.cli import main
from tests.builders import event_count, provider_of
from tests.packs.conftest import attachment, replace_attachment


@pytest.fixture
def run(database_url, tmp_path):
    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args], env={
            "REGISTRY_DATABASE_URL": database_url, "REGISTRY_USER": "cli.tester",
            "REGISTRY_HOME": str(tmp_path)})
    return invoke


@pytest.mark.parametrize("command", ["ft", "renewal", "audit", "verify", "extract"])
def test_every_pack_command_has_help(command):
    result = CliRunner().invoke(main, ["pack", command, "--help"])
    assert result.exit_code == 0 and "Usage: main pack" in result.output


def test_a_pack_written_by_the_cli_verifies_and_an_edited_one_fails(run, world, tmp_path):
    out = tmp_path / "ry6.pdf"
    written = run("pack", "ft", "rY6", "--out", out)
    assert written.exit_code == 0, written.output
    assert out.read_bytes().startswith(b"%PDF-1.7")
    verified = run("pack", "verify", out)
    assert verified.exit_code == 0, verified.output
    assert "pack verified:" in verified.output
    extracted = run("pack", "extract", out)
    assert json.loads(extracted.stdout) == json.loads(attachment(out.read_bytes()))

    document = json.loads(attachment(out.read_bytes()))
    row = document["figures"]["indicators"][0]
    row["rank"] = 1 + row["rank"] % row["providers"]  # another provider's place
    edited = tmp_path / "edited.pdf"
    edited.write_bytes(replace_attachment(out.read_bytes(), json.dumps(document).encode()))
    failed = run("pack", "verify", edited)
    assert failed.exit_code == 1
    assert "MISMATCH: figures.indicators[0].rank:" in failed.output
    assert "PACK FAILS VERIFICATION" in failed.output


def test_renewal_and_audit_packs_from_the_cli(run, world, tmp_path):
    for args in (("renewal", "QWO-WIC-2018"),
                 ("audit", "RY6", "--from", "2000-01-01", "--to", "2100-01-01")):
        out = tmp_path / f"{args[0]}.pdf"
        result = run("pack", *args, "--out", out)
        assert result.exit_code == 0, result.output
        assert run("pack", "verify", out).exit_code == 0


def test_an_earlier_moment_is_reproduced_with_as_of(run, world, tmp_path):
    first = tmp_path / "first.pdf"
    assert run("pack", "ft", "RY6", "--out", first).exit_code == 0
    as_of = json.loads(attachment(first.read_bytes()))["as_of"]
    world.restate({"provider": "RY6", "indicator": "WIC4H", "service_line": "walk_in_centres",
                   "period": "2018-12", "numerator": 10, "denominator": 1300},
                  provider_of("RY6", "late fix"))
    again = tmp_path / "again.pdf"
    assert run("pack", "ft", "RY6", "--out", again, "--as-of", as_of).exit_code == 0
    a, b = (json.loads(attachment(p.read_bytes())) for p in (first, again))
    assert a["figures"] == b["figures"] and a["events"] == b["events"]


def test_refusals_name_the_problem_and_write_nothing(run, world, tmp_path):
    before = event_count(world)
    out = tmp_path / "none.pdf"
    result = run("pack", "ft", "ZZZ", "--out", out)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == \
        "error: provider: no organisation with code ZZZ was registered by then"
    backwards = run("pack", "audit", "RY6", "--from", "2020-01-01", "--to", "2019-01-01",
                    "--out", out)
    assert backwards.exit_code == 2 and "error: to: must be after --from" in backwards.output
    assert not out.exists() and event_count(world) == before
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7 but not really")
    refused = run("pack", "verify", junk)
    assert refused.exit_code == 2 and "error: file:" in refused.output
    assert "Traceback" not in refused.output
