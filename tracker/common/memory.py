"""How much memory a process took at its peak (no Flask): report workers log it, benchmarks print it."""

import resource
from pathlib import Path


def peak_rss_mb(pid="self"):
    """The peak resident memory in MB of process ``pid`` (this one by default), as Linux reports it (``VmHWM``).

    Unlike ``ru_maxrss``, it counts that program alone: a child started with fork and exec inherits in
    ``ru_maxrss`` the peak of the process it was started from. Where there is no ``/proc``, this process's
    ``ru_maxrss`` it is (None for another process, or one that has ended).
    """
    status = Path(f"/proc/{pid}/status")
    try:
        line = next((line for line in status.read_text().splitlines() if line.startswith("VmHWM:")), None)
    except OSError:
        line = None
    if line:
        return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1) if pid == "self" else None
