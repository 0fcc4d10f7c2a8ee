"""Security headers on every response, and a limit on failed sign-ins.

Headers: a Content-Security-Policy that runs scripts only from this site (no inline
script, no eval) and lets no other site frame the pages (``frame-ancestors 'none'``, and
``X-Frame-Options: DENY`` for older browsers); ``X-Content-Type-Options: nosniff``; no
referrer sent to other sites. Styles too come only from this site's style sheets: no
``style`` attribute or element on any page (``style-src 'self'``, no ``'unsafe-inline'``).
The SVG charts inlined in the pages carry presentation attributes instead of the styles
matplotlib writes (``charts.svg.presentation``), badges take classes from
``static/style.css``, and scripts may still set styles through the DOM (CSSOM), which the
policy allows.

Sign-in limit: after ``LOGIN_FAILURES_PER_USER`` failed sign-ins for one username, or
``LOGIN_FAILURES_PER_ADDRESS`` from one address, within ``LOGIN_WINDOW_SECONDS``, further
attempts are refused with 429 (and ``Retry-After``) before any password is checked, until
enough failures leave the window. Unknown usernames are counted exactly like known ones,
so the limit tells nobody which accounts exist; a success clears that username's count.

The failures live in the registry's own database, in a table ``sign_in_failures`` beside
the events (the same SQLite file or PostgreSQL schema, through the read side's connection,
``projections.store.ReadStore``, as the scheduler's job store does), so every gunicorn
worker counts the same failures and a restart forgets none. They are operational state,
not part of the record: no event is stored, the ledger never sees them, and a projection
rebuild leaves them alone. Each row is a key and the wall-clock time of one failure
(seconds since the epoch: processes share no monotonic clock); the key is a digest of the
username or address, so a password typed into the username box is not kept in clear.
Rows older than the window are deleted whenever a failure is recorded.
"""

import hashlib
import math
import time

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
DEFAULTS = {"LOGIN_FAILURES_PER_USER": 5, "LOGIN_FAILURES_PER_ADDRESS": 20,
            "LOGIN_WINDOW_SECONDS": 900}
TABLE = ("CREATE TABLE IF NOT EXISTS sign_in_failures (key TEXT NOT NULL, "
         "at DOUBLE PRECISION NOT NULL)")
INDEXES = ("CREATE INDEX IF NOT EXISTS sign_in_failures_key ON sign_in_failures (key, at)",
           "CREATE INDEX IF NOT EXISTS sign_in_failures_at ON sign_in_failures (at)")


def create(cursor) -> None:
    cursor.execute(TABLE)
    for index in INDEXES:
        cursor.execute(index)


class SignInLimiter:
    """Failed sign-ins per username and per address in a sliding window, counted in the
    registry's database (``store``: a ``projections.store.ReadStore``) so that every
    process on it shares the count. ``clock`` gives wall-clock seconds (tests inject one)."""

    def __init__(self, store, per_user: int, per_address: int, window: float,
                 clock=time.time):
        self.store = store
        self.limits = {"user": per_user, "address": per_address}
        self.window, self.clock = window, clock

    def ensure_table(self) -> None:
        """Create the table if it is missing; safe when several processes start at once
        (``creating`` serialises DDL on PostgreSQL; SQLite's write lock does on SQLite)."""
        with self.store.creating() as cursor:
            create(cursor)

    @staticmethod
    def _key(kind: str, name: str) -> str:
        if kind == "user":
            name = (name or "").strip().lower()  # as the login compares usernames
        digest = hashlib.blake2b((name or "").encode("utf-8", "surrogatepass"),
                                 digest_size=16, person=b"sign-in-" + kind.encode())
        return f"{kind}:{digest.hexdigest()}"

    def _keys(self, username: str, address: str) -> list[tuple[str, str]]:
        return [("user", self._key("user", username)),
                ("address", self._key("address", address))]

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        now = self.clock()
        wait = 0.0
        with self.store.reading() as cursor:
            for kind, key in self._keys(username, address):
                # Allowed again once the limit-th newest failure in the window leaves it.
                row = cursor.execute(
                    "SELECT at FROM sign_in_failures WHERE key = ? AND at > ? "
                    "ORDER BY at DESC LIMIT 1 OFFSET ?",
                    (key, now - self.window, self.limits[kind] - 1)).fetchone()
                if row is not None:
                    wait = max(wait, row["at"] + self.window - now)
        return math.ceil(wait)

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self.store.transaction() as cursor:
            cursor.execute("DELETE FROM sign_in_failures WHERE at <= ?", (now - self.window,))
            cursor.executemany("INSERT INTO sign_in_failures (key, at) VALUES (?, ?)",
                               [(key, now) for _, key in self._keys(username, address)])

    def succeeded(self, username: str) -> None:
        with self.store.transaction() as cursor:
            cursor.execute("DELETE FROM sign_in_failures WHERE key = ?",
                           (self._key("user", username),))


def register(app) -> None:
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    limiter = SignInLimiter(
        app.extensions["registry"].read_side.store, app.config["LOGIN_FAILURES_PER_USER"],
        app.config["LOGIN_FAILURES_PER_ADDRESS"], app.config["LOGIN_WINDOW_SECONDS"])
    limiter.ensure_table()
    app.extensions["sign_in_limiter"] = limiter

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def limiter():
    from flask import current_app
    return current_app.extensions["sign_in_limiter"]
