"""Where a report comes from: package version, git commit, study, raw inputs and parameters.

Every report starts with a provenance block so a reader can tell which data and which code
produced it. The same hashes decide whether ``hbomkb run`` may skip a notebook.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version

import pandas as pd

from hbomkb.config import PACKAGE_DIR, PROJECT_DIR, Study
from hbomkb.files import combined_hash, file_hashes, raw_files, sha256_file
from hbomkb.present import markdown as md


def raw_inputs_hash(study: Study) -> str:
    """The combined hash of every raw input file of a study."""
    return combined_hash(file_hashes(study.root))


def source_hash() -> str:
    """A hash of the package's Python source, templates and data files: changes when the code
    changes."""
    files = raw_files(PACKAGE_DIR, suffixes=(".py", ".j2", ".yaml", ".csv", ".json"))
    h = hashlib.sha256()
    for p in files:
        h.update(f"{p.relative_to(PACKAGE_DIR).as_posix()}\0{sha256_file(p)}\n".encode())
    return h.hexdigest()


def package_version() -> str:
    """The installed version of hbomkb, or the version in pyproject.toml when not installed."""
    try:
        return version("hbomkb")
    except PackageNotFoundError:
        pyproject = PROJECT_DIR / "pyproject.toml"
        if pyproject.is_file():
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
        """The provenance block shown at the top of every report (Dutch labels). The study's
        title, its folder, the parameters and the file names are text from data: they go in
        through :mod:`hbomkb.present.markdown`, so none of them can become markup."""
        commit = (md.code(self.git_commit) if self.git_commit else
                  "geen git-commit (werkmap zonder versiebeheer)")
        params = json.dumps(self.parameters, ensure_ascii=False, default=str)
        lines = [
            "**Herkomst van dit rapport**",
            "",
            "| | |",
            "|---|---|",
            f"| pakket | hbomkb {md.text(self.package_version)} |",
            f"| git-commit | {commit} |",
            f"| studie | {md.text(self.study_title)} ({md.code(self.study)}) |",
            f"| synthetische data | {'ja' if self.synthetic else 'nee'} |",
            f"| parameters | {md.code(params)} |",
            f"| uitgevoerd op | {md.text(self.run_at)} |",
            f"| SHA-256 van alle ruwe invoer | {md.code(self.raw_hash)} |",
            "",
            "Ruwe invoerbestanden:",
            "",
            "| bestand | bytes | SHA-256 |",
            "|---|---:|---|",
        ]
        lines += [f"| {md.code(f)} | {int(b)} | {md.code(s)} |" for f, b, s in
                  self.raw_inputs[["file", "bytes", "sha256"]].itertuples(index=False)]
        return "\n".join(lines)


def collect(study: Study, parameters: dict | None = None, now: datetime | None = None,
            hashes: pd.DataFrame | None = None) -> Provenance:
    """Gather the provenance of a report about ``study`` run with ``parameters``.

    ``hashes`` is the study's :func:`hbomkb.files.file_hashes` listing when the caller has
    made it already (a report hashes its raw files once); otherwise it is made here.
    """
    hashes = file_hashes(study.root) if hashes is None else hashes
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
