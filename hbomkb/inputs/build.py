"""From raw study input to tidy tables on disk: checking, processing, loading.

:func:`validate` lists every problem of a study; :func:`build` reads and checks everything in
memory, and is where what the readers return is processed, once: regional clusters get their
national code (:func:`hbomkb.inputs.codebook.apply_codebook`) and free text is redacted
(:func:`hbomkb.inputs.redact.redact`). :func:`process` writes the tables as parquet files to
``data/processed/<study>/`` together with ``exclusions.csv`` (every raw row left out, and why)
and ``manifest.json`` (the SHA-256 of each raw input). Writing is atomic: the new folder
replaces the old one only when everything was written, so a failed run leaves the earlier
processed data as it was. :func:`load_tables` is what analyses call.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hbomkb.config import Study
from hbomkb.files import file_hashes, hash_dict, replace_dir
from hbomkb.inputs.codebook import apply_codebook, kind_of, read_codebook
from hbomkb.inputs.redact import redact
from hbomkb.inputs.survey import read_survey
from hbomkb.inputs.workshops import Workshops, collect
from hbomkb.problems import InputError, Problem, errors

MANIFEST = "manifest.json"
EXCLUSIONS = "exclusions.csv"
CODED_TABLES = ("outcome_notes", "outcome_clusters", "outcome_ratings", "form_notes",
                "form_clusters")
FREE_TEXT = {"outcome_notes": "text", "form_notes": "text", "open_answers": "text"}


@dataclass
class Built:
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    exclusions: pd.DataFrame | None = None

    @property
    def ok(self) -> bool:
        return not errors(self.problems)


def validate(study: Study) -> list[Problem]:
    """Every problem in a study's raw input, errors and warnings, in the order a researcher
    would fix them (the codebook, then each workshop, then the survey). Never raises on bad
    input."""
    return build(study).problems


def build(study: Study) -> Built:
    """All tidy tables of a study, every problem found, and the rows left out."""
    codebook, problems, excl_cb = read_codebook(study)
    workshops, more, excl_ws = _workshops(study, codebook, problems)
    problems += more
    survey_tables, survey_problems = read_survey(study, codebook["codebook_clusters"])
    excl_sv = survey_tables.pop("exclusions")
    problems += survey_problems
    tables = redacted({**codebook, **workshops, **survey_tables})
    exclusions = [e for e in (excl_cb, excl_ws, excl_sv) if len(e)]
    excl = pd.concat(exclusions, ignore_index=True) if exclusions else excl_cb
    return Built(tables, problems, excl.reset_index(drop=True))


def read_workshops(study: Study) -> dict[str, pd.DataFrame]:
    """The workshop tables of a study as processing makes them (coded, redacted); raises
    InputError on any error in the codebook or the workshops."""
    codebook, problems, _ = read_codebook(study)
    tables, more, _ = _workshops(study, codebook, problems)
    problems += more
    if errors(problems):
        raise InputError(errors(problems))
    return redacted(tables)


def _workshops(study: Study, codebook: dict[str, pd.DataFrame], codebook_problems: list[Problem]
               ) -> tuple[dict[str, pd.DataFrame], list[Problem], pd.DataFrame]:
    """The workshop tables with national codes, the problems reading and coding them, and the
    rows left out. Without a usable codebook (``codebook_problems`` has errors) the clusters
    stay uncoded and one problem says so."""
    read = collect(study)
    if errors(codebook_problems):
        return read.tables, read.problems + [Problem(
            "codebook.xlsx", message="regional clusters not checked against the codebook; "
            "expected a codebook without errors")], read.exclusions
    tables, unmapped = code_clusters(read, codebook["codebook_mapping"], study.region_slugs)
    return tables, read.problems + unmapped, read.exclusions


def code_clusters(read: Workshops, mapping: pd.DataFrame, regions: list[str]
                  ) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """The workshop tables with every regional cluster's national code from the codebook
    ``mapping``, and a problem, located on its clusters sheet, for each cluster the mapping
    does not have (region by region, in ``regions`` order)."""
    tables = dict(read.tables)
    for name in CODED_TABLES:
        tables[name] = apply_codebook(tables[name], name, mapping)
    found = []
    for name in ("outcome_clusters", "form_clusters"):
        missing = tables[name]["code"].isna().to_numpy()
        rows = tables[name][missing].assign(kind=lambda d, n=name: kind_of(d, n))
        found.append(pd.concat([rows.reset_index(drop=True),
                                read.origin[name][missing].reset_index(drop=True)], axis=1))
    order = {slug: i for i, slug in enumerate(regions)}
    unmapped = pd.concat(found, ignore_index=True)
    unmapped = unmapped.iloc[unmapped["region"].map(order).argsort(kind="stable")]
    return tables, [Problem(r.file, r.sheet, int(r.row), "cluster", (
        f"cluster '{r.cluster}' ({r.kind}) is missing from the codebook mapping for region "
        f"'{r.region}'; expected a row in codebook.xlsx sheet mapping"))
        for r in unmapped.itertuples()]


def redacted(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """``tables`` with personal data removed from every free-text column (:data:`FREE_TEXT`)."""
    return {name: t.assign(**{FREE_TEXT[name]: redact(t[FREE_TEXT[name]])})
            if name in FREE_TEXT else t for name, t in tables.items()}


def input_hashes(study: Study) -> dict[str, str]:
    """SHA-256 of every raw file (:func:`hbomkb.files.raw_files`), keyed by its path relative
    to the study folder."""
    return hash_dict(file_hashes(study.root))


def process(study: Study, out_dir: str | os.PathLike | None = None) -> Path:
    """Validate and write the processed tables; raises InputError when there are errors."""
    built = build(study)
    if not built.ok:
        raise InputError(errors(built.problems))
    target = Path(out_dir) if out_dir else study.processed_dir
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, df in built.tables.items():
            df.reset_index(drop=True).to_parquet(tmp / f"{name}.parquet", index=False)
        built.exclusions.to_csv(tmp / EXCLUSIONS, index=False)
        manifest = {"study": study.slug, "inputs": input_hashes(study),
                    "tables": {k: len(v) for k, v in built.tables.items()},
                    "excluded": len(built.exclusions)}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True),
                                    encoding="utf-8")
        replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def load_tables(study: Study, processed_dir: str | os.PathLike | None = None,
                raw_inputs: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The tidy tables of a study: from disk when processed from the current raw input,
    otherwise built in memory (raising InputError when the input has errors).
    ``raw_inputs``: the study's :func:`hbomkb.files.file_hashes`, when the caller has them."""
    folder = Path(processed_dir) if processed_dir else study.processed_dir
    manifest = folder / MANIFEST
    if manifest.is_file():
        saved = json.loads(manifest.read_text(encoding="utf-8"))
        current = input_hashes(study) if raw_inputs is None else hash_dict(raw_inputs)
        if saved.get("inputs") == current:
            return {name: pd.read_parquet(folder / f"{name}.parquet")
                    for name in saved["tables"]}
    built = build(study)
    if not built.ok:
        raise InputError(errors(built.problems))
    return built.tables


def summary(tables: dict[str, pd.DataFrame], study: Study | None = None) -> pd.DataFrame:
    """Counts per region and role: participants, notes, clusters, ratings, respondents."""
    parts = {
        "participants": tables["participants"].groupby(["region", "role"]).size(),
        "outcome_notes": tables["outcome_notes"].groupby(["region", "role"]).size(),
        "outcome_clusters": tables["outcome_clusters"].groupby(["region", "role"]).size(),
        "ratings": tables["outcome_ratings"].groupby(["region", "role"]).size(),
        "form_notes": tables["form_notes"].groupby(["region", "role"]).size(),
    }
    resp = tables.get("respondents")
    if resp is not None and len(resp):
        parts["respondents"] = resp.groupby(["region", "role"]).size()
    out = pd.DataFrame(parts).fillna(0).astype(int)
    out.index.names = ["region", "role"]
    if study is not None:
        order = {slug: i for i, slug in enumerate(study.region_slugs)}
        out = out.sort_index(key=lambda ix: ix.map(order) if ix.name == "region" else ix)
    return out
