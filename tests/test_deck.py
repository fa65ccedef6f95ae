"""The results deck: read back with python-pptx from a real run of a three-region study.

A three-region synthetic study (with its survey) runs once through ``hbomkb run``, which also
writes the deck; a two-region English study without survey answers runs once for the English
deck. Every check reads the .pptx as a user's presentation program would.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from hbomkb import config, files
from hbomkb.config import load_study
from hbomkb.labels import label
from hbomkb.publish import deck
from hbomkb.publish.deck.plan import conclusion_paragraphs

REGIONS = ["noord", "oost", "zuid-west"]


def _env(tmp: Path) -> dict:
    env = dict(os.environ)
    env.update(HBOMKB_DATA_DIR=str(tmp / "data"), HBOMKB_REPORTS_DIR=str(tmp / "reports"),
               HBOMKB_FIGURES_DIR=str(tmp / "figures"), PYTHONPATH=str(config.PROJECT_DIR),
               MPLCONFIGDIR=os.environ.get("MPLCONFIGDIR", str(tmp / "mpl")))
    return env


def _cli(tmp: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hbomkb", *args], env=env or _env(tmp),
                          capture_output=True, text=True, timeout=900)


def _run_study(tmp: Path, name: str, **generate) -> Path:
    from hbomkb.demo.generator import generate as make

    root = make(tmp / "data" / "raw" / name, **generate)
    res = _cli(tmp, "run", "--study", str(root), "--jobs", "2", "--no-progress")
    assert res.returncode == 0, res.stderr
    assert f"{name}-presentatie.pptx (written)" in res.stdout, res.stdout
    return root


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A three-region study with survey, run once (reports, figures and deck)."""
    tmp = tmp_path_factory.mktemp("deck")
    root = _run_study(tmp, "drie", seed=5, regions=REGIONS)
    study = load_study(root)
    reports, figures = tmp / "reports" / "drie", tmp / "figures" / "drie"
    path = reports / "drie-presentatie.pptx"
    return {"tmp": tmp, "study": study, "reports": reports, "figures": figures, "path": path,
            "prs": Presentation(str(path))}


def _title(slide) -> str:
    return slide.shapes.title.text if slide.shapes.title is not None else ""


def _notes(slide) -> str:
    return slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""


def _expected_titles(study, survey: bool = True) -> list[str]:
    lang, names = study.language, study.region_names
    out = [study.title]
    out += [label("deck_landscape", lang, region=names[r]) for r in study.region_slugs]
    for side in ("hbo", "mkb"):
        out += [label("deck_top3", lang, side=label(side, lang), region=names[r])
                for r in study.region_slugs]
        out += [label("deck_heatmap", lang, side=label(side, lang)),
                label("deck_quadrants", lang, side=label(side, lang))]
    out.append(label("deck_compared", lang))
    if survey:
        out += [label("deck_respondents", lang), label("deck_ranking", lang)]
    out += [label("deck_forms_top3", lang, region=names[r]) for r in study.region_slugs]
    out += [label("deck_forms_heatmap", lang), label("deck_forms_quadrants", lang)]
    if survey:
        out += [label("deck_forms_scores", lang, side=label(s, lang)) for s in ("hbo", "mkb")]
        out.append(label("deck_forms_fit", lang))
    return out


def test_slide_titles_follow_the_seed_order_with_a_slide_per_region(demo):
    titles = [_title(s) for s in demo["prs"].slides]
    expected = _expected_titles(demo["study"])
    assert titles[:len(expected)] == expected
    rest = titles[len(expected):]
    assert rest and all(t.startswith("Conclusies") for t in rest)
    # three regions: three slides in each regional section
    for key in ("deck_landscape", "deck_forms_top3"):
        stem = label(key, "nl", region="")
        assert sum(t.startswith(stem) for t in titles) == 3


def test_every_picture_present_and_not_stretched(demo):
    prs = demo["prs"]
    pictures = 0
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.shape_type != MSO_SHAPE_TYPE.PICTURE:
                continue
            pictures += 1
            px_w, px_h = shape.image.size
            assert abs(shape.width / shape.height - px_w / px_h) < 0.01 * px_w / px_h
            assert (shape.crop_left, shape.crop_right, shape.crop_top, shape.crop_bottom) == \
                (0, 0, 0, 0)
            assert 0 <= shape.left and shape.left + shape.width <= prs.slide_width
            assert 0 <= shape.top and shape.top + shape.height <= prs.slide_height
            # the picture is the published figure, byte for byte
            assert any(shape.image.blob == p.read_bytes() for p in demo["figures"].glob("*.png"))
    # a landscape per region; 3 heatmaps and 3 quadrant charts (hbo, mkb, forms); ranking,
    # 2 form heatmaps (hbo, mkb), fit
    assert pictures == len(REGIONS) + 3 + 3 + 1 + 2 + 1


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def test_table_numbers_equal_the_report_csvs_as_rounded(demo):
    checked = 0
    for slide in demo["prs"].slides:
        tables = [s for s in slide.shapes if s.has_table]
        if not tables:
            continue
        source = re.search(r"(tables/[^ ]+\.csv)", _notes(slide)).group(1)
        csv = pd.read_csv(demo["reports"] / source, dtype=str, keep_default_na=False)
        table = tables[0].table
        header = [table.cell(0, j).text for j in range(len(table.columns))]
        assert set(header) <= set(csv.columns)
        assert len(table.rows) == len(csv) + 1
        for i, (_, row) in enumerate(csv.iterrows(), start=1):
            for j, col in enumerate(header):
                shown, raw = table.cell(i, j).text, row[col]
                if re.fullmatch(r"-?\d+", raw):
                    assert shown == raw
                elif re.fullmatch(r"-?\d*\.\d+(e-?\d+)?", raw):
                    assert _number(shown) == round(float(raw), 2), (source, col, raw, shown)
                    checked += 1
                else:
                    assert shown == (raw or "–")
        checked += 1
    assert checked >= 3 + 3 + 3 + 2  # top 3 hbo, mkb, forms per region; compared; respondents


def test_notes_name_source_n_and_provenance_on_every_result_slide(demo):
    slides = list(demo["prs"].slides)[1:]
    national = (demo["reports"] / "national.ipynb").read_text(encoding="utf-8")
    raw_hash = re.search(r"SHA-256 van alle ruwe invoer \| (?:<code>|`)([0-9a-f]{64})",
                         national).group(1)
    for slide in slides:
        notes = _notes(slide)
        assert raw_hash in notes or "region-" in notes, _title(slide)
        assert re.search(r"SHA-256 van alle ruwe invoer [0-9a-f]{64}", notes), _title(slide)
        assert "commit " in notes
        if not _title(slide).startswith("Conclusies"):
            assert re.search(r"Bron: tables/[^ ]+\.csv – .+ \(n = \d+", notes), notes


def test_conclusions_worded_as_the_national_report(demo):
    pub = deck.sources.Published(demo["study"], demo["reports"], demo["figures"])
    head, bullets, _ = conclusion_paragraphs(pub.conclusions())
    shown = "\n".join(s.shapes.placeholders[1].text_frame.text
                      for s in demo["prs"].slides if _title(s).startswith("Conclusies"))
    for bullet in bullets:
        assert bullet.replace("**", "").replace("*", "") in shown
    assert "n = " in shown


def test_synthetic_notice_on_every_slide(demo):
    notice = label("deck_synthetic", "nl", study="drie")
    for slide in demo["prs"].slides:
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        assert notice in texts, _title(slide)


def test_document_properties_come_from_the_study(demo):
    core = demo["prs"].core_properties
    assert core.title == demo["study"].title
    assert core.author.startswith("hbomkb ") and core.last_modified_by == core.author
    assert core.created.year >= 2024 and core.created == core.modified
    assert core.language == "nl-NL" and "drie" in core.keywords
    with zipfile.ZipFile(demo["path"]) as z:
        props = b"".join(z.read(n) for n in z.namelist() if n.startswith("docProps/"))
        assert b"python-pptx" not in props and b"Steve Canny" not in props
        assert b"2013" not in props and b"Microsoft" not in props
        assert not any("thumbnail" in n for n in z.namelist())
    assert demo["prs"].slide_width * 9 == demo["prs"].slide_height * 16


def test_two_builds_are_byte_identical_and_an_unchanged_deck_is_skipped(demo, tmp_path):
    one = deck.build_deck(demo["study"], demo["reports"], demo["figures"]).data
    two = deck.build_deck(demo["study"], demo["reports"], demo["figures"]).data
    assert one == two == demo["path"].read_bytes()
    with zipfile.ZipFile(io.BytesIO(one)) as z:
        assert {i.date_time for i in z.infolist()} == {(2018, 4, 19, 0, 0, 0)}
    again = deck.write_deck(demo["study"], demo["reports"], demo["figures"])
    assert again.status == "unchanged"


def test_deck_md_slides_come_first_and_the_skeleton_adds_none(demo, tmp_path):
    study_dir = tmp_path / "drie"
    shutil.copytree(demo["study"].root, study_dir)
    (study_dir / "deck.md").write_text(deck.deck_skeleton("nl"), encoding="utf-8")
    skeleton = deck.build_deck(load_study(study_dir), demo["reports"], demo["figures"])
    assert skeleton.titles == _expected_titles(demo["study"])[:1] + skeleton.titles[1:]
    assert len(skeleton.titles) == len(demo["prs"].slides)
    (study_dir / "deck.md").write_text(
        "# Aanleiding\n\n- Het mkb heeft het hbo nodig\n  - en omgekeerd\n\n# Doel\n\n"
        "Verkennen wat hbo en mkb willen bereiken.\n", encoding="utf-8")
    out = tmp_path / "eigen.pptx"
    res = deck.write_deck(load_study(study_dir), demo["reports"], demo["figures"], out=out)
    prs = Presentation(str(out))
    titles = [_title(s) for s in prs.slides]
    assert titles[1:3] == ["Aanleiding", "Doel"] and res.titles == titles
    body = prs.slides[1].placeholders[1].text_frame
    assert [p.text for p in body.paragraphs] == ["Het mkb heeft het hbo nodig", "en omgekeerd"]
    assert [p.level for p in body.paragraphs] == [0, 1]
    assert "Background" in deck.deck_skeleton("en")


def test_template_without_a_layout_falls_back_with_a_warning(demo, tmp_path):
    tpl = Presentation()
    tpl.slides.add_slide(tpl.slide_layouts[0]).shapes.title.text = "EIGEN SJABLOONDIA"
    only = next(lay for lay in tpl.slide_layouts if lay.name == "Title Only")
    tpl.slide_layouts.remove(only)
    path = tmp_path / "huisstijl.pptx"
    tpl.save(str(path))
    res = deck.build_deck(demo["study"], demo["reports"], demo["figures"], template=path)
    assert len(res.warnings) == 1 and "'Title Only'" in res.warnings[0]
    prs = Presentation(io.BytesIO(res.data))
    titles = [_title(s) for s in prs.slides]
    assert "EIGEN SJABLOONDIA" not in titles
    assert titles[:len(_expected_titles(demo["study"]))] == _expected_titles(demo["study"])
    assert {s.slide_layout.name for s in prs.slides} <= {"Title Slide", "Title and Content"}


def test_missing_table_fails_naming_it(demo, tmp_path):
    reports = tmp_path / "reports"
    shutil.copytree(demo["reports"], reports)
    (reports / "tables" / "region-oost" / "top3-vormen.csv").unlink()
    with pytest.raises(deck.DeckError, match=r"region-oost/top3-vormen\.csv"):
        deck.build_deck(demo["study"], reports, demo["figures"])


def test_pdf_through_libreoffice_renders_every_page(demo, tmp_path):
    if deck.libreoffice() is None or shutil.which("pdftoppm") is None:
        pytest.skip("needs LibreOffice (libreoffice-impress-nogui) and pdftoppm (poppler-utils)")
    res = _cli(demo["tmp"], "deck", "--study", str(demo["study"].root), "--out",
               str(tmp_path / "d.pptx"), "--pdf")
    assert res.returncode == 0, res.stderr
    pdf = tmp_path / "d.pdf"
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "p")], check=True,
                   timeout=300)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == len(demo["prs"].slides)
    from PIL import Image

    for page in pages[:3] + pages[-2:]:
        with Image.open(page) as im:
            lo, hi = im.convert("L").getextrema()
            assert lo < 100 and hi > 200, page  # text and background, not a blank page


def test_pdf_without_libreoffice_says_how_to_install(demo, tmp_path):
    env = _env(demo["tmp"])
    env["PATH"] = str(Path(sys.executable).parent)
    res = _cli(demo["tmp"], "deck", "--study", str(demo["study"].root), "--out",
               str(tmp_path / "d.pptx"), "--pdf", env=env)
    assert res.returncode == 2
    assert "libreoffice-impress-nogui" in res.stderr
    assert (tmp_path / "d.pptx").is_file()


def test_english_study_gives_an_english_deck(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("deck-en")
    from hbomkb.demo.generator import generate

    root = generate(tmp / "data" / "raw" / "two", seed=3, regions=["noord", "oost"],
                    with_survey=False)
    settings = yaml.safe_load((root / "study.yaml").read_text(encoding="utf-8"))
    settings["language"] = "en"
    (root / "study.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    res = _cli(tmp, "run", "--study", str(root), "--jobs", "2", "--no-progress")
    assert res.returncode == 0, res.stderr
    assert "two-presentatie.pptx (written)" in res.stdout, res.stdout
    study = load_study(root)
    prs = Presentation(str(tmp / "reports" / "two" / "two-presentatie.pptx"))
    titles = [_title(s) for s in prs.slides]
    expected = _expected_titles(study, survey=False)
    assert titles[:len(expected)] == expected
    assert "Field research results – opportunity landscape, region Noord" in titles
    assert all(t.startswith("Conclusions") for t in titles[len(expected):])
    notice = label("deck_synthetic", "en", study="two")
    for slide in prs.slides:
        assert notice in [s.text_frame.text for s in slide.shapes if s.has_text_frame]
    assert all("Source: tables/" in _notes(s) for s in list(prs.slides)[1:]
               if not _title(s).startswith("Conclusions"))
    assert prs.core_properties.language == "en-GB"


def test_editing_deck_md_changes_no_report_input(tmp_path):
    """deck.md feeds the deck only: the raw-input hash that decides re-rendering ignores it."""
    study = tmp_path / "s"
    (study / "workshops").mkdir(parents=True)
    (study / "study.yaml").write_text("title: t\n", encoding="utf-8")
    (study / "workshops" / "deck.md").write_text("# not the deck's\n", encoding="utf-8")
    before = files.combined_hash(files.file_hashes(study))
    (study / "deck.md").write_text("# Aanleiding\n- waarom\n", encoding="utf-8")
    assert files.combined_hash(files.file_hashes(study)) == before
    # only the deck.md at the top of the study is the deck's; one deeper down is input
    listed = [p.relative_to(study).as_posix() for p in files.raw_files(study)]
    assert listed == ["study.yaml", "workshops/deck.md"]
