"""How much memory a process took at its peak (no Flask): report workers log it, benchmarks print it."""

import resource
from pathlib import Path

STATUS = Path("/proc/self/status")


def peak_rss_mb():
    """This process's peak resident memory in MB, as Linux reports it (``VmHWM``).

    Unlike ``ru_maxrss``, it counts this program alone: a child started with fork and exec inherits in
    ``ru_maxrss`` the peak of the process it was started from. Where there is no ``/proc``, ``ru_maxrss`` it is.
    """
    line = next((line for line in STATUS.read_text().splitlines() if line.startswith("VmHWM:")), None) \
        if STATUS.exists() else None
    kilobytes = int(line.split()[1]) if line else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kilobytes / 1024, 1)
