"""The machine and the software versions a run was measured on."""

import os
import platform
import sqlite3
from importlib import metadata
from pathlib import Path

import psycopg


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    system = platform.platform()
    try:
        release = dict(line.split("=", 1) for line in
                       Path("/etc/os-release").read_text().splitlines() if "=" in line)
        system = f"{release.get('PRETTY_NAME', '').strip(chr(34))} ({platform.release()})"
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory, "os": system,
            "load": load()}


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def versions(postgres_kwargs: dict | None = None) -> dict:
    found = {"Python": platform.python_version(), "SQLite": sqlite3.sqlite_version}
    for package in ("eventsourcing", "psycopg", "flask", "marshmallow", "gunicorn"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    if postgres_kwargs is not None:
        try:
            with psycopg.connect(**postgres_kwargs) as conn:
                found["PostgreSQL"] = conn.execute("SHOW server_version").fetchone()[0]
        except psycopg.Error as error:
            found["PostgreSQL"] = f"unreachable ({str(error).strip().splitlines()[0]})"
    return found
