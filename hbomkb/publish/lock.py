"""One ``hbomkb run`` at a time per reports folder, and a clean start after an interrupted one.

Two runs writing the same reports (or figures) folder would publish into each other's staging
and fail each other's notebooks. :func:`hold` takes an exclusive lock on the folders a run
writes (``fcntl.flock`` on a ``.lock`` file in each, which the operating system releases when the
run ends in any way, also with ``kill -9``); a second run refuses at once with one line naming
the run that holds the lock. :func:`clean_start` then removes what an interrupted run left
behind: staging folders, temporary files, set-aside old versions, and the IPC folders of its
kernels.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from hbomkb.config import StudyError
from hbomkb.files import clean_leftovers

try:
    import fcntl
except ImportError:  # not a POSIX system: runs are not locked there
    fcntl = None

LOCK_FILE = ".lock"
STAGING = ".staging"
# The private folders (IPC sockets) of the kernels of a run: hbomkb-k-<pid of the worker>-…
KERNEL_DIR_PREFIX = "hbomkb-k-"
_KERNEL_DIR = re.compile(rf"^{KERNEL_DIR_PREFIX}(\d+)-")


class RunBusy(StudyError):
    """Another run holds the lock of a reports or figures folder."""


class Held:
    """The locks a run holds; :meth:`release` (or the end of the process) lets them go."""

    def __init__(self, fds: list[int]):
        self._fds = fds

    def release(self) -> None:
        for fd in self._fds:
            try:
                os.ftruncate(fd, 0)  # no stale pid left behind; the folder stays the same
            except OSError:
                pass
            os.close(fd)  # closing the file releases its flock
        self._fds = []

    def __del__(self):
        self.release()


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").split()
    except OSError:
        text = []
    return f"pid {text[0]}, since {text[1]}" if len(text) >= 2 else "pid unknown"


def hold(*folders: Path) -> Held:
    """Lock every folder in ``folders`` for this run, or raise :class:`RunBusy` (and hold
    nothing) when another run has one of them."""
    if fcntl is None:
        return Held([])
    held: list[int] = []
    for folder in dict.fromkeys(Path(f).resolve() for f in folders):
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / LOCK_FILE
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)  # held open until released
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            Held(held).release()
            raise RunBusy(f"another hbomkb run ({_holder(path)}) is writing {folder}; nothing "
                          "was done: wait until it has finished, then run again") from None
        held.append(fd)
        since = datetime.now().astimezone().isoformat(timespec="seconds")
        try:  # who holds the lock, for the message a second run gives; a courtesy only
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {since}\n".encode(), 0)
        except OSError:  # a full disk: the lock holds all the same
            pass
    return Held(held)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_start(*folders: Path) -> list[Path]:
    """Remove what an interrupted run left in ``folders`` (a run's reports and figures
    folders, which it holds locked): the staging folders, and every leftover
    :func:`hbomkb.files.clean_leftovers` recognises; and the IPC folders of kernels whose
    worker process is gone. Returns what was removed."""
    removed = []
    for folder in dict.fromkeys(Path(f) for f in folders):
        staging = folder / STAGING
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
            removed.append(staging)
        removed += clean_leftovers(folder)
    tmp = Path(tempfile.gettempdir())
    try:
        candidates = [p for p in tmp.iterdir() if p.name.startswith(KERNEL_DIR_PREFIX)]
    except OSError:
        candidates = []
    for path in candidates:
        m = _KERNEL_DIR.match(path.name)
        if m and not _alive(int(m.group(1))) and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
