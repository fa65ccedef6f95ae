"""A worker process of ``hbomkb run`` lives and dies with its run.

``hbomkb run`` executes notebooks in worker processes, and every worker starts a kernel per
notebook. When the run ends in any way — finished, Ctrl-C, ``kill``, even ``kill -9`` — no worker
or kernel may go on executing and publishing. So every worker, as it starts
(:func:`start`, the pool's initializer):

- asks Linux to send it SIGTERM the moment its parent dies (``prctl(PR_SET_PDEATHSIG)``), and
  also watches its parent from a thread (every 0.2 s; the only guard where prctl does not
  exist);
- on SIGTERM or a lost parent, kills the kernels it started (each kernel runs in a process
  group of its own, which jupyter_client gives it) and then exits at once, without publishing
  anything more.

A kernel that loses its worker some other way (the worker itself killed with SIGKILL) exits by
itself: ipykernel polls its parent (``JPY_PARENT_PID``) every second.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
POLL_SECONDS = 0.2

_kernels: set[int] = set()


def start(parent: int) -> None:
    """Bind this worker process to its parent ``parent`` (the run); see the module doc."""
    signal.signal(signal.SIGTERM, _on_term)
    # Ctrl-C reaches the run, which ends its workers; a worker does not stop half-way on its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the run died before prctl took effect
        stop()
    threading.Thread(target=_watch, args=(parent,), name="hbomkb-watch-run",
                     daemon=True).start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    stop()


def _on_term(signum, frame) -> None:
    stop()


def add_kernel(pid: int) -> None:
    """Remember a kernel this worker started, so :func:`stop` can take it down."""
    _kernels.add(pid)


def drop_kernel(pid: int) -> None:
    """Forget a kernel that has shut down."""
    _kernels.discard(pid)


def stop() -> None:
    """Kill this worker's kernels (their whole process groups) and end the worker now."""
    for pid in list(_kernels):
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    os._exit(1)


@contextmanager
def ended_on_interrupt(pool) -> Iterator[None]:
    """In the run: when its loop over the pool ends with an exception (Ctrl-C), end the
    pool's workers at once, each taking its kernels down, instead of waiting for their
    notebooks to finish."""
    try:
        yield
    except BaseException:
        terminate = getattr(pool, "terminate_workers", None)  # Python 3.14 and later
        if terminate is not None:
            terminate()
        else:  # before 3.14 the executor keeps its processes in a private mapping only
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
