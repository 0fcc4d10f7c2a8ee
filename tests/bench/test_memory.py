"""The bench's memory figures read the kernel's own counts, per process."""

import subprocess
import sys

from bench.memory import children_peaks_mb, own_mb

HOLD = ("import sys\n"
        "held = bytearray(64 * 1024 * 1024)\n"
        "for i in range(0, len(held), 4096):\n"
        "    held[i] = 1\n"
        "print('ready', flush=True)\n"
        "sys.stdin.read()\n")


def test_a_running_child_is_counted_with_its_own_peak_not_its_parents():
    ballast = bytearray(128 * 1024 * 1024)
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    with subprocess.Popen([sys.executable, "-c", HOLD], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as child:
        assert child.stdout.readline().strip() == "ready"
        peaks = children_peaks_mb()
        assert 64 <= peaks[child.pid] < own_mb("VmHWM") - 100
        child.stdin.close()
        child.wait()
    assert child.pid not in children_peaks_mb()
    del ballast
