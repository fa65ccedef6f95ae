"""Provenance: raw-file listing and hashes, and the block at the top of every report."""

from __future__ import annotations

import json
import os
import sysconfig
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
from hostile import shown_markdown

from hbomkb import files
from hbomkb.config import PROJECT_DIR, Region, Study, Thresholds
from hbomkb.publish import provenance

# SHA-256 of b"abc" (FIPS 180-2, appendix B.1).
SHA_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def _study(root: Path, synthetic: bool = True) -> Study:
    return Study(root=root, name="t", title="Teststudie", synthetic=synthetic,
                 regions=(Region("noord", "Noord"), Region("oost", "Oost")),
                 thresholds=Thresholds(), min_group_size=3)


def test_file_hashes_are_sha256_of_contents_and_skip_hidden_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_bytes(b"abc")
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / ".hidden").write_bytes(b"x")
    (tmp_path / "~$lock.xlsx").write_bytes(b"x")
    h = files.file_hashes(tmp_path)
    assert h["file"].tolist() == ["b.txt", "sub/a.txt"]
    assert h.loc[h["file"] == "sub/a.txt", "sha256"].item() == SHA_ABC
    # SHA-256 of the empty string, from the same standard's test vectors
    assert h.loc[h["file"] == "b.txt", "sha256"].item() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    assert h["bytes"].tolist() == [0, 3]


def test_combined_hash_changes_with_content_and_with_name(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"abc")
    first = files.combined_hash(files.file_hashes(tmp_path))
    assert first == files.combined_hash(files.file_hashes(tmp_path))
    (tmp_path / "a.txt").write_bytes(b"abd")
    second = files.combined_hash(files.file_hashes(tmp_path))
    (tmp_path / "a.txt").rename(tmp_path / "c.txt")
    (tmp_path / "c.txt").write_bytes(b"abc")
    third = files.combined_hash(files.file_hashes(tmp_path))
    assert len({first, second, third}) == 3


def test_provenance_block_names_version_study_hashes_and_time(tmp_path):
    (tmp_path / "study.yaml").write_bytes(b"abc")
    when = datetime(2018, 4, 19, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    prov = provenance.collect(_study(tmp_path), {"region": "noord"}, now=when)
    md = prov.to_markdown()
    shown = shown_markdown(md)  # what a reader of the report sees
    assert f"<code>{SHA_ABC}</code>" in md
    assert "| synthetische data | ja |" in md
    assert '"region": "noord"' in shown
    assert "uitgevoerd op 2018-04-19T10:30:00+02:00" in shown
    assert f"hbomkb {prov.package_version}" in shown
    assert prov.as_dict()["raw_inputs"] == [{"file": "study.yaml", "bytes": 3,
                                             "sha256": SHA_ABC}]


def test_provenance_uses_the_hashes_it_is_given(tmp_path, monkeypatch):
    (tmp_path / "study.yaml").write_bytes(b"abc")
    hashes = files.file_hashes(tmp_path)
    monkeypatch.setattr(provenance, "file_hashes", lambda root: 1 / 0)  # must not hash again
    prov = provenance.collect(_study(tmp_path), {}, hashes=hashes)
    assert prov.raw_hash == files.combined_hash(hashes)
    assert prov.as_dict()["raw_inputs"] == [{"file": "study.yaml", "bytes": 3, "sha256": SHA_ABC}]


def test_source_hash_changes_when_code_or_a_report_template_changes(tmp_path, monkeypatch):
    template = tmp_path / "publish" / "templates" / "hbomkb" / "index.html.j2"
    template.parent.mkdir(parents=True)
    (tmp_path / "run.py").write_text("x = 1\n")
    template.write_text("{% extends 'lab/index.html.j2' %}")
    monkeypatch.setattr(provenance, "PACKAGE_DIR", tmp_path)
    first = provenance.source_hash()
    template.write_text("{% extends 'lab/index.html.j2' %}{# changed #}")
    second = provenance.source_hash()
    (tmp_path / "run.py").write_text("x = 2\n")
    assert len({first, second, provenance.source_hash()}) == 3


def test_a_folder_is_shown_relative_to_the_project_or_by_its_name_only(tmp_path):
    assert provenance.shown_path(PROJECT_DIR / "data" / "raw" / "demo") == "data/raw/demo"
    assert provenance.shown_path(PROJECT_DIR) == "."
    assert provenance.shown_path(tmp_path / "elders" / "mini") == "mini"
    assert provenance.shown_path(str(tmp_path / "a" / ".." / "b")) == "b"


def test_the_block_names_a_study_outside_the_project_by_its_folder_name_only(tmp_path):
    root = tmp_path / "ergens" / "mijnstudie"
    root.mkdir(parents=True)
    (root / "study.yaml").write_bytes(b"abc")
    prov = provenance.collect(_study(root), {"study": str(root), "region": "noord",
                                             "reports_dir": str(tmp_path / "uit")})
    shown = shown_markdown(prov.to_markdown())
    assert "(mijnstudie)" in shown and '"study": "mijnstudie"' in shown
    assert '"reports_dir": "uit"' in shown and '"region": "noord"' in shown
    assert str(tmp_path) not in prov.to_markdown() and "/tmp/" not in prov.to_markdown()
    assert str(tmp_path) not in json.dumps(prov.as_dict())


def test_the_block_names_a_study_inside_the_project_by_its_relative_path():
    root = PROJECT_DIR / "data" / "raw" / "demo"
    prov = provenance.collect(_study(root), {"study": str(root)},
                              hashes=pd.DataFrame(columns=["file", "bytes", "sha256"]))
    shown = shown_markdown(prov.to_markdown())
    assert "(data/raw/demo)" in shown and '"study": "data/raw/demo"' in shown
    assert str(PROJECT_DIR) not in prov.to_markdown()


def test_published_text_names_no_folder_of_this_machine(tmp_path):
    staging = tmp_path / "reports" / "mini" / ".staging" / "region-noord"
    hide = provenance.machine_path_hider({str(staging): "mini", str(tmp_path / "s"): "s"})
    assert hide(f'reports_dir = "{staging}"') == 'reports_dir = "mini"'
    assert hide(f"open('{tmp_path / 's' / 'study.yaml'}')") == "open('s/study.yaml')"
    # a traceback: the package by its path in the project, libraries and home by name
    assert hide(f"File \x1b[0;32m{PROJECT_DIR / 'hbomkb' / 'notebook.py'}:80\x1b[0m") == \
        "File \x1b[0;32mhbomkb/notebook.py:80\x1b[0m"
    site = sysconfig.get_paths()["purelib"]
    assert hide(f"{site}/pandas/core/frame.py") == "site-packages/pandas/core/frame.py"
    home = os.path.expanduser("~")
    assert hide(f"{home}/.cache/x") == "~/.cache/x"
    assert hide(f"{tmp_path}/anders") == f"$TMPDIR/{tmp_path.relative_to(tempfile.gettempdir())}"\
        "/anders"
    # a folder matches whole segments only, and embedded images are left as they are
    assert hide(f"{tmp_path / 'sx'}/y") == f"$TMPDIR/{tmp_path.relative_to(tempfile.gettempdir())}"\
        "/sx/y"
    image = f'<img src="data:image/png;base64,AB{tempfile.gettempdir()}/Cd==">'
    assert hide(image) == image
