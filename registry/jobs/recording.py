"""Recording notices so that a job can run any number of times, in any number of processes.

A job works out which notices of its kind are warranted on its clock's day and hands
them to ``record_notices``, which compares them with the notices projection (caught
up first) and records only the difference: a ``Raised`` for each new subject, a
``Reopened`` for one withdrawn earlier, a ``Withdrawn`` (with the job's reason) for
each open notice no longer warranted. Run again for the same moment it finds nothing
to do. Notices are saved in chunks; when a chunk collides with a notice another
process recorded first (``IntegrityError`` on the aggregate's version), each of its
notices is re-read from the event store and saved alone, and those already recorded
are skipped.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from projections.notices import notice_states
from registry.notice import Notice, Subject
from registry.provenance import Actor, Provenance
from registry.services.permissions import authorise

SCHEDULER = Actor(user_id="registry.scheduler", organisation="REGISTRY", role="system")
CHUNK = 200


@dataclass(frozen=True)
class JobResult:
    job: str
    recorded: int
    withdrawn: int
    summary: str


def system_provenance(reason: str) -> Provenance:
    return Provenance(actor=SCHEDULER, channel="scheduler", reason=reason)


def day_of(now: datetime) -> date:
    """The job's clock as a calendar day (UTC, as the registry's recorded times)."""
    return (now.astimezone(UTC) if now.tzinfo else now).date()


def catch_up(app, *names: str) -> None:
    """Bring the read models a job reads up to date: it never decides from stale ones."""
    for name in names:
        app.read_side.catch_up(name)


# (because, reason) for an open notice, given its current row in the notices read model.
Withdrawal = Callable[[dict], tuple[str, str]]


def record_notices(app, job: str, kind: str, warranted: dict[UUID, Subject], day: date,
                   withdrawal: Withdrawal, provenance: Provenance | None = None) -> JobResult:
    provenance = provenance or system_provenance(job)
    authorise(provenance, "record_notices")
    catch_up(app, "notices")
    known = notice_states(app.read_side.store, kind)
    actions = [_Raise(subject, known=str(nid) in known)
               for nid, subject in sorted(warranted.items(), key=lambda w: _order(w[1]))
               if (known.get(str(nid)) or {}).get("status") != "open"]
    actions += [_Withdraw(UUID(nid), *withdrawal(row)) for nid, row in sorted(known.items())
                if row["status"] == "open" and UUID(nid) not in warranted]
    tally = {"recorded": 0, "withdrawn": 0}
    for start in range(0, len(actions), CHUNK):
        _carry_out(app, actions[start:start + CHUNK], day, provenance, tally)
    return JobResult(job, tally["recorded"], tally["withdrawn"],
                     f"{job} on {day}: {tally['recorded']} recorded, {tally['withdrawn']} "
                     f"withdrawn, {len(warranted)} open")


def _order(subject: Subject) -> tuple:
    """Notices are recorded in a stable order: by due date, then subject."""
    return subject.due, subject.key


def _carry_out(app, actions: list, day: date, provenance: Provenance, tally: dict) -> None:
    built = [(action, action.build(app, day, provenance, fresh=False)) for action in actions]
    notices = [notice for _, notice in built if notice is not None]
    try:
        if notices:
            app.save(*notices)
    except IntegrityError:
        for action in actions:  # someone recorded some of these first: one at a time
            notice = action.build(app, day, provenance, fresh=True)
            try:
                if notice is not None:
                    app.save(notice)
                    tally[action.counts] += 1
            except IntegrityError:
                pass  # already recorded by another process
        return
    for action, notice in built:
        if notice is not None:
            tally[action.counts] += 1


def _stored(app, notice_id: UUID) -> Notice | None:
    try:
        return app.repository.get(notice_id)
    except AggregateNotFoundError:
        return None


@dataclass
class _Raise:
    subject: Subject
    known: bool
    counts = "recorded"

    def build(self, app, day: date, provenance: Provenance, fresh: bool) -> Notice | None:
        """A new notice, or the stored one reopened. A subject the read model has never seen
        is raised without reading the store, unless ``fresh`` (after a collision)."""
        stored = _stored(app, self.subject.id) if self.known or fresh else None
        if stored is None:
            return Notice.raise_for(self.subject, day,
                                    provenance.because(self.subject.describe()).as_dict())
        if stored.is_open:
            return None
        stored.reopen(day, provenance.because(self.subject.describe()).as_dict())
        return stored


@dataclass
class _Withdraw:
    notice_id: UUID
    because: str
    reason: str
    counts = "withdrawn"

    def build(self, app, day: date, provenance: Provenance, fresh: bool) -> Notice | None:
        stored = _stored(app, self.notice_id)
        if stored is None or not stored.is_open:
            return None
        stored.withdraw(self.because, day, provenance.because(self.reason).as_dict())
        return stored
