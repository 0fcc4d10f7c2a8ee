"""A worker process spoken to over pipes: ``python -P -m <module>``, with pickled messages
on its standard input and answers on its standard output.

For the read models' work on the second core (the ledger's hashing, ``ledger.prefetch``;
the audit's reading ahead, ``projections.readahead``). A worker that cannot start, fails
or dies is left out (``alive`` False) and its caller goes on alone, as without it.
"""

import os
import pickle
import select
import subprocess
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)


def worker_env() -> dict:
    """The environment of a worker: this one, with the registry's own code first on the
    path."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (ROOT, os.environ.get("PYTHONPATH")) if p))


class WorkerProcess:
    """One ``python -P -m module`` process and its pipes; ``first`` is sent on start."""

    def __init__(self, module: str, env: dict, first):
        try:
            # -P: the registry's own code (first on PYTHONPATH), not a package of the same
            # name that happens to be in the working directory.
            self.process = subprocess.Popen([sys.executable, "-P", "-m", module],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            env=env)
        except OSError:  # no process could be started: the caller goes on alone
            self.process, self.alive = None, False
            return
        self.alive = True
        self.send(first)

    def send(self, message) -> bool:
        try:
            pickle.dump(message, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.process.stdin.flush()
            return True
        except (OSError, ValueError):  # the worker is gone
            self.stop(kill=True)
            return False

    def answer(self):
        """The next answer, ``(kind, value)``, or None if the worker died or answered
        nonsense (it is then left out)."""
        try:
            kind, value = pickle.load(self.process.stdout)
        except Exception:
            self.stop(kill=True)
            return None
        return kind, value

    def stop(self, kill: bool) -> None:
        self.alive = False
        if self.process is None:
            return
        if kill and self.process.poll() is None:
            self.process.kill()
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def ready_to_answer(workers: list[WorkerProcess], timeout: float | None
                    ) -> list[WorkerProcess]:
    """Those of ``workers`` (each asked one request) whose answer has arrived, or which
    died (their ``answer`` is then None): at once with ``timeout`` 0, or waiting up to
    ``timeout`` seconds (None: until one has) for the first."""
    if not workers:
        return []
    by_pipe = {worker.process.stdout.fileno(): worker for worker in workers}
    readable, _, _ = select.select(list(by_pipe), [], [], timeout)
    return [by_pipe[pipe] for pipe in readable]


def serve(handle, start) -> None:
    """A worker's loop: ``start(first message)``, then ``handle(request)`` for each
    request until the input ends, each answered ``("done", result)`` or ``("failed",
    reason)``. Its standard output carries only the answers (anything printed goes to
    standard error). If ``start`` raises, the worker answers nothing and ends."""
    requests = sys.stdin.buffer
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    first = pickle.load(requests)
    try:
        start(first)
    except Exception as error:
        print(f"{sys.argv[0]}: cannot start ({type(error).__name__}: {error}); "
              "the registry goes on without this worker", file=sys.stderr)
        return
    while True:
        try:
            request = pickle.load(requests)
        except EOFError:
            return
        try:
            answer = ("done", handle(request))
        except Exception as error:
            answer = ("failed", f"{type(error).__name__}: {error}")
        pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()
