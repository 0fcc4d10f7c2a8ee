"""The benchmark API under gunicorn (two workers) and a thread-pool load generator.

gunicorn runs ``web.wsgi:app`` as production does, configured only by the environment.
A regulator's API token comes from the users service. Sixteen client threads (each a
new ``http.client`` connection per request: gunicorn's sync workers close them) ask
for random benchmark cells for a bounded time; the floor is the same load on
``/health``, which does no work, so it is what the server and the load generator cost
on this machine. The load generator shares the machine's two cores with the workers.
"""

import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

from bench.figures import percentile
from bench.memory import children_peaks_mb

ROOT = Path(__file__).resolve().parents[1]
STARTUP = 60
USERNAME = "bench-regulator"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def measure_api(ctx, result) -> None:
    app = ctx.open_registry()
    try:
        if app.get_user(USERNAME) is None:
            app.add_user({"username": USERNAME, "name": "Benchmark regulator",
                          "role": "regulator", "organisation": None,
                          "password": "bench-password-not-secret"}, ctx.admin())
        token = app.issue_token({"username": USERNAME, "label": "bench"}, ctx.admin())["token"]
        cells = [tuple(r.values()) for r in app.read_side.store.query(
            "SELECT DISTINCT indicator, service_line, period FROM benchmark_groups "
            "ORDER BY indicator, service_line, period")]
    finally:
        app.close()
    paths = [f"/api/v1/benchmarks/{quote(i)}/{quote(p)}?service_line={quote(s)}"
             for i, s, p in cells]
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update({"REGISTRY_DATABASE_URL": ctx.database_url, "REGISTRY_HOME": str(ctx.work),
                "REGISTRY_INLINE_PROJECTIONS": "off",
                "REGISTRY_LEDGER_KEY": str(ctx.work / "ledger-key.json"),
                "REGISTRY_SECRET_KEY": "bench-secret-not-secret"})
    port = free_port()
    log_path = ctx.work / "gunicorn.log"
    with log_path.open("w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
             "--graceful-timeout", "5", "web.wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_healthy(process, port, log)
            headers = {"Authorization": f"Bearer {token}"}
            # one request per path shape first, so a broken API fails loudly, not as a rate
            status, body = _get(port, paths[0], headers)
            if status != 200:
                raise RuntimeError(f"the benchmark API answered {status}: {body[:300]!r}")
            floor_seconds = max(1.0, ctx.http_seconds / 2)
            health = _load(port, ["/health"], {}, ctx.http_clients, floor_seconds, ctx.seed,
                           lambda done: ctx.progress("http /health", done, None, "requests"))
            api = _load(port, paths, headers, ctx.http_clients, ctx.http_seconds, ctx.seed,
                        lambda done: ctx.progress("http benchmarks", done, None, "requests"))
            workers_mb = list(children_peaks_mb(process.pid).values())
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    result.add("benchmark API throughput (2 gunicorn workers, "
               f"{ctx.http_clients} clients)", api["rate"], "requests/s",
               floor_label="/health under the same load", floor=health["rate"],
               detail=f"{api['ok']:,} answered 200 in {api['seconds']:.1f} s; "
                      f"{api['errors']} errors")
    for q in (50, 95, 99):
        result.add(f"benchmark API latency p{q}", api[f"p{q}"], "ms", kind="latency",
                   floor_label="/health latency", floor=health[f"p{q}"])
    if workers_mb:
        result.notes.append("peak resident memory of the gunicorn workers: "
                            + ", ".join(f"{mb:.0f} MB" for mb in workers_mb))
    if api["errors"]:
        result.notes.append(f"{api['errors']} requests failed: {api['first_error']}")


def _get(port: int, path: str, headers: dict) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _load(port: int, paths: list[str], headers: dict, clients: int, seconds: float,
          seed: int, progress) -> dict:
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    first_error: list[str] = []
    deadline = time.monotonic() + seconds
    stop = threading.Event()

    def client(index: int) -> None:
        rng = random.Random(seed * 1000 + index)
        while time.monotonic() < deadline and not stop.is_set():
            path = rng.choice(paths)
            started = time.perf_counter()
            try:
                status, _ = _get(port, path, headers)
            except (OSError, http.client.HTTPException) as error:
                status, _ = 0, str(error)
                if not first_error:
                    first_error.append(f"{type(error).__name__}: {error}")
            elapsed = (time.perf_counter() - started) * 1000
            if status == 200:
                latencies[index].append(elapsed)
            else:
                errors[index] += 1
                if not first_error:
                    first_error.append(f"HTTP {status} for {path}")

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        time.sleep(0.5)
        progress(sum(len(x) for x in latencies))
    elapsed = time.perf_counter() - started
    samples = [x for per in latencies for x in per]
    out = {"ok": len(samples), "errors": sum(errors), "seconds": elapsed,
           "rate": len(samples) / elapsed if elapsed else 0.0,
           "first_error": first_error[0] if first_error else None}
    for q in (50, 95, 99):
        out[f"p{q}"] = percentile(samples, q) if samples else None
    return out


def _wait_until_healthy(process, port: int, log) -> None:
    deadline = time.monotonic() + STARTUP
    while time.monotonic() < deadline:
        try:
            status, body = _get(port, "/health", {})
            if status == 200 and json.loads(body) == {"status": "ok"}:
                return
        except (OSError, http.client.HTTPException, ValueError):
            pass
        try:
            process.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            continue
        raise RuntimeError(f"gunicorn exited with {process.returncode}: {_tail(log)}")
    raise RuntimeError(f"gunicorn did not answer /health within {STARTUP}s: {_tail(log)}")


def _tail(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-3000:]


