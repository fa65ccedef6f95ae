"""National coding of the regional clusters, and what the coded clusters add up to.

Every regional cluster (a label a workshop group wrote) is coded onto a national cluster through
the codebook (``codebook_mapping``). This module applies that coding, reports how complete it
is, counts notes and top-3 picks per region x national cluster, finds the common ground between
hbo and mkb, and measures agreement between two coders. The text-based second opinion on the
coding lives in :mod:`hbomkb.analysis.textmine`.
"""

from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd

from hbomkb.inputs.codebook import apply_codebook, kind_of, label_key

ALL = "all"  # the ``region`` value of national rows

OUTCOME_TABLES = ("outcome_notes", "outcome_clusters", "outcome_ratings")
FORM_TABLES = ("form_notes", "form_clusters")


def national_coding(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The workshop tables with ``code`` (re)derived from ``codebook_mapping``."""
    out = dict(tables)
    for t in (*OUTCOME_TABLES, *FORM_TABLES):
        if t in tables:
            out[t] = apply_codebook(tables[t], t, tables["codebook_mapping"])
    return out


def coverage(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Where the national coding is incomplete: one row per problem.

    issue = "unmapped" (a regional cluster without a code; ``n`` = its notes), "unknown_code"
    (the mapping names a code the codebook lacks for that kind; ``n`` = its notes) or
    "unused_code" (a national code no regional cluster was coded onto; ``n`` = 0).
    """
    cb = tables["codebook_clusters"]
    known = set(zip(cb["kind"], cb["code"], strict=True))
    rows = []
    for t, notes_t in (("outcome_clusters", "outcome_notes"), ("form_clusters", "form_notes")):
        if t not in tables:
            continue
        coded = apply_codebook(tables[t], t, tables["codebook_mapping"]).assign(
            kind=lambda d, t=t: kind_of(d, t))
        notes = tables[notes_t].assign(kind=lambda d, t=notes_t: kind_of(d, t))
        counts = notes.assign(_k=notes["cluster"].map(label_key)).groupby(
            ["region", "kind", "_k"]).size()
        coded["n"] = counts.reindex(pd.MultiIndex.from_arrays(
            [coded["region"], coded["kind"], coded["cluster"].map(label_key)])).fillna(0).to_numpy()
        grp = [c for c in ("role", "mixed_group") if c in coded]
        coded = coded.drop_duplicates(["region", *grp, "cluster"])
        un = coded[coded["code"].isna()]
        rows.append(un.assign(issue="unmapped"))
        pair = list(zip(coded["kind"], coded["code"], strict=True))
        bad = coded[coded["code"].notna() & ~pd.Series([p in known for p in pair],
                                                       index=coded.index)]
        rows.append(bad.assign(issue="unknown_code"))
    used = set()
    for t in ("outcome_clusters", "form_clusters"):
        if t in tables:
            c = apply_codebook(tables[t], t, tables["codebook_mapping"])
            used |= set(zip(kind_of(c, t), c["code"], strict=True))
    unused = cb[[(k, c) not in used for k, c in zip(cb["kind"], cb["code"], strict=True)]]
    rows.append(unused.assign(region=pd.NA, cluster=pd.NA, n=0, issue="unused_code"))
    cols = ["issue", "kind", "region", "cluster", "code", "n"]
    out = pd.concat([r.reindex(columns=cols) for r in rows], ignore_index=True)
    out["n"] = out["n"].astype("Int64")
    return out.sort_values(["issue", "kind", "region", "code"], ignore_index=True)


def coverage_summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per kind: notes and regional clusters, and the share of each that carries a code."""
    coded = national_coding(tables)
    rows = []
    for t in ("outcome_notes", "form_notes", "outcome_clusters", "form_clusters"):
        if t not in coded:
            continue
        d = coded[t].assign(kind=kind_of(coded[t], t))
        g = d.groupby("kind").agg(n=("code", "size"), coded=("code", "count")).reset_index()
        rows.append(g.assign(unit="notes" if t.endswith("notes") else "clusters"))
    out = pd.concat(rows, ignore_index=True)
    out["share_coded"] = out["coded"] / out["n"]
    out[["n", "coded"]] = out[["n", "coded"]].astype("Int64")
    return out[["kind", "unit", "n", "coded", "share_coded"]]


def cluster_counts(tables: dict[str, pd.DataFrame], national: bool = True) -> pd.DataFrame:
    """Notes and top-3 picks per kind x region x national cluster (plus region "all").

    measure = "notes": ``n`` notes coded to the cluster; measure = "top3": ``n`` regional
    clusters coded to it that a group put in its top 3. ``share`` = n / the total of that
    measure in the kind and region. Uses the coding already in the tables; run
    :func:`national_coding` first to recode from the mapping.
    """
    parts = []
    for t, measure in (("outcome_notes", "notes"), ("form_notes", "notes"),
                       ("outcome_clusters", "top3"), ("form_clusters", "top3")):
        if t not in tables:
            continue
        d = tables[t].assign(kind=kind_of(tables[t], t)).dropna(subset=["code"])
        if measure == "top3":
            d = d[d["top3"].notna()]
        parts.append(d[["kind", "region", "code"]].assign(measure=measure))
    d = pd.concat(parts, ignore_index=True)
    if national:
        d = pd.concat([d, d.assign(region=ALL)], ignore_index=True)
    out = d.groupby(["kind", "measure", "region", "code"]).size().rename("n").reset_index()
    out["share"] = out["n"] / out.groupby(["kind", "measure", "region"])["n"].transform("sum")
    out["n"] = out["n"].astype("Int64")
    return out[["kind", "region", "code", "measure", "n", "share"]]


def _pair_key(codebook: pd.DataFrame) -> tuple[str, pd.Series]:
    """How hbo and mkb outcome clusters are paired: shared theme if present, else quadrant."""
    cb = codebook[codebook["kind"].isin(["outcome_hbo", "outcome_mkb"])]
    if "theme" in cb:
        theme = cb["theme"].astype("string").str.strip().replace("", pd.NA)
        if theme.notna().all() and len(cb):
            return "theme", pd.Series(theme.str.casefold().to_numpy(), index=cb["code"])
    quad = cb["explore"].astype(str) + "/" + cb["term"].astype(str)
    return "quadrant", pd.Series(quad.to_numpy(), index=cb["code"])


def common_ground(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Which aims hbo and mkb share among their top 3, per region and nationally.

    hbo and mkb have different outcome codebooks (H.. and M..), so clusters are paired by a key:
    the codebook's ``theme`` when every outcome cluster has one, otherwise the quadrant
    (explore/exploit x short/long). A key is common ground in a region when both sides' top 3
    hold a cluster with that key. Nationally (region "all") each side's top 3 is its three
    most-picked national clusters (ties at third place included); ``regions_common`` counts the
    regions where the key was common ground. ``n_hbo``/``n_mkb`` = top-3 picks with that key.
    """
    pairing, key = _pair_key(tables["codebook_clusters"])
    t = tables["outcome_clusters"]
    t = t[t["top3"].notna()].dropna(subset=["code"])
    t = t.assign(key=t["code"].map(key)).dropna(subset=["key"])
    regional = _common(t, "region")
    picks = t.groupby(["role", "code"]).size().rename("picks").reset_index()
    third = picks.groupby("role")["picks"].transform(
        lambda p: np.sort(p.to_numpy())[::-1][min(2, len(p) - 1)])
    nat = t.merge(picks[picks["picks"] >= third][["role", "code"]], on=["role", "code"])
    national = _common(nat.assign(region=ALL), "region")
    # picks nationally count every regional pick, not only those of the national top 3
    allpicks = t.groupby(["key", "role"]).size().unstack("role")
    for side in ("hbo", "mkb"):
        national[f"n_{side}"] = national["key"].map(
            allpicks[side] if side in allpicks else pd.Series(dtype=float)).fillna(0)
    rc = regional[regional["common"]].groupby("key").size()
    national["regions_common"] = national["key"].map(rc).fillna(0)
    regional["regions_common"] = np.nan
    out = pd.concat([regional, national], ignore_index=True).assign(pairing=pairing)
    for c in ("n_hbo", "n_mkb", "regions_common"):
        out[c] = out[c].astype("Int64")
    return out[["region", "pairing", "key", "hbo_codes", "mkb_codes", "hbo", "mkb", "common",
                "n_hbo", "n_mkb", "regions_common"]]


def _common(t: pd.DataFrame, scope: str) -> pd.DataFrame:
    g = t.groupby([scope, "key", "role"]).agg(
        codes=("code", lambda c: ", ".join(sorted(set(c)))), n=("code", "size")).unstack("role")
    out = pd.DataFrame(index=g.index)
    for side in ("hbo", "mkb"):
        has = ("codes", side) in g
        out[f"{side}_codes"] = g[("codes", side)].fillna("") if has else ""
        out[f"n_{side}"] = g[("n", side)].fillna(0) if has else 0
        out[side] = out[f"n_{side}"] > 0
    out["common"] = out["hbo"] & out["mkb"]
    return out.reset_index().sort_values([scope, "common", "key"], ascending=[True, False, True],
                                         ignore_index=True)


# ---------------------------------------------------------------------------------------------
# inter-coder agreement


def nominal_alpha(codes: np.ndarray | pd.DataFrame) -> float:
    """Krippendorff's alpha for nominal codes; ``codes`` is units x coders, NaN/None = missing.

    The codes may be any labels: they are numbered first, because the ``krippendorff`` package,
    which computes alpha, wants numbers for data with missing values (coders x units).
    """
    flat = pd.Series(pd.DataFrame(codes).to_numpy(dtype=object).ravel())
    numbers = pd.factorize(flat, use_na_sentinel=True)[0].astype(float)
    numbers[numbers < 0] = np.nan
    table = numbers.reshape(np.shape(codes)).T
    return float(krippendorff.alpha(reliability_data=table, level_of_measurement="nominal"))


def coder_agreement(mapping: pd.DataFrame) -> pd.DataFrame:
    """Cohen's kappa and Krippendorff's alpha (nominal) between coder 1 and 2, per kind.

    Only regional clusters with both codes count (``n``); empty when no second coder coded.
    """
    # Deferred: scikit-learn takes about 0.4 s to import, and the reports that use this module
    # do not measure coder agreement (yet).
    from sklearn.metrics import cohen_kappa_score

    rows = []
    has2 = "code_coder2" in mapping
    for kind, g in mapping.groupby("kind"):
        both = g.dropna(subset=["code", "code_coder2"]) if has2 else g.iloc[0:0]
        row = {"kind": kind, "n": len(both), "agreement": np.nan, "kappa": np.nan,
               "alpha": np.nan, "reason": ""}
        if len(both) >= 2:
            a, b = both["code"].astype(str), both["code_coder2"].astype(str)
            row["agreement"] = float((a.to_numpy() == b.to_numpy()).mean())
            if len(set(a) | set(b)) > 1:
                row["kappa"] = float(cohen_kappa_score(a, b))
                row["alpha"] = nominal_alpha(np.c_[a.to_numpy(), b.to_numpy()])
            else:
                row["reason"] = "only one code used"
        else:
            row["reason"] = "fewer than 2 clusters coded by a second coder"
        rows.append(row)
    out = pd.DataFrame(rows, columns=["kind", "n", "agreement", "kappa", "alpha", "reason"])
    out["n"] = out["n"].astype("Int64")
    return out
