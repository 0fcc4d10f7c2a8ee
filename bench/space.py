"""Room on disk for a benchmark run, checked before anything is written.

A full-scale run writes about 6 GB of data set and SQLite stores under its work directory
and about as much again into a PostgreSQL database. A disk that fills up half-way would
stop the run after many minutes, so ``shortfalls`` compares what the run will write with
what each disk has free before it starts, and says what to do instead.

The sizes are bytes per expected submission (``Scale.expected_submissions``), as measured:
SQLite's files after a full-scale run (22ef233's: 1,281,600 submissions generated),
PostgreSQL's database at its largest during a run at 0.1 scale (``pg_database_size``); with
a fifth more for write-ahead logs and the tables a rebuild writes beside the ones it
replaces. The server's own write-ahead log is not counted: it is recycled, not grown.
"""

import ipaddress
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.scale import Scale

MARGIN = 1.2
DATA = 55  # the generated CSV files
SQLITE_REGISTRY = 3_050  # registry.db: events, journal, ledger and every read model
SQLITE_FLOORS = 1_680  # floor.db: the raw append's and the raw executemany's stores
POSTGRES_REGISTRY = 3_650  # the bench_<random> database's registry (measured at 0.1 scale)
POSTGRES_FLOORS = 1_750  # and its floors' schema
FLOOR_STEPS = ("append_floor", "executemany_floor")


@dataclass(frozen=True)
class Need:
    what: str
    path: Path  # where it is written (it may not exist yet)
    size: int  # bytes


class NotEnoughSpace(Exception):
    """The run would fill a disk; the message says which, by how much, and what to do."""


def needs(scale: Scale, engines: list[str], steps: list[str], work: Path,
          postgres_dir: Path | None) -> list[Need]:
    """What a run of ``steps`` on ``engines`` writes, and where (the PostgreSQL server's
    part only when its data directory is on this machine: ``postgres_dir``)."""
    submissions = scale.expected_submissions
    floors = any(step in steps for step in FLOOR_STEPS)
    result = [Need("the data set", work / "data", DATA * submissions)]
    if "sqlite" in engines:
        per = SQLITE_REGISTRY + (SQLITE_FLOORS if floors else 0)
        result.append(Need("the SQLite stores", work / "sqlite", per * submissions))
    if "postgres" in engines and postgres_dir is not None:
        per = POSTGRES_REGISTRY + (POSTGRES_FLOORS if floors else 0)
        result.append(Need("the PostgreSQL database", postgres_dir, per * submissions))
    return [Need(n.what, n.path, round(n.size * MARGIN)) for n in result]


def free_bytes(path: Path) -> int:
    return shutil.disk_usage(_existing(path)).free


def shortfalls(wanted: list[Need], free: Callable[[Path], int] | None = None) -> list[str]:
    """One line per disk that has less free than the needs written to it add up to
    (``free``: bytes free on a path's disk, by default ``free_bytes``)."""
    free = free or free_bytes
    by_disk: dict[int, list[Need]] = {}
    for need in wanted:
        by_disk.setdefault(_existing(need.path).stat().st_dev, []).append(need)
    lines = []
    for group in by_disk.values():
        total, room = sum(n.size for n in group), free(group[0].path)
        if total > room:
            parts = " and ".join(f"{n.what} ({_gb(n.size)} under {n.path})" for n in group)
            lines.append(f"{parts} need about {_gb(total)}; that disk has {_gb(room)} free")
    return lines


def check(scale: Scale, engines: list[str], steps: list[str], work: Path,
          postgres_url: str) -> None:
    """Raise ``NotEnoughSpace`` if the run would fill a disk it writes to."""
    postgres_dir = data_directory(postgres_url) if "postgres" in engines else None
    lines = shortfalls(needs(scale, engines, steps, work, postgres_dir))
    if lines:
        raise NotEnoughSpace(
            "not enough free disk space for this run: " + "; ".join(lines) + ". Free some "
            "space, give a work directory on a larger disk (--work-dir), run one engine at "
            "a time (--engine), or a smaller scale (--scale moderate, or a fraction such as "
            "0.1).")


def data_directory(url: str) -> Path | None:
    """The PostgreSQL server's data directory when the server runs on this machine and
    says where it is (``data_directory`` needs a superuser or pg_read_all_settings);
    otherwise None, and its disk is not checked."""
    server = urlunsplit(urlsplit(url)._replace(query=""))  # without the bench's ?schema=
    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=5) as conn:
            host = conn.info.host
            directory = conn.execute("SHOW data_directory").fetchone()[0]
    except (psycopg.Error, ValueError):
        return None
    local = host.startswith("/")
    if not local:
        try:
            local = ipaddress.ip_address(host).is_loopback
        except ValueError:
            local = host == "localhost"
    path = Path(directory)
    return path if local and path.is_dir() else None


def _existing(path: Path) -> Path:
    """The path, or its nearest ancestor that exists (what it will be written under)."""
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _gb(size: int) -> str:
    return f"{size / 1e9:.1f} GB"
