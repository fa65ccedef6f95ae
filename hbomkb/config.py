"""Where things live, and what a study is.

Every path the package uses is resolved here from the package root, so code and notebooks
behave the same from any working directory. A study is a folder ``data/raw/<study>/`` holding a
``study.yaml``; :func:`load_study` turns it into a :class:`Study`.
"""

from __future__ import annotations

import math
import os
import re
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
    """The folder of a study given by name (under data/raw) or by path.

    A relative path is taken from the working directory, or else from the project folder:
    a published report names its study ``data/raw/demo``, and its notebook runs in
    ``notebooks/``."""
    if study is None:
        return RAW_DIR / DEFAULT_STUDY
    p = Path(study)
    if p.is_dir() or p.is_absolute():
        return p.resolve()
    if len(p.parts) > 1:
        return (PROJECT_DIR / p).resolve() if (PROJECT_DIR / p).is_dir() else p.resolve()
    return RAW_DIR / p


def _require(cond: bool, where: str, msg: str) -> None:
    """Raise a StudyError located as file:sheet:row:column (``where``, from :func:`_where`)."""
    if not cond:
        raise StudyError(f"{where}: {msg}")


# A region slug names files (workshops/<slug>.xlsx, region-<slug>.html, figures): plain
# lower-case ASCII, and none of the names the national report and the totals use.
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9_-]{0,38}[a-z0-9])?$")
RESERVED_SLUGS = ("national", "nationaal", "all")
_TRUE = ("true", "yes", "ja", "on", "1")
_FALSE = ("false", "no", "nee", "off", "0", "")


def _shown(value: object) -> str:
    """A value from study.yaml as a message quotes it: short, without control characters."""
    text = re.sub(r"[\x00-\x1f\x7f]", "?", str(value))
    return f"'{text[:40]}…'" if len(text) > 40 else f"'{text}'"


def _where(yml: str, section: str = "", row: object = "", key: str = "") -> str:
    return f"{yml}:{section}:{row}:{key}"


def _mapping(raw: dict, key: str, yml: str, expected: str) -> dict:
    value = raw.get(key)
    if value is None:
        return {}
    _require(isinstance(value, dict), _where(yml, key=key),
             f"{_shown(value)} is not a mapping; expected {key}: with {expected}")
    return value


def _flag(value: object, where: str, default: bool) -> bool:
    """true/false as YAML writes it, or as text (true, false, ja, nee, yes, no, 1, 0)."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, (str, int)) else None
    _require(text in _TRUE or text in _FALSE, where,
             f"{_shown(value)} is not true or false; expected true or false")
    return text in _TRUE


def _whole(value: object, where: str, default: int, lo: int | None = None,
           expected: str = "a whole number") -> int:
    if value is None:
        return default
    number = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,18}\s*", value):
        number = int(value)
    _require(number is not None and (lo is None or number >= lo), where,
             f"{_shown(value)}; expected {expected}")
    return number


def _number(value: object, where: str, default: float, expected: str) -> float:
    if value is None:
        return default
    number = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.replace(",", "."))
        except ValueError:
            number = None
    _require(number is not None and math.isfinite(number), where,
             f"{_shown(value)} is not a number; expected {expected}")
    return number


def _text(value: object, where: str, default: str) -> str:
    if value is None:
        return default
    _require(isinstance(value, (str, int, float)) and not isinstance(value, bool), where,
             f"{_shown(value)} is not text; expected a name or a title")
    return str(value).strip()


def _regions(raw: dict, yml: str) -> tuple[Region, ...]:
    listed = raw.get("regions")
    _require(listed is None or isinstance(listed, list), _where(yml, key="regions"),
             f"{_shown(listed)} is not a list; expected a list of regions, each a slug or "
             "{slug: ..., name: ...}")
    regions: list[Region] = []
    seen: dict[str, tuple[int, str]] = {}
    for i, r in enumerate(listed or [], start=1):
        if isinstance(r, (str, int)) and not isinstance(r, bool):
            r = {"slug": r, "name": r}
        where = _where(yml, "regions", i, "slug")
        _require(isinstance(r, dict) and r.get("slug") not in (None, ""), where,
                 "region without slug; expected {slug: ..., name: ...}")
        slug = _text(r["slug"], where, "").lower()
        _require(bool(SLUG_RE.match(slug)), where,
                 f"slug {_shown(slug)} is not a safe file name; expected lower-case letters "
                 "a-z, digits, '-' or '_' (at most 40, starting and ending with a letter or "
                 "digit)")
        norm = re.sub(r"[-_]+", "-", slug)
        _require(norm not in RESERVED_SLUGS, where,
                 f"slug {_shown(slug)} is a name the national report uses; expected another "
                 f"slug than {', '.join(RESERVED_SLUGS)}")
        if norm in seen:
            j, other = seen[norm]
            what = "is listed twice" if other == slug else f"names the same files as '{other}'"
            _require(False, where, f"slug '{slug}' {what} (region {j}); expected each region "
                     "once, with slugs that differ in more than '-' versus '_'")
        seen[norm] = (i, slug)
        name = _text(r.get("name", r["slug"]), _where(yml, "regions", i, "name"), slug)
        regions.append(Region(slug, name or slug))
    _require(bool(regions), _where(yml), "no regions listed; expected at least one under "
             "'regions'")
    return tuple(regions)


def _inside(root: Path, value: object, where: str, default: str) -> str:
    """A survey file path of study.yaml: relative, and inside the study folder (whose files
    are the ones hashed, so a changed export is noticed)."""
    text = _text(value, where, default)
    path = Path(text)
    inside = not path.is_absolute() and (root / path).resolve().is_relative_to(root.resolve())
    _require(inside, where, f"{_shown(text)} lies outside the study folder; expected a path "
             "inside it, such as survey/responses.csv")
    return text


def load_study(path: str | os.PathLike | None = None) -> Study:
    """Read ``study.yaml`` of a study folder (a path, or a name under data/raw). Every setting
    is checked; the first that will not do raises a StudyError saying where and what."""
    root = study_path(path)
    yml_path = root / "study.yaml"
    yml = yml_path.as_posix()
    _require(root.is_dir(), _where(str(root)),
             "study folder not found; expected a folder with study.yaml")
    _require(yml_path.is_file(), _where(yml),
             "file missing; expected study.yaml in the study folder")
    try:
        raw = yaml.safe_load(yml_path.read_text(encoding="utf-8-sig")) or {}
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError) as e:
        raise StudyError(f"{yml}:::: not readable YAML ({e.__class__.__name__}); "
                         "expected a YAML mapping") from None
    except OSError as e:
        raise StudyError(f"{yml}:::: cannot be read ({e.strerror}); expected a readable "
                         "study.yaml") from None
    _require(isinstance(raw, dict), _where(yml),
             "not a mapping; expected keys such as name, regions")

    regions = _regions(raw, yml)
    language = _text(raw.get("language"), _where(yml, key="language"), "nl").lower()
    _require(language in ("nl", "en"), _where(yml, key="language"),
             f"{_shown(language)}; expected nl or en")

    scale = _mapping(raw, "scale", yml, "min, max and top_box")
    lo = _whole(scale.get("min"), _where(yml, "scale", key="min"), 1)
    hi = _whole(scale.get("max"), _where(yml, "scale", key="max"), 5)
    _require(lo < hi, _where(yml, "scale", key="max"),
             f"max {hi} is not above min {lo}; expected a scale such as min: 1, max: 5")
    top = _whole(scale.get("top_box"), _where(yml, "scale", key="top_box"), 4)
    _require(lo < top <= hi, _where(yml, "scale", key="top_box"),
             f"top_box {top} is not in {lo + 1}-{hi}; expected the lowest score that counts "
             "as high (4 on a 1-5 scale)")

    th = _mapping(raw, "thresholds", yml, "underserved, high and extreme")
    bounds = {}
    for key, default in (("underserved", 10.0), ("high", 12.0), ("extreme", 15.0)):
        bounds[key] = _number(th.get(key), _where(yml, "thresholds", key=key), default,
                              "a number from 0 to 20")
        _require(0 <= bounds[key] <= 20, _where(yml, "thresholds", key=key),
                 f"{_shown(th.get(key))} is outside 0-20; expected a number from 0 to 20 (the "
                 "range of the opportunity score)")
    _require(bounds["underserved"] < bounds["high"] < bounds["extreme"],
             _where(yml, "thresholds"), f"underserved {bounds['underserved']:g}, high "
             f"{bounds['high']:g}, extreme {bounds['extreme']:g} are not in increasing order; "
             "expected underserved < high < extreme, such as 10, 12, 15")

    survey = _mapping(raw, "survey", yml, "structure, responses and include_partial")
    return Study(
        root=root,
        name=_text(raw.get("name"), _where(yml, key="name"), root.name),
        title=_text(raw.get("title", raw.get("name")), _where(yml, key="title"), root.name),
        language=language,
        synthetic=_flag(raw.get("synthetic"), _where(yml, key="synthetic"), False),
        regions=regions,
        scale_min=lo,
        scale_max=hi,
        top_box=top,
        thresholds=Thresholds(**bounds),
        min_group_size=_whole(raw.get("min_group_size"), _where(yml, key="min_group_size"), 3,
                              lo=2, expected="a whole number of at least 2"),
        include_partial=_flag(survey.get("include_partial"),
                              _where(yml, "survey", key="include_partial"), False),
        survey_structure=_inside(root, survey.get("structure"),
                                 _where(yml, "survey", key="structure"), "survey/survey.lss"),
        survey_responses=_inside(root, survey.get("responses"),
                                 _where(yml, "survey", key="responses"), "survey/responses.csv"),
        seed=_whole(raw.get("seed"), _where(yml, key="seed"), 20180419, lo=0,
                    expected="a whole number of 0 or more"),
    )
