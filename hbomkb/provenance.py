"""Where a report comes from: package version, git commit, study, raw inputs and parameters.

Every report starts with a provenance block so a reader can tell which data and which code
produced it. The same hashes decide whether ``hbomkb run`` may skip a notebook.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from .config import PACKAGE_DIR, PROJECT_DIR, Study

_CHUNK = 1 << 20
# Files that live beside real inputs but say nothing about the data.
_IGNORED_NAMES = {".DS_Store", "Thumbs.db"}


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 hex digest of one file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _files(root: Path, suffixes: tuple[str, ...] | None = None) -> list[Path]:
    files = []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if not p.is_file() or p.name in _IGNORED_NAMES:
            continue
        if any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
            continue
        if p.name.startswith("~$"):  # Office lock files
            continue
        if suffixes is not None and p.suffix not in suffixes:
            continue
        files.append(p)
    return files


def file_hashes(root: str | os.PathLike) -> pd.DataFrame:
    """One row per file under ``root``: ``file`` (relative, with /), ``bytes``, ``sha256``.

    Hidden files, ``__pycache__`` and Office lock files (``~$…``) are left out; rows are sorted
    by path so the table is the same on every machine.
    """
    root = Path(root)
    rows = [
        {"file": p.relative_to(root).as_posix(), "bytes": p.stat().st_size,
         "sha256": sha256_file(p)}
        for p in _files(root)
    ]
    return pd.DataFrame(rows, columns=["file", "bytes", "sha256"])


def combined_hash(hashes: pd.DataFrame) -> str:
    """One SHA-256 over a :func:`file_hashes` table: changes when any name or content changes."""
    h = hashlib.sha256()
    for name, digest in zip(hashes["file"], hashes["sha256"], strict=True):
        h.update(f"{name}\0{digest}\n".encode())
    return h.hexdigest()


def raw_inputs_hash(study: Study) -> str:
    """The combined hash of every raw input file of a study."""
    return combined_hash(file_hashes(study.root))


def source_hash() -> str:
    """A hash of the package's Python source and data files: changes when the code changes."""
    files = [p for p in _files(PACKAGE_DIR) if p.suffix in (".py", ".yaml", ".csv", ".json")]
    h = hashlib.sha256()
    for p in files:
        h.update(f"{p.relative_to(PACKAGE_DIR).as_posix()}\0{sha256_file(p)}\n".encode())
    return h.hexdigest()


def package_version() -> str:
    """The installed version of hbomkb, or the version in pyproject.toml when not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hbomkb")
    except PackageNotFoundError:
        pyproject = PROJECT_DIR / "pyproject.toml"
        if pyproject.is_file():
            import tomllib

            return str(tomllib.loads(pyproject.read_text())["project"]["version"])
        return "unknown"


def git_commit(cwd: str | os.PathLike = PROJECT_DIR) -> str | None:
    """The commit the working tree is at, with ``+dirty`` when files differ; None without git."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True,
                              text=True, timeout=10)
        if head.returncode != 0:
            return None
        status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                                cwd=cwd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = head.stdout.strip()
    return commit + ("+dirty" if status.stdout.strip() else "")


@dataclass(frozen=True)
class Provenance:
    """What produced a report: code, data, parameters and time."""

    package_version: str
    git_commit: str | None
    study: str
    study_title: str
    synthetic: bool
    raw_inputs: pd.DataFrame = field(repr=False)
    raw_hash: str = ""
    parameters: dict = field(default_factory=dict)
    run_at: str = ""

    def as_dict(self) -> dict:
        """Plain JSON-ready form (the per-file hashes as a list of records)."""
        return {
            "package_version": self.package_version,
            "git_commit": self.git_commit,
            "study": self.study,
            "study_title": self.study_title,
            "synthetic": self.synthetic,
            "raw_hash": self.raw_hash,
            "raw_inputs": self.raw_inputs.to_dict("records"),
            "parameters": self.parameters,
            "run_at": self.run_at,
        }

    def to_markdown(self) -> str:
        """The provenance block shown at the top of every report (Dutch labels)."""
        commit = self.git_commit or "geen git-commit (werkmap zonder versiebeheer)"
        params = json.dumps(self.parameters, ensure_ascii=False, default=str)
        lines = [
            "**Herkomst van dit rapport**",
            "",
            "| | |",
            "|---|---|",
            f"| pakket | hbomkb {self.package_version} |",
            f"| git-commit | `{commit}` |",
            f"| studie | {self.study_title} (`{self.study}`) |",
            f"| synthetische data | {'ja' if self.synthetic else 'nee'} |",
            f"| parameters | `{params}` |",
            f"| uitgevoerd op | {self.run_at} |",
            f"| SHA-256 van alle ruwe invoer | `{self.raw_hash}` |",
            "",
            "Ruwe invoerbestanden:",
            "",
            "| bestand | bytes | SHA-256 |",
            "|---|---:|---|",
        ]
        lines += [f"| `{f}` | {b} | `{s}` |" for f, b, s in
                  self.raw_inputs[["file", "bytes", "sha256"]].itertuples(index=False)]
        return "\n".join(lines)


def collect(study: Study, parameters: dict | None = None,
            now: datetime | None = None) -> Provenance:
    """Gather the provenance of a report about ``study`` run with ``parameters``."""
    hashes = file_hashes(study.root)
    now = now or datetime.now().astimezone()
    return Provenance(
        package_version=package_version(),
        git_commit=git_commit(),
        study=study.slug,
        study_title=study.title,
        synthetic=study.synthetic,
        raw_inputs=hashes,
        raw_hash=combined_hash(hashes),
        parameters=dict(parameters or {}),
        run_at=now.isoformat(timespec="seconds"),
    )
