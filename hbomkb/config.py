"""Where things live, and what a study is.

Every path the package uses is resolved here from the package root, so code and notebooks
behave the same from any working directory. A study is a folder ``data/raw/<study>/`` holding a
``study.yaml``; :func:`load_study` turns it into a :class:`Study`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DATA_DIR = Path(os.environ.get("HBOMKB_DATA_DIR", PROJECT_DIR / "data"))
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
FIGURES_DIR = Path(os.environ.get("HBOMKB_FIGURES_DIR", PROJECT_DIR / "figures"))
REPORTS_DIR = Path(os.environ.get("HBOMKB_REPORTS_DIR", PROJECT_DIR / "reports"))
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
# Regenerable caches of this machine (redaction results, name lists): never published.
CACHE_DIR = Path(os.environ.get("HBOMKB_CACHE_DIR", PROJECT_DIR / ".cache"))
DEFAULT_STUDY = "demo"

ROLES = ("hbo", "mkb")
KINDS = ("outcome_hbo", "outcome_mkb", "form")
SCALES = ("current", "potential")


class StudyError(Exception):
    """A study folder or its study.yaml cannot be used; the message says why."""


@dataclass(frozen=True)
class Region:
    slug: str
    name: str


@dataclass(frozen=True)
class Thresholds:
    """Served-class thresholds on the opportunity score (0-20), after Ulwick."""

    underserved: float = 10.0
    high: float = 12.0
    extreme: float = 15.0


@dataclass(frozen=True)
class Study:
    """One study: its folder, its settings from study.yaml, and where its output goes."""

    root: Path
    name: str
    title: str
    language: str = "nl"
    synthetic: bool = False
    regions: tuple[Region, ...] = ()
    scale_min: int = 1
    scale_max: int = 5
    top_box: int = 4
    thresholds: Thresholds = field(default_factory=Thresholds)
    min_group_size: int = 3
    include_partial: bool = False
    survey_structure: str = "survey/survey.lss"
    survey_responses: str = "survey/responses.csv"
    seed: int = 20180419

    @property
    def slug(self) -> str:
        return self.root.name

    @property
    def region_slugs(self) -> list[str]:
        return [r.slug for r in self.regions]

    @property
    def region_names(self) -> dict[str, str]:
        return {r.slug: r.name for r in self.regions}

    @property
    def codebook_path(self) -> Path:
        return self.root / "codebook.xlsx"

    @property
    def workshops_dir(self) -> Path:
        return self.root / "workshops"

    @property
    def survey_dir(self) -> Path:
        return self.root / "survey"

    @property
    def survey_structure_path(self) -> Path:
        return self.root / self.survey_structure

    @property
    def survey_responses_path(self) -> Path:
        return self.root / self.survey_responses

    @property
    def processed_dir(self) -> Path:
        return PROCESSED_DIR / self.slug

    @property
    def figures_dir(self) -> Path:
        return FIGURES_DIR / self.slug

    @property
    def reports_dir(self) -> Path:
        return REPORTS_DIR / self.slug


def report_name(region: str | None) -> str:
    """File stem of a report: ``region-<slug>``, or ``national`` without a region."""
    return f"region-{region}" if region else "national"


def study_path(study: str | os.PathLike | None = None) -> Path:
    """The folder of a study given by name (under data/raw) or by path."""
    if study is None:
        return RAW_DIR / DEFAULT_STUDY
    p = Path(study)
    if p.is_dir() or p.is_absolute() or len(p.parts) > 1:
        return p.resolve()
    return RAW_DIR / p


def _require(cond: bool, where: str, msg: str) -> None:
    """Raise a StudyError located as file:sheet:row:column (``where`` gives the first parts)."""
    if not cond:
        parts = where.split(":") + ["", "", "", ""]
        raise StudyError(f"{':'.join(parts[:4])}: {msg}")


def load_study(path: str | os.PathLike | None = None) -> Study:
    """Read ``study.yaml`` of a study folder (a path, or a name under data/raw)."""
    root = study_path(path)
    yml = root / "study.yaml"
    where = yml.as_posix()
    _require(root.is_dir(), str(root), "study folder not found; expected a folder with study.yaml")
    _require(yml.is_file(), where, "file missing; expected study.yaml in the study folder")
    try:
        raw = yaml.safe_load(yml.read_text(encoding="utf-8-sig")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise StudyError(f"{where}:::: not readable YAML ({e.__class__.__name__}); "
                         "expected a YAML mapping") from None
    _require(isinstance(raw, dict), where, "not a mapping; expected keys such as name, regions")

    regions = []
    for i, r in enumerate(raw.get("regions") or [], start=1):
        if isinstance(r, str):
            r = {"slug": r, "name": r}
        _require(isinstance(r, dict) and r.get("slug"), f"{where}:regions:{i}:slug",
                 "region without slug; expected {slug: ..., name: ...}")
        regions.append(Region(str(r["slug"]).strip(), str(r.get("name", r["slug"])).strip()))
    _require(bool(regions), where, "no regions listed; expected at least one under 'regions'")
    slugs = [r.slug for r in regions]
    _require(len(set(slugs)) == len(slugs), f"{where}:regions::slug",
             "a region slug is listed twice; expected each region once")

    language = str(raw.get("language", "nl")).strip().lower()
    _require(language in ("nl", "en"), f"{where}:::language", f"'{language}'; expected nl or en")

    scale = raw.get("scale") or {}
    th = raw.get("thresholds") or {}
    survey = raw.get("survey") or {}
    try:
        return Study(
            root=root,
            name=str(raw.get("name", root.name)),
            title=str(raw.get("title", raw.get("name", root.name))),
            language=language,
            synthetic=bool(raw.get("synthetic", False)),
            regions=tuple(regions),
            scale_min=int(scale.get("min", 1)),
            scale_max=int(scale.get("max", 5)),
            top_box=int(scale.get("top_box", 4)),
            thresholds=Thresholds(
                underserved=float(th.get("underserved", 10)),
                high=float(th.get("high", 12)),
                extreme=float(th.get("extreme", 15)),
            ),
            min_group_size=int(raw.get("min_group_size", 3)),
            include_partial=bool(survey.get("include_partial", False)),
            survey_structure=str(survey.get("structure", "survey/survey.lss")),
            survey_responses=str(survey.get("responses", "survey/responses.csv")),
            seed=int(raw.get("seed", 20180419)),
        )
    except (TypeError, ValueError) as e:
        raise StudyError(f"{where}:::: {e}; expected numbers for scale, thresholds and "
                         "min_group_size") from None
