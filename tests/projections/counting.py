"""A test projection that records each event it applies once (a duplicate would violate
the primary key) and can be told to fail, or to kill its own process, at a position."""

import os
import signal

from projections.engine import Projection


class Counting(Projection):
    name = "counting"
    tables = {"counted": "CREATE TABLE IF NOT EXISTS counted (position BIGINT PRIMARY KEY, "
                         "event TEXT NOT NULL)"}

    def __init__(self, fail_at: int | None = None, kill_at: int | None = None):
        self.fail_at, self.kill_at = fail_at, kill_at

    def apply(self, cursor, logged) -> None:
        if logged.position == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        if logged.position == self.fail_at:
            raise ValueError("cannot project this event")
        cursor.execute("INSERT INTO counted VALUES (?, ?)",
                       (logged.position, f"{logged.aggregate_type}.{logged.event_type}"))
