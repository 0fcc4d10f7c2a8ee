"""Resident memory, as the kernel counts it per process (``/proc``).

A step's own peak (``VmHWM``) leaves out the processes it starts (gunicorn's workers, the
ledger's hashing workers), which are read while they run: the figures ``getrusage`` gives
for ended children also count the memory of the parent they were forked from.
"""

import os
import resource
from pathlib import Path


def own_mb(key: str) -> float:
    """VmRSS / VmHWM of this process in MB."""
    value = _status_kb(Path("/proc/self/status"), key)
    if value is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return value / 1024


def children_peaks_mb(parent: int | None = None) -> dict[int, float]:
    """The peak resident memory (VmHWM, MB) of each running child of ``parent`` (this
    process by default), by process id; {} where ``/proc`` cannot tell."""
    parent = os.getpid() if parent is None else parent
    try:
        children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    except OSError:
        return {}
    peaks = {}
    for pid in children:
        value = _status_kb(Path(f"/proc/{pid}/status"), "VmHWM")
        if value is not None:
            peaks[int(pid)] = value / 1024
    return peaks


def _status_kb(path: Path, key: str) -> int | None:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None
