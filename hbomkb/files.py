"""Files: which files of a study are raw input, their hashes, and writing output safely.

Every part of the package that asks "which files are input?" (processing, provenance, the
skip-unchanged check of a run) asks :func:`raw_files`, so hidden files and Office lock files are
treated one way everywhere. Output is written atomically (:func:`write_text_atomic`,
:func:`replace_dir`, :func:`save_workbook`): a reader sees the old or the new file, never half
of one, and a workbook is byte for byte the same for the same content. Several files that belong
together are put in place all or nothing (:func:`replace_together`), a file moves to another file
system too (:func:`move_file`), and what an interrupted write leaves behind is recognised and
cleaned (:func:`clean_leftovers`). Tables that go to spreadsheet users are written as CSV with
formula-like text neutralised (:func:`write_table_csv`, :func:`read_table_csv`).
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import secrets
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

# Files that live beside real inputs but say nothing about the data.
IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
# Study files that feed the results deck only: editing them must re-render no report.
DECK_ONLY = frozenset({"deck.md"})
_CHUNK = 1 << 20
FIXED_TIME = (2018, 4, 19, 0, 0, 0)  # the date of the study's first presentation
_STAMP = "2018-04-19T00:00:00Z"


def raw_files(root: str | os.PathLike, suffixes: tuple[str, ...] | None = None) -> list[Path]:
    """The input files under ``root``, sorted by path.

    Left out: hidden files and folders (``.git``, ``.DS_Store`` …), ``__pycache__``, Office
    lock files (``~$…``), other operating-system litter, and the deck's own text
    (``deck.md`` at the top of ``root``, :data:`DECK_ONLY`); with ``suffixes``, only files with
    one of those endings.
    """
    root = Path(root)
    out = []
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.name in IGNORED_NAMES or p.name.startswith("~$"):
            continue
        parts = p.relative_to(root).parts
        if any(part.startswith(".") or part == "__pycache__" for part in parts):
            continue
        if len(parts) == 1 and p.name in DECK_ONLY:
            continue
        if suffixes is not None and p.suffix not in suffixes:
            continue
        out.append(p)
    return out


def sha256_file(path: str | os.PathLike) -> str:
    """SHA-256 hex digest of one file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def file_hashes(root: str | os.PathLike) -> pd.DataFrame:
    """One row per :func:`raw_files` file: ``file`` (relative, with /), ``bytes``, ``sha256``."""
    root = Path(root)
    rows = [{"file": p.relative_to(root).as_posix(), "bytes": p.stat().st_size,
             "sha256": sha256_file(p)} for p in raw_files(root)]
    return pd.DataFrame(rows, columns=["file", "bytes", "sha256"])


def combined_hash(hashes: pd.DataFrame) -> str:
    """One SHA-256 over a :func:`file_hashes` table: changes when any name or content changes."""
    h = hashlib.sha256()
    for name, digest in zip(hashes["file"], hashes["sha256"], strict=True):
        h.update(f"{name}\0{digest}\n".encode())
    return h.hexdigest()


def hash_dict(hashes: pd.DataFrame) -> dict[str, str]:
    """A :func:`file_hashes` table as ``{relative path: sha256}`` (as kept in manifests)."""
    return dict(zip(hashes["file"], hashes["sha256"], strict=True))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write a file so readers see the old or the new version, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # temp files are private; outputs are not
        os.replace(tmp, path)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError) and e.errno is not None and e.filename is None:
            e.filename = str(path)  # "No space left on device: '<the file>'"
        raise
    return path


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """:func:`write_bytes_atomic` for UTF-8 text."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def replace_dir(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """Put folder ``src`` where ``dst`` is, dropping the old ``dst`` (two renames, so ``dst``
    is missing only for the instant between them, never half-written)."""
    src, dst = Path(src), Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.exists():
        old = dst.with_name(f".{dst.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(dst, old)
        os.replace(src, dst)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(src, dst)


def move_file(src: str | os.PathLike, dst: str | os.PathLike) -> Path:
    """Move a file to ``dst`` atomically, also onto another file system.

    A rename where it can be one; across file systems (``EXDEV``) the file is copied next to
    ``dst`` and renamed into place there, so ``dst`` is never half-written, then ``src`` goes.
    """
    src, dst = Path(src), Path(dst)
    try:
        os.replace(src, dst)
    except OSError as e:
        if e.errno != errno.EXDEV:
            raise
        fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out, open(src, "rb") as inp:
                shutil.copyfileobj(inp, out, _CHUNK)
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, dst)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        src.unlink()
    return dst


# What :func:`replace_together` calls the previous version of a path while it swaps.
_BACKUP = ".hbomkb-old"


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def replace_together(moves: Iterable[tuple[str | os.PathLike, str | os.PathLike | None]],
                     remove: Iterable[str | os.PathLike] = ()) -> None:
    """Put every staged file or folder where it belongs and remove ``remove``, all or nothing.

    ``moves`` are ``(staged, target)`` pairs; each staged path must already be on its target's
    file system (beside it, or in a staging folder of the same tree), so every step is a
    rename. The previous version of each target is renamed aside first; when any step fails,
    every step done so far is undone and the previous versions are back in place, then the
    error is raised. Only after every step succeeded are the previous versions deleted. A
    process killed half-way leaves ``.<name>.<token>.hbomkb-old`` paths, which
    :func:`clean_leftovers` puts back where the target went missing.
    """
    token = secrets.token_hex(4)
    steps: list[tuple[Path | None, Path, Path | None]] = []  # (staged, target, backup)
    try:
        for staged, target in [(Path(a), Path(b)) for a, b in moves] + \
                [(None, Path(r)) for r in remove]:
            backup = None
            if target.exists() or target.is_symlink():
                backup = target.with_name(f".{target.name}.{token}{_BACKUP}")
                os.replace(target, backup)
            steps.append((staged, target, backup))
            if staged is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staged, target)
    except BaseException:
        for staged, target, backup in reversed(steps):
            if staged is not None and not staged.exists() and target.exists():
                os.replace(target, staged)  # the new version goes back to staging
            if backup is not None:
                os.replace(backup, target)
        raise
    for _, _, backup in steps:
        if backup is not None:
            _remove(backup)


_LEFTOVER = re.compile(r"^\..+(\.tmp|\.old|\.[0-9a-f]{8}" + re.escape(_BACKUP) + ")$")


def clean_leftovers(folder: str | os.PathLike) -> list[Path]:
    """Remove what interrupted writes left in ``folder`` and its subfolders: the temporary
    files of :func:`write_bytes_atomic` and :func:`move_file` (``.<name>.<random>.tmp``), the
    old folders of :func:`replace_dir` (``.<name>.old``) and the previous versions
    :func:`replace_together` set aside, of which one goes back in place when its target is
    missing (the swap was cut off half-way). Returns what was removed."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in sorted(dirnames + filenames):
            if not _LEFTOVER.match(name):
                continue
            path = Path(dirpath) / name
            if name.endswith(_BACKUP):
                target = path.with_name(name[1:-len(_BACKUP) - 9])
                if not (target.exists() or target.is_symlink()):
                    os.replace(path, target)
                    continue
            _remove(path)
            removed.append(path)
        dirnames[:] = [d for d in dirnames if (Path(dirpath) / d).is_dir()]
    return removed


# Text a spreadsheet program would read as a formula when it opens a CSV file: a value that
# starts with one of these, after any apostrophes (OWASP, "CSV injection").
_FORMULA_START = re.compile(r"^'*[=+\-@\t\r\n]")
# ... unless it is a number or an interval of two numbers ("-0,40", "-0,40–0,20", "+3 %").
_NUM = r"[-+\u2212]?(?:\d+(?:[.,]\d+)*|[.,]\d+)(?:[eE][-+]?\d+)?\s?%?"
_NUMBER = re.compile(rf"^{_NUM}(?:\s*[\u2013\u2014-]\s*{_NUM})?$")


_LINE_BREAK = re.compile(r"\r\n?")


def _formula_like(text: str) -> bool:
    return bool(_FORMULA_START.match(text)) and not _NUMBER.match(text)


def csv_text(value: object) -> object:
    """A value as :func:`write_table_csv` writes it: text that a spreadsheet would take for a
    formula gets an apostrophe in front (``=HYPERLINK(…)`` -> ``'=HYPERLINK(…)``); numbers,
    intervals of numbers and every other value stay as they are."""
    return "'" + value if isinstance(value, str) and _formula_like(value) else value


def csv_text_back(value: object) -> object:
    """The inverse of :func:`csv_text`: the value as it was before it was written."""
    if isinstance(value, str) and value.startswith("'") and _formula_like(value[1:]):
        return value[1:]
    return value


def _text_columns(table: pd.DataFrame) -> list:
    """The columns that may hold text (object or string dtype, pandas 2 and 3)."""
    return [c for c, t in zip(table.columns, table.dtypes, strict=True)
            if t == object or isinstance(t, pd.StringDtype)]  # noqa: E721 (a dtype, not a type)


def write_table_csv(table: pd.DataFrame, path: str | os.PathLike) -> Path:
    """Write a report table as UTF-8 CSV (no index), atomically, every text cell and column
    name through :func:`csv_text`, so a note that reads ``=HYPERLINK(…)`` or ``@SUM(…)`` opens
    as text, not as a formula. :func:`read_table_csv` reads it back as it was, except that a
    line break inside a text is always ``\\n`` (Python's CSV writer would leave a lone ``\\r``
    unquoted, and every reader takes that for the end of the row)."""
    out = table.rename(columns=lambda c: csv_text(str(c)))
    for col in _text_columns(out):
        out[col] = out[col].map(lambda v: csv_text(_LINE_BREAK.sub("\n", v))
                                if isinstance(v, str) else v)
    return write_text_atomic(path, out.to_csv(index=False))


def read_table_csv(path: str | os.PathLike) -> pd.DataFrame:
    """A table written by :func:`write_table_csv`, with its text as it was (an empty field is
    missing; columns of numbers are numbers)."""
    table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    table = table.rename(columns=csv_text_back)
    for col in _text_columns(table):
        table[col] = table[col].map(csv_text_back)
    return table


def save_workbook(wb, path: str | os.PathLike) -> Path:
    """Save an openpyxl workbook byte for byte the same for the same content, atomically.

    openpyxl stamps the save time into the document properties and into every zip entry;
    here both get a fixed time, so a demo study or a template can be committed and compared.
    """
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                              rb"\g<1>" + _STAMP.encode(), data)
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)
    return write_bytes_atomic(path, out.getvalue())
