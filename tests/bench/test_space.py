"""``registry bench`` checks the disks it writes to before it writes anything."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from bench import data, space
from bench.scale import SERVICE_LINES, parse_scale
from registry.cli import main

ALL = ["import", "append_floor", "executemany_floor", "rebuild"]


def test_needs_grow_with_the_scale_and_name_what_each_engine_writes(tmp_path):
    full = space.needs(parse_scale("full"), ["sqlite", "postgres"], ALL, tmp_path,
                       tmp_path / "pg")
    tenth = space.needs(parse_scale("0.1"), ["sqlite", "postgres"], ALL, tmp_path,
                        tmp_path / "pg")
    assert [n.what for n in full] == ["the data set", "the SQLite stores",
                                      "the PostgreSQL database"]
    assert [n.path for n in full] == [tmp_path / "data", tmp_path / "sqlite", tmp_path / "pg"]
    for big, small in zip(full, tenth, strict=True):
        assert big.size == pytest.approx(10 * small.size, rel=0.01)
    # A full-scale run on SQLite wrote 6.1 GB (22ef233's run): the need is more, not less.
    assert 6.1e9 < full[0].size + full[1].size < 9e9


def test_without_the_floors_or_a_local_server_less_is_needed(tmp_path):
    scale = parse_scale("full")
    with_floors = space.needs(scale, ["sqlite", "postgres"], ALL, tmp_path, tmp_path)
    without = space.needs(scale, ["sqlite", "postgres"], ["import", "rebuild"], tmp_path,
                          tmp_path)
    assert without[1].size < with_floors[1].size and without[2].size < with_floors[2].size
    remote = space.needs(scale, ["sqlite", "postgres"], ALL, tmp_path, None)
    assert [n.what for n in remote] == ["the data set", "the SQLite stores"]


def test_needs_on_one_disk_add_up_and_each_short_disk_is_named(tmp_path):
    wanted = [space.Need("the data set", tmp_path / "data", 3_000_000_000),
              space.Need("the SQLite stores", tmp_path / "sqlite", 5_000_000_000)]
    assert space.shortfalls(wanted, free=lambda path: 8_000_000_000) == []
    lines = space.shortfalls(wanted, free=lambda path: 7_000_000_000)
    assert lines == [f"the data set (3.0 GB under {tmp_path / 'data'}) and the SQLite stores "
                     f"(5.0 GB under {tmp_path / 'sqlite'}) need about 8.0 GB; that disk has "
                     "7.0 GB free"]


def test_a_run_the_disk_cannot_hold_stops_before_writing_and_says_what_to_do(tmp_path,
                                                                              monkeypatch):
    monkeypatch.setattr(space, "free_bytes", lambda path: 1_000)
    out, work = tmp_path / "performance.md", tmp_path / "work"
    result = CliRunner().invoke(main, ["bench", "--engine", "sqlite", "--scale", "tiny",
                                       "--out", str(out), "--work-dir", str(work)])
    assert result.exit_code == 1
    assert "Error: not enough free disk space for this run: the data set" in result.output
    assert "that disk has 0.0 GB free" in result.output
    assert "--work-dir" in result.output and "--scale" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() and not (work / "data").exists()


@pytest.mark.postgres
def test_a_local_servers_data_directory_is_found_and_an_unreachable_one_is_not(
        postgres_server):
    directory = space.data_directory(postgres_server)
    assert directory is not None and directory.is_dir() and (directory / "PG_VERSION").exists()
    assert space.data_directory(f"{postgres_server}?schema=bench_x") == directory  # as run
    assert space.data_directory("postgresql://postgres@127.0.0.1:1/postgres") is None
    assert isinstance(space.free_bytes(Path(directory)), int)


def test_the_expected_size_of_a_run_is_what_the_generator_makes(tmp_path):
    """The needs are per expected submission, so the expectation must hold: within 2% at
    the scales with hundreds of providers (the generator's draws are seeded)."""
    assert len(data.LINES) == SERVICE_LINES
    for name in ("small", "moderate"):
        scale = parse_scale(name)
        made = data.generate(scale, tmp_path / name).submissions
        assert made == pytest.approx(scale.expected_submissions, rel=0.02), name
