"""Where a report comes from: package version, git commit, study, raw inputs and parameters.

Every report starts with a provenance block so a reader can tell which data and which code
produced it. The same hashes decide whether ``hbomkb run`` may skip a notebook.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sysconfig
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

from hbomkb.config import PACKAGE_DIR, PROJECT_DIR, Study
from hbomkb.files import combined_hash, file_hashes, raw_files, sha256_file
from hbomkb.labels import label
from hbomkb.present import markdown as md


def shown_path(path: str | os.PathLike, project: Path = PROJECT_DIR) -> str:
    """How a published report names a folder of the machine that built it: relative to the
    project when it lies inside it (``data/raw/demo``, ``.`` for the project itself), otherwise
    by its own name only (a study is identified by the hash of its input, not by where it
    was). Never an absolute path: a report is read on other machines."""
    folder = Path(os.path.abspath(path))
    try:
        return folder.relative_to(project).as_posix() or "."
    except ValueError:
        return folder.name or "."


def _machine_folders() -> dict[str, str]:
    """The folders of this machine that turn up in messages and tracebacks, each with the
    name a published report uses for it: the project (its files by their relative path),
    Python's libraries, the home and the temporary folder."""
    paths = sysconfig.get_paths()
    return {str(PROJECT_DIR): ".", paths["purelib"]: "site-packages",
            paths["platlib"]: "site-packages", paths["stdlib"]: "python-lib",
            paths["platstdlib"]: "python-lib",
            os.path.expanduser("~"): "~", tempfile.gettempdir(): "$TMPDIR"}


def machine_path_hider(folders: Mapping[str | os.PathLike, str] | None = None
                       ) -> Callable[[str], str]:
    """A function that rewrites text for publishing: every absolute path in it that lies in
    one of ``folders`` (folder -> the name to show instead, e.g. a staging folder -> the
    :func:`shown_path` of the folder it publishes to) or in a folder of this machine (the
    project, Python's libraries, home, temp) is shown relative to that name; a path that is
    exactly the project's becomes relative to it (``hbomkb/notebook.py``).

    Longer folders win (a study inside the project is named by its own entry). A folder only
    matches as a whole path segment: ``/tmp/ab`` is not inside ``/tmp/a``. Embedded images
    (``data:…;base64,…``) are left as they are.
    """
    named: dict[str, str] = {}
    for folder, name in _machine_folders().items():
        if folder and os.path.isabs(folder) and folder != os.sep:
            named[os.path.normpath(folder)] = name
    for folder, name in (folders or {}).items():
        for form in {os.path.normpath(str(folder)), os.path.realpath(folder)}:
            named[form] = name
    if not named:
        return lambda text: text
    ordered = sorted(named, key=len, reverse=True)
    # an embedded image (a data: URL, whose base64 may by chance spell a folder) is passed
    # over whole; a folder matches when a slash (a path inside it goes on) or the end of the
    # path follows
    pattern = re.compile(r"(data:[\w/+.-]*;base64,[A-Za-z0-9+/=\s]*)|("
                         + "|".join(re.escape(f) for f in ordered) + ")"
                         + r"""(?:(/)|(?=[\s'"`:;,)\]}>|<\x1b]|$))""")

    def shown(match: re.Match) -> str:
        if match.group(1):
            return match.group(1)
        name, slash = named[match.group(2)], match.group(3)
        if name == "." and slash:
            return ""  # /project/hbomkb/x.py -> hbomkb/x.py
        return name + (slash or "")

    return lambda text: pattern.sub(shown, text)


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
    study: str  # the study's folder, as :func:`shown_path` names it
    study_title: str
    synthetic: bool
    raw_inputs: pd.DataFrame = field(repr=False)
    raw_hash: str = ""
    parameters: dict = field(default_factory=dict)
    run_at: str = ""
    language: str = "nl"  # of the block's words (the study's language)

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
        """The provenance block shown at the top of every report, in the study's language.
        The study's title, its folder, the parameters and the file names are text from data:
        they go in through :mod:`hbomkb.present.markdown`, so none of them can become
        markup."""
        def w(key: str) -> str:
            return label(f"prov_{key}", self.language)

        commit = md.code(self.git_commit) if self.git_commit else w("no_commit")
        params = json.dumps(self.parameters, ensure_ascii=False, default=str)
        lines = [
            f"**{w('title')}**",
            "",
            "| | |",
            "|---|---|",
            f"| {w('package')} | hbomkb {md.text(self.package_version)} |",
            f"| {w('commit')} | {commit} |",
            f"| {w('study')} | {md.text(self.study_title)} ({md.code(self.study)}) |",
            f"| {w('synthetic')} | {w('yes') if self.synthetic else w('no')} |",
            f"| {w('parameters')} | {md.code(params)} |",
            f"| {w('run_at')} | {md.text(self.run_at)} |",
            f"| {w('raw_hash')} | {md.code(self.raw_hash)} |",
            "",
            w("raw_files"),
            "",
            f"| {w('file')} | {w('bytes')} | SHA-256 |",
            "|---|---:|---|",
        ]
        lines += [f"| {md.code(f)} | {int(b)} | {md.code(s)} |" for f, b, s in
                  self.raw_inputs[["file", "bytes", "sha256"]].itertuples(index=False)]
        return "\n".join(lines)


def _shown_value(value: object) -> object:
    """A parameter as the provenance block shows it: an absolute path by :func:`shown_path`."""
    if isinstance(value, (str, os.PathLike)) and str(value) and os.path.isabs(value):
        return shown_path(value)
    return value


def collect(study: Study, parameters: dict | None = None, now: datetime | None = None,
            hashes: pd.DataFrame | None = None) -> Provenance:
    """Gather the provenance of a report about ``study`` run with ``parameters``.

    The study and every parameter that is an absolute path are named as :func:`shown_path`
    names them (``data/raw/demo``, or only the folder's name outside the project): the
    block never shows where the machine that built the report keeps its files.

    ``hashes`` is the study's :func:`hbomkb.files.file_hashes` listing when the caller has
    made it already (a report hashes its raw files once); otherwise it is made here.
    """
    hashes = file_hashes(study.root) if hashes is None else hashes
    now = now or datetime.now().astimezone()
    return Provenance(
        package_version=package_version(),
        git_commit=git_commit(),
        study=shown_path(study.root),
        study_title=study.title,
        synthetic=study.synthetic,
        raw_inputs=hashes,
        raw_hash=combined_hash(hashes),
        parameters={key: _shown_value(value) for key, value in (parameters or {}).items()},
        run_at=now.isoformat(timespec="seconds"),
        language=study.language,
    )
