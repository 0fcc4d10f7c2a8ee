"""Settings: where the registry keeps its events, from the environment.

``REGISTRY_DATABASE_URL`` selects the engine: ``sqlite:///path/to/file.db`` or
``postgresql://user:password@host:port/dbname[?schema=name]``. Without it the
registry uses an SQLite file ``var/registry.db`` under ``REGISTRY_HOME`` (default:
the working directory).

The ledger's signing key lives outside the database: ``REGISTRY_LEDGER_KEY`` (default
``var/ledger/signing-key.json`` under ``REGISTRY_HOME``), created on first use and
named ``REGISTRY_LEDGER_NAME`` (default ``nhs-community-registry``).

``REGISTRY_SUBMISSION_GRACE_DAYS`` (default 30): how many days after a reporting period
closes a provider's submission for it becomes overdue (``registry.jobs``).
"""

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ledger.keys import DEFAULT_KEY_FILE, DEFAULT_NAME

# The library's recorders, extended to write the ledger journal with every event.
LEDGER_FACTORIES = {"sqlite": "ledger.journal:SQLiteLedgerFactory",
                    "postgres": "ledger.journal:PostgresLedgerFactory"}


class ConfigurationError(ValueError):
    """A setting that cannot be used; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    home: Path
    inline_projections: bool
    ledger_key: Path | None = None
    ledger_name: str = DEFAULT_NAME
    submission_grace_days: int = 30
    chart_cache: Path | None = None

    @classmethod
    def from_env(cls, environ=None) -> "Settings":
        environ = os.environ if environ is None else environ
        home = Path(environ.get("REGISTRY_HOME") or os.getcwd())
        default = f"sqlite:///{home / 'var' / 'registry.db'}"
        url = environ.get("REGISTRY_DATABASE_URL") or default
        inline = environ.get("REGISTRY_INLINE_PROJECTIONS", "")
        if inline.lower() not in ("", "on", "off", "yes", "no", "1", "0", "true", "false"):
            raise ConfigurationError("REGISTRY_INLINE_PROJECTIONS must be on or off")
        inline_on = inline.lower() in ("on", "yes", "1", "true") if inline else \
            url.startswith("sqlite")
        ledger_key = Path(environ.get("REGISTRY_LEDGER_KEY") or home / DEFAULT_KEY_FILE)
        return cls(database_url=url, home=home, inline_projections=inline_on,
                   ledger_key=ledger_key,
                   ledger_name=environ.get("REGISTRY_LEDGER_NAME") or DEFAULT_NAME,
                   submission_grace_days=_grace_days(environ),
                   chart_cache=_chart_cache(environ, home))

    @property
    def display_url(self) -> str:
        """The database URL without its password, for messages."""
        parts = urlsplit(self.database_url)
        if not parts.password:
            return self.database_url
        return parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")).geturl()

    @property
    def engine(self) -> str:
        scheme = urlsplit(self.database_url).scheme
        if scheme == "sqlite":
            return "sqlite"
        if scheme in ("postgresql", "postgres"):
            return "postgres"
        raise ConfigurationError(
            f"REGISTRY_DATABASE_URL scheme '{scheme}' is not supported: "
            "use sqlite:///path or postgresql://user@host:port/dbname")

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment the eventsourcing library reads its persistence settings from."""
        env = sqlite_env(self.database_url) if self.engine == "sqlite" else \
            postgres_env(self.database_url)
        env["PERSISTENCE_MODULE"] = LEDGER_FACTORIES[self.engine]
        env["LEDGER_KEY"] = str(self.ledger_key or self.home / DEFAULT_KEY_FILE)
        env["LEDGER_NAME"] = self.ledger_name
        env["SUBMISSION_GRACE_DAYS"] = str(self.submission_grace_days)
        env["INLINE_PROJECTIONS"] = "on" if self.inline_projections else "off"
        return env


def _chart_cache(environ, home: Path) -> Path | None:
    """Where drawn charts are kept (``charts.cache``); ``off`` keeps them in memory only."""
    text = (environ.get("REGISTRY_CHART_CACHE") or "").strip()
    if text.lower() == "off":
        return None
    return Path(text) if text else home / "var" / "cache" / "charts"


def _grace_days(environ) -> int:
    text = (environ.get("REGISTRY_SUBMISSION_GRACE_DAYS") or "30").strip()
    if not text.isascii() or not text.isdigit() or int(text) > 3660:
        raise ConfigurationError("REGISTRY_SUBMISSION_GRACE_DAYS must be a whole number of "
                                 "days from 0 to 3660")
    return int(text)


def sqlite_env(url: str) -> dict[str, str]:
    # As SQLAlchemy: sqlite:///relative/path.db, sqlite:////absolute/path.db
    path = unquote(urlsplit(url).path)[1:]
    if path in ("", ":memory:"):
        raise ConfigurationError("an SQLite registry needs a file: sqlite:///path/to/file.db")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path,
            "SQLITE_LOCK_TIMEOUT": "30"}


def postgres_env(url: str) -> dict[str, str]:
    parts = urlsplit(url)
    if not parts.path.strip("/"):
        raise ConfigurationError("a PostgreSQL URL needs a database name: "
                                 "postgresql://user@host:5432/dbname")
    schema = parse_qs(parts.query).get("schema", ["public"])[0]
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": unquote(parts.path.strip("/")),
        "POSTGRES_HOST": parts.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_LOCK_TIMEOUT": "10",
        "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "60",
        "POSTGRES_CONNECT_TIMEOUT": "5",
    }
