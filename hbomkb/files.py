"""Files: which files of a study are raw input, their hashes, and writing output safely.

Every part of the package that asks "which files are input?" (processing, provenance, the
skip-unchanged check of a run) asks :func:`raw_files`, so hidden files and Office lock files are
treated one way everywhere. Output is written atomically (:func:`write_text_atomic`,
:func:`replace_dir`, :func:`save_workbook`): a reader sees the old or the new file, never half
of one, and a workbook is byte for byte the same for the same content.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

# Files that live beside real inputs but say nothing about the data.
IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_CHUNK = 1 << 20
FIXED_TIME = (2018, 4, 19, 0, 0, 0)  # the date of the study's first presentation
_STAMP = "2018-04-19T00:00:00Z"


def raw_files(root: str | os.PathLike, suffixes: tuple[str, ...] | None = None) -> list[Path]:
    """The input files under ``root``, sorted by path.

    Left out: hidden files and folders (``.git``, ``.DS_Store`` …), ``__pycache__``, Office
    lock files (``~$…``) and other operating-system litter; with ``suffixes``, only files
    with one of those endings.
    """
    root = Path(root)
    out = []
    for p in sorted(root.rglob("*")):
        if not p.is_file() or p.name in IGNORED_NAMES or p.name.startswith("~$"):
            continue
        parts = p.relative_to(root).parts
        if any(part.startswith(".") or part == "__pycache__" for part in parts):
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
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
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
