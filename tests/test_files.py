"""Raw input files listed one way, their hashes, and output written atomically and repeatably."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest

from hbomkb import files


def _touch(root: Path, *names: str) -> None:
    for name in names:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(name.encode())


def test_raw_files_leave_out_hidden_files_lock_files_and_litter(tmp_path):
    _touch(tmp_path, "study.yaml", "codebook.xlsx", "workshops/noord.xlsx",
           "workshops/oost/notes.csv", "survey/responses.csv",
           ".hidden.yaml", "workshops/.DS_Store", ".DS_Store", "workshops/~$noord.xlsx",
           "Thumbs.db", "survey/desktop.ini", ".git/config", "workshops/.backup/noord.xlsx",
           "__pycache__/x.pyc")
    (tmp_path / "emptydir").mkdir()
    got = [p.relative_to(tmp_path).as_posix() for p in files.raw_files(tmp_path)]
    assert got == ["codebook.xlsx", "study.yaml", "survey/responses.csv", "workshops/noord.xlsx",
                   "workshops/oost/notes.csv"]
    xlsx = [p.name for p in files.raw_files(tmp_path / "workshops", suffixes=(".xlsx",))]
    assert xlsx == ["noord.xlsx"]


def test_a_hidden_folder_above_the_root_does_not_hide_its_files(tmp_path):
    _touch(tmp_path, ".studies/mine/study.yaml")
    assert [p.name for p in files.raw_files(tmp_path / ".studies" / "mine")] == ["study.yaml"]


def test_sha256_is_the_standard_digest(tmp_path):
    (tmp_path / "abc.txt").write_bytes(b"abc")
    # FIPS 180-2, appendix B.1
    fips = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert files.sha256_file(tmp_path / "abc.txt") == fips
    table = files.file_hashes(tmp_path)
    assert table.to_dict("records") == [{"file": "abc.txt", "bytes": 3, "sha256": fips}]
    assert files.hash_dict(table) == {"abc.txt": fips}


def test_file_hashes_cover_raw_files_only_with_relative_paths(tmp_path):
    _touch(tmp_path, "a/b.csv", "~$lock.xlsx", ".DS_Store")
    assert files.file_hashes(tmp_path)["file"].tolist() == ["a/b.csv"]
    assert list(files.file_hashes(tmp_path / "none").columns) == ["file", "bytes", "sha256"]


def test_combined_hash_changes_with_any_name_or_content(tmp_path):
    _touch(tmp_path, "a.csv", "b.csv")
    before = files.combined_hash(files.file_hashes(tmp_path))
    assert files.combined_hash(files.file_hashes(tmp_path)) == before
    _touch(tmp_path, ".DS_Store", "~$a.xlsx")  # litter changes nothing
    assert files.combined_hash(files.file_hashes(tmp_path)) == before
    (tmp_path / "b.csv").write_bytes(b"other")
    changed = files.combined_hash(files.file_hashes(tmp_path))
    assert changed != before
    (tmp_path / "b.csv").rename(tmp_path / "c.csv")
    assert files.combined_hash(files.file_hashes(tmp_path)) not in (before, changed)


def test_write_text_atomic_replaces_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "out" / "tabel.csv"
    files.write_text_atomic(target, "één\n")
    assert target.read_bytes() == "één\n".encode()
    inode = target.stat().st_ino
    files.write_text_atomic(target, "twee\n")
    assert target.read_text(encoding="utf-8") == "twee\n"
    assert target.stat().st_ino != inode  # a new file renamed into place, not rewritten
    assert os.listdir(target.parent) == ["tabel.csv"]
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask  # not the temp file's private mode


def test_a_failed_write_keeps_the_old_file_and_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "tabel.csv"
    files.write_text_atomic(target, "oud\n")

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(files.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        files.write_bytes_atomic(target, b"nieuw\n")
    assert target.read_text() == "oud\n"
    assert os.listdir(tmp_path) == ["tabel.csv"]


def test_replace_dir_puts_the_new_folder_in_place(tmp_path):
    dst = tmp_path / "processed" / "demo"
    first = tmp_path / "first"
    _touch(first, "a.parquet", "old-only.parquet")
    files.replace_dir(first, dst)  # no dst yet
    assert not first.exists() and sorted(os.listdir(dst)) == ["a.parquet", "old-only.parquet"]
    second = tmp_path / "second"
    _touch(second, "a.parquet")
    (second / "a.parquet").write_bytes(b"new")
    files.replace_dir(second, dst)
    assert not second.exists() and os.listdir(dst) == ["a.parquet"]
    assert (dst / "a.parquet").read_bytes() == b"new"
    assert os.listdir(dst.parent) == ["demo"]  # the old folder is gone, not left beside it


def _workbook(created: dt.datetime) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.active.title = "Notities"
    wb.active.append(["GR1", "Stageplekken"])
    wb.properties.created = created
    return wb


def test_save_workbook_gives_the_same_bytes_for_the_same_content(tmp_path):
    a = files.save_workbook(_workbook(dt.datetime(1999, 1, 1)), tmp_path / "a.xlsx")
    b = files.save_workbook(_workbook(dt.datetime(2024, 6, 30, 12)), tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {files.FIXED_TIME}
        core = z.read("docProps/core.xml").decode()
    assert "2018-04-19T00:00:00Z" in core and "1999" not in core
    back = openpyxl.load_workbook(a)
    assert back["Notities"]["B1"].value == "Stageplekken"
    other = _workbook(dt.datetime(1999, 1, 1))
    other.active["B1"] = "Kennis"
    assert files.save_workbook(other, tmp_path / "c.xlsx").read_bytes() != a.read_bytes()
