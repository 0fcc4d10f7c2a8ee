"""What every CLI command shares: the acting user, the open registry, error handling."""

import functools
import os
import sys
import time
from dataclasses import dataclass, field

import click
import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError

from config.settings import ConfigurationError, Settings
from config.storage import open_registry
from registry.errors import InvalidInput, RegistryError
from registry.provenance import Actor, Provenance


@dataclass
class CliContext:
    user: str
    organisation: str
    role: str
    _app: object = field(default=None, repr=False)

    @property
    def actor(self) -> Actor:
        return Actor(user_id=self.user, organisation=self.organisation, role=self.role)

    def provenance(self, reason: str | None = None) -> Provenance:
        return Provenance(actor=self.actor, channel="cli", reason=reason)

    @property
    def app(self):
        if self._app is None:
            self._app = open_registry(Settings.from_env())
            click.get_current_context().call_on_close(self._app.close)
        return self._app


def handle_errors(command):
    """Turn refusals and environment problems into one-line messages and exit codes."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InvalidInput as error:
            for name, messages in error.errors.items():
                click.echo(f"error: {name}: {' '.join(messages)}", err=True)
            sys.exit(2)
        except RegistryError as error:
            where = f"{error.field}: " if error.field else ""
            click.echo(f"error: {where}{error.message}", err=True)
            sys.exit(2)
        except ConfigurationError as error:
            click.echo(f"configuration error: {error}", err=True)
            sys.exit(2)
        except (psycopg.OperationalError, OperationalError, InterfaceError) as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
            click.echo(f"cannot reach PostgreSQL ({first}); start it or check "
                       "REGISTRY_DATABASE_URL", err=True)
            sys.exit(1)

    return wrapper


class Progress:
    """A progress bar on stderr that appears only once a job has run for a second.

    With ``REGISTRY_PROGRESS=lines`` it prints a plain line instead (``LABEL: DONE/TOTAL``,
    at each whole percent), from the start and whether or not stderr is a terminal: for
    logs, and for a supervisor that watches how far a job has got."""

    def __init__(self, label: str, delay: float = 1.0):
        self.label, self.delay = label, delay
        self.started = time.monotonic()
        self.bar = None
        self.shown = 0
        self.lines = os.environ.get("REGISTRY_PROGRESS", "") == "lines"

    def __call__(self, done: int, total: int) -> None:
        if self.lines:
            if done >= total or done * 100 // max(total, 1) > self.shown * 100 // max(total, 1):
                click.echo(f"{self.label.strip()}: {done}/{total}", err=True)
                sys.stderr.flush()
            self.shown = done
            return
        if self.bar is None:
            if not sys.stderr.isatty() or time.monotonic() - self.started < self.delay:
                return
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


class StepProgress:
    """One progress bar per named step, for jobs that report ``(step, done, total)``."""

    def __init__(self, delay: float = 1.0):
        self.delay = delay
        self.bars: dict[str, Progress] = {}

    def __call__(self, step: str, done: int, total: int) -> None:
        bar = self.bars.setdefault(step, Progress(f"{step:<12}", delay=self.delay))
        bar(done, total)
        if done >= total:
            bar.close()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()
