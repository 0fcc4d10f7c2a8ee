"""Security headers on every response, and a limit on failed sign-ins.

Headers: a Content-Security-Policy that runs scripts only from this site (no inline
script, no eval) and lets no other site frame the pages (``frame-ancestors 'none'``, and
``X-Frame-Options: DENY`` for older browsers); ``X-Content-Type-Options: nosniff``; no
referrer sent to other sites. Inline styles stay allowed: the SVG charts drawn by
matplotlib carry them.

Sign-in limit: after ``LOGIN_FAILURES_PER_USER`` failed sign-ins for one username, or
``LOGIN_FAILURES_PER_ADDRESS`` from one address, within ``LOGIN_WINDOW_SECONDS``, further
attempts are refused with 429 (and ``Retry-After``) before any password is checked, until
the oldest failure leaves the window. Unknown usernames are counted exactly like known
ones, so the limit tells nobody which accounts exist. The counts live in each process's
memory: under gunicorn each worker counts for itself, and a restart forgets them.
"""

import math
import threading
import time
from collections import defaultdict, deque

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
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


class SignInLimiter:
    """Failed sign-ins per username and per address in a sliding window."""

    def __init__(self, per_user: int, per_address: int, window: float, clock=time.monotonic):
        self.limits = {"user": per_user, "address": per_address}
        self.window, self.clock = window, clock
        self.failures: dict[tuple, deque] = defaultdict(deque)
        self.lock = threading.Lock()

    def _keys(self, username: str, address: str) -> list[tuple]:
        return [("user", (username or "").strip().lower()), ("address", address or "")]

    def retry_after(self, username: str, address: str) -> int:
        """Seconds until another attempt is allowed (0: allowed now)."""
        now = self.clock()
        wait = 0.0
        with self.lock:
            for key in self._keys(username, address):
                times = self.failures.get(key)
                if not times:
                    continue
                while times and times[0] <= now - self.window:
                    times.popleft()
                if len(times) >= self.limits[key[0]]:
                    wait = max(wait, times[0] + self.window - now)
        return math.ceil(wait)

    def failed(self, username: str, address: str) -> None:
        now = self.clock()
        with self.lock:
            for key in self._keys(username, address):
                self.failures[key].append(now)

    def succeeded(self, username: str) -> None:
        with self.lock:
            self.failures.pop(("user", (username or "").strip().lower()), None)


def register(app) -> None:
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    app.extensions["sign_in_limiter"] = SignInLimiter(
        app.config["LOGIN_FAILURES_PER_USER"], app.config["LOGIN_FAILURES_PER_ADDRESS"],
        app.config["LOGIN_WINDOW_SECONDS"])

    @app.after_request
    def security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def limiter():
    from flask import current_app
    return current_app.extensions["sign_in_limiter"]
