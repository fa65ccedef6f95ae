"""From raw study input to tidy tables on disk: checking, processing, loading.

:func:`validate` lists every problem of a study; :func:`build` reads and checks everything in
memory; :func:`process` writes the tables as parquet files to ``data/processed/<study>/``
together with ``exclusions.csv`` (every raw row left out, and why) and ``manifest.json`` (the
SHA-256 of each raw input). Writing is atomic: the
new folder replaces the old one only when everything was written, so a failed run leaves the
earlier processed data as it was. :func:`load_tables` is what analyses call.
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
from hbomkb.inputs import survey
from hbomkb.inputs.codebook import read_codebook
from hbomkb.inputs.workshops import collect
from hbomkb.problems import InputError, Problem, errors

MANIFEST = "manifest.json"
EXCLUSIONS = "exclusions.csv"


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
    mapping = codebook["codebook_mapping"] if not errors(problems) else None
    workshops, more, excl_ws = collect(study, mapping)
    problems += more
    if mapping is None:
        # Without a usable codebook the regional clusters cannot be coded; say so once.
        problems.append(Problem("codebook.xlsx", message="regional clusters not checked against "
                                "the codebook; expected a codebook without errors"))
    tables = {**codebook, **workshops}
    exclusions = [excl_cb, excl_ws]
    survey_tables, survey_problems, excl_sv = _survey(study, codebook["codebook_clusters"])
    tables.update(survey_tables)
    problems += survey_problems
    exclusions.append(excl_sv)
    excl = pd.concat([e for e in exclusions if e is not None and len(e)], ignore_index=True) \
        if any(e is not None and len(e) for e in exclusions) else excl_cb
    return Built(tables, problems, excl.reset_index(drop=True))


def _survey(study: Study, clusters: pd.DataFrame):
    tables, problems = survey.read_survey(study, clusters)
    excl = tables.pop("exclusions", None)
    return tables, problems, excl


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


def load_tables(study: Study, processed_dir: str | os.PathLike | None = None
                ) -> dict[str, pd.DataFrame]:
    """The tidy tables of a study: from disk when processed from the current raw input,
    otherwise built in memory (raising InputError when the input has errors)."""
    folder = Path(processed_dir) if processed_dir else study.processed_dir
    manifest = folder / MANIFEST
    if manifest.is_file():
        saved = json.loads(manifest.read_text(encoding="utf-8"))
        if saved.get("inputs") == input_hashes(study):
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
