"""From raw study input to tidy tables on disk: checking, processing, loading.

:func:`validate` lists every problem of a study; :func:`build` reads and checks everything in
memory, and is where what the readers return is processed, once: regional clusters get their
national code (:func:`hbomkb.inputs.codebook.apply_codebook`) and then every free-text field
is redacted (:func:`redacted`, with :mod:`hbomkb.inputs.redact`). :func:`process` writes the
tables as parquet files to ``data/processed/<study>/`` together with ``exclusions.csv``
(every raw row left out, and why) and ``manifest.json`` (the SHA-256 of each raw input).
Writing is atomic: the new folder replaces the old one only when everything was written, so a
failed run leaves the earlier processed data as it was. :func:`load_tables` is what analyses call.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hbomkb.config import Study
from hbomkb.files import file_hashes, hash_dict, replace_dir, write_bytes_atomic
from hbomkb.inputs.codebook import apply_codebook, kind_of, label_key, read_codebook
from hbomkb.inputs.redact import keep_distinct, redact_many
from hbomkb.inputs.survey import read_survey
from hbomkb.inputs.workshops import Workshops, collect
from hbomkb.problems import InputError, Problem, errors

MANIFEST = "manifest.json"
EXCLUSIONS = "exclusions.csv"
CODED_TABLES = ("outcome_notes", "outcome_clusters", "outcome_ratings", "form_notes",
                "form_clusters")
# Free text people typed, redacted text by text.
FREE_TEXT = {"outcome_notes": ("text",), "form_notes": ("text",), "open_answers": ("text",),
             "participants": ("sector", "firm_size"),
             "codebook_clusters": ("label_nl", "label_en")}
# Regional cluster labels: join keys, redacted alike in every table (per region, compared as
# codebook.label_key compares them) and kept apart where they differed.
LABEL_TABLES = ("outcome_clusters", "form_clusters", "outcome_notes", "form_notes",
                "outcome_ratings", "codebook_mapping")


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
    """``tables`` with personal data removed from every free-text field: the columns of
    :data:`FREE_TEXT`, the regional cluster labels of :data:`LABEL_TABLES` and the codebook's
    themes. Labels are join keys: one label is redacted alike wherever it occurs, and two
    labels that differed still differ afterwards (a " (2)" is added where redaction would make
    them equal). Runs after national coding, which matches the labels as written."""
    texts: list[str] = []
    for name, t in tables.items():
        for col in FREE_TEXT.get(name, ()):
            texts += _strings(t, col)
        if name in LABEL_TABLES or name == "codebook_clusters":
            texts += _strings(t, "cluster" if name != "codebook_clusters" else "theme")
    done = redact_many(texts)
    out = {}
    for name, t in tables.items():
        changed = {col: _mapped(t[col], done) for col in FREE_TEXT.get(name, ()) if col in t}
        out[name] = t.assign(**changed) if changed else t
    labels = _label_map(out, done)
    for name in LABEL_TABLES:
        t = out.get(name)
        if t is not None and "cluster" in t and len(t):
            keys = list(zip(t["region"].astype(object), t["cluster"].map(_key), strict=True))
            new = [labels.get(k, v) for k, v in zip(keys, t["cluster"].astype(object),
                                                     strict=True)]
            out[name] = t.assign(cluster=pd.array(new, dtype="string"))
    cb = out.get("codebook_clusters")
    if cb is not None and "theme" in cb and len(cb):
        themes = list(dict.fromkeys(_strings(cb, "theme")))
        distinct = keep_distinct(themes, done, key=label_key)
        out["codebook_clusters"] = cb.assign(theme=_mapped(cb["theme"], distinct))
    return out


def _strings(t: pd.DataFrame, col: str) -> list[str]:
    return [v for v in t[col].dropna().astype(str)] if col in t else []


def _key(label: object) -> object:
    return label_key(label) if isinstance(label, str) else label


def _mapped(col: pd.Series, mapping: dict[str, str]) -> pd.Series:
    values = [mapping.get(v, v) if isinstance(v, str) else v for v in col.astype(object)]
    return pd.Series(pd.array(values, dtype="string"), index=col.index)


def _label_map(tables: dict[str, pd.DataFrame], done: dict[str, str]) -> dict[tuple, str]:
    """(region, label key) -> the redacted label, for every regional cluster label that
    redaction changes. The label as first met (clusters sheets first) is the one redacted."""
    first: dict[tuple, str] = {}
    for name in LABEL_TABLES:
        t = tables.get(name)
        if t is None or "cluster" not in t:
            continue
        for region, label in zip(t["region"].astype(object), t["cluster"].astype(object),
                                 strict=True):
            if isinstance(label, str):
                first.setdefault((region, label_key(label)), label)
    out: dict[tuple, str] = {}
    by_region: dict[object, list[str]] = {}
    for (region, _), label in first.items():
        by_region.setdefault(region, []).append(label)
    for region, originals in by_region.items():
        distinct = keep_distinct(originals, {o: done.get(o, o) for o in originals},
                                 key=label_key)
        out.update({(region, label_key(o)): new for o, new in distinct.items() if new != o})
    return out


def input_hashes(study: Study) -> dict[str, str]:
    """SHA-256 of every raw file (:func:`hbomkb.files.raw_files`), keyed by its path relative
    to the study folder."""
    return hash_dict(file_hashes(study.root))


def input_group(study: Study, file: str) -> str:
    """Which part of processing a raw file feeds: ``workshops``, ``survey`` or ``base``
    (study.yaml, the codebook and anything else, which every table depends on)."""
    first = file.split("/", 1)[0]
    if first == study.workshops_dir.name:
        return "workshops"
    survey = {Path(study.survey_structure).parts[0], Path(study.survey_responses).parts[0]}
    return "survey" if first in survey and "/" in file else "base"


def group_hashes(study: Study, inputs: dict[str, str]) -> dict[str, str]:
    """One hash per :func:`input_group` over the ``inputs`` ({file: sha256}) in it."""
    parts: dict[str, list[str]] = {"base": [], "workshops": [], "survey": []}
    for file, digest in sorted(inputs.items()):
        parts[input_group(study, file)].append(f"{file}\0{digest}")
    return {g: hashlib.sha256("\n".join(v).encode()).hexdigest() for g, v in parts.items()}


def _changed_groups(study: Study, target: Path, groups: dict[str, str]) -> set[str] | None:
    """The input groups that changed since ``target`` was processed; None when everything
    must be processed (no earlier processing, the base changed, a table file is gone)."""
    try:
        saved = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    old = saved.get("groups") if isinstance(saved, dict) else None
    if not isinstance(old, dict) or old.get("base") != groups["base"]:
        return None
    if not all((target / f"{name}.parquet").is_file() for name in saved.get("tables", {})):
        return None
    return {g for g in ("workshops", "survey") if old.get(g) != groups[g]}


def _write_table_atomic(path: Path, df: pd.DataFrame) -> None:
    buf = io.BytesIO()
    df.reset_index(drop=True).to_parquet(buf, index=False)
    write_bytes_atomic(path, buf.getvalue())


def _process_changed(study: Study, target: Path, changed: set[str], inputs: dict[str, str],
                     groups: dict[str, str]) -> None:
    """Rebuild only the tables fed by the ``changed`` input groups (workshops, survey) and
    write each of them, the exclusions and then the manifest, atomically one by one."""
    codebook, problems, _ = read_codebook(study)
    tables: dict[str, pd.DataFrame] = {}
    fresh_excl = []
    if "workshops" in changed:
        ws, more, excl = _workshops(study, codebook, problems)
        problems += more
        tables.update(ws)
        fresh_excl.append(excl)
    if "survey" in changed:
        sv, more = read_survey(study, codebook["codebook_clusters"])
        fresh_excl.append(sv.pop("exclusions"))
        problems += more
        tables.update(sv)
    if errors(problems):
        raise InputError(errors(problems))
    tables = redacted(tables)
    old_excl = pd.read_csv(target / EXCLUSIONS, dtype={"file": str, "sheet": str,
                                                        "table": str, "reason": str})
    kept = old_excl[~old_excl["file"].astype(str).map(
        lambda f: input_group(study, f) in changed)]
    exclusions = pd.concat([kept, *[e for e in fresh_excl if len(e)]], ignore_index=True)
    for name, df in tables.items():
        _write_table_atomic(target / f"{name}.parquet", df)
    buf = io.StringIO()
    exclusions.to_csv(buf, index=False)
    write_bytes_atomic(target / EXCLUSIONS, buf.getvalue().encode("utf-8"))
    manifest = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    manifest.update(inputs=inputs, groups=groups, excluded=len(exclusions),
                    rebuilt=sorted(tables),
                    tables={**manifest["tables"], **{k: len(v) for k, v in tables.items()}})
    write_bytes_atomic(target / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True)
                       .encode("utf-8"))


def process(study: Study, out_dir: str | os.PathLike | None = None) -> Path:
    """Validate and write the processed tables; raises InputError when there are errors.

    Incremental: when only workshops or only the survey changed since the last processing,
    only their tables are rebuilt and rewritten (:func:`_process_changed`); when nothing
    changed, nothing is written; otherwise everything is rebuilt into a new folder."""
    target = Path(out_dir) if out_dir else study.processed_dir
    inputs = input_hashes(study)
    groups = group_hashes(study, inputs)
    changed = _changed_groups(study, target, groups)
    if changed is not None:
        if changed:
            _process_changed(study, target, changed, inputs, groups)
        return target
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
        manifest = {"study": study.slug, "inputs": inputs, "groups": groups,
                    "tables": {k: len(v) for k, v in built.tables.items()},
                    "excluded": len(built.exclusions), "rebuilt": sorted(built.tables)}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True),
                                    encoding="utf-8")
        replace_dir(tmp, target)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        reason = os.strerror(e.errno) if e.errno else str(e)
        raise OSError(e.errno, f"{target}: processed tables not written ({reason}); the "
                      "processed data from before is unchanged") from None
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
