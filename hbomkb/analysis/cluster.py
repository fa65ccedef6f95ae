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

from hbomkb.analysis.score import TOP3_RULES, top3_national, top3_status
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


def common_ground(tables: dict[str, pd.DataFrame], rule: str = "groups") -> pd.DataFrame:
    """Which aims hbo and mkb share among their top 3, per region and nationally.

    hbo and mkb have different outcome codebooks (H.. and M..), so clusters are paired by a key:
    the codebook's ``theme`` when every outcome cluster has one, otherwise the quadrant
    (explore/exploit x short/long). A key is common ground in a region when both sides' top 3
    hold a cluster with that key. Nationally (region "all") each side's top 3 is the one
    definition of :func:`hbomkb.analysis.score.top3_status` (``rule`` "groups": codes chosen by
    the most groups, ties at third place included); the other rules are the sensitivity check
    (:func:`common_ground_sensitivity`).

    ``hbo_codes``/``mkb_codes`` = the side's top-3 codes with that key; ``hbo_tied``/
    ``mkb_tied`` = those among them that are in the top 3 only through a tie at third place;
    ``tie`` = the key is common ground only through such a tie. ``n_hbo``/``n_mkb`` = groups
    (sides in a region) whose top 3 holds the key, ``picks_hbo``/``picks_mkb`` = top-3 places
    with the key (more than the groups when a group put two clusters of one key in its top 3);
    nationally both count every region. ``regions_common`` = regions where the key was common
    ground; ``groups`` = the groups behind the row (sides with a top 3 in the region, or in
    all regions).
    """
    pairing, key = _pair_key(tables["codebook_clusters"])
    t = tables["outcome_clusters"]
    t = t[t["top3"].notna()].dropna(subset=["code"])
    t = t.assign(key=t["code"].map(key)).dropna(subset=["key"])
    regional = _common(t.assign(tied=False), t, national=False)
    counts = top3_national(tables, "outcome")
    status = top3_status(counts, rule, ["role"])
    keep = (status["top3"] != "no").to_numpy()
    chosen = counts[keep].assign(tied=(status["top3"] == "tie").to_numpy()[keep])
    nat = t.merge(chosen[["role", "code", "tied"]], on=["role", "code"])
    national = _common(nat.assign(region=ALL), t, national=True)
    rc = regional[regional["common"]].groupby("key").size()
    national["regions_common"] = national["key"].map(rc).fillna(0)
    regional["regions_common"] = np.nan
    sides = t.drop_duplicates(["region", "role"])
    regional["groups"] = regional["region"].map(sides.groupby("region").size())
    national["groups"] = len(sides)
    out = pd.concat([regional, national], ignore_index=True).assign(pairing=pairing)
    for c in ("n_hbo", "n_mkb", "picks_hbo", "picks_mkb", "regions_common", "groups"):
        out[c] = out[c].astype("Int64")
    return out[["region", "pairing", "key", "hbo_codes", "mkb_codes", "hbo_tied", "mkb_tied",
                "hbo", "mkb", "common", "tie", "n_hbo", "n_mkb", "picks_hbo", "picks_mkb",
                "regions_common", "groups"]]


def _common(chosen: pd.DataFrame, picked: pd.DataFrame, national: bool) -> pd.DataFrame:
    """Per region x key: each side's chosen codes (and tied ones) and whether both have one.

    ``chosen`` are the top-3 clusters that decide common ground (``region`` "all" nationally),
    with ``tied``; ``picked`` all regional top-3 clusters, which give the number of groups and
    of places per key (nationally summed over the regions).
    """
    def codes(c: pd.Series) -> str:
        return ", ".join(sorted(set(c)))

    groups = picked.drop_duplicates(["region", "role", "key"])
    places = picked
    if national:
        groups, places = groups.assign(region=ALL), places.assign(region=ALL)
    out = chosen.drop_duplicates(["region", "key"]).set_index(["region", "key"])[[]]
    only_tied = {}
    for side in ("hbo", "mkb"):
        c = chosen[chosen["role"] == side]
        g = c.groupby(["region", "key"])
        out[f"{side}_codes"] = g["code"].agg(codes).reindex(out.index).fillna("")
        out[f"{side}_tied"] = (c[c["tied"]].groupby(["region", "key"])["code"].agg(codes)
                               .reindex(out.index).fillna(""))
        out[side] = out[f"{side}_codes"] != ""
        only_tied[side] = g["tied"].all().reindex(out.index).fillna(False).astype(bool)
        for col, d in ((f"n_{side}", groups), (f"picks_{side}", places)):
            out[col] = (d[d["role"] == side].groupby(["region", "key"]).size()
                        .reindex(out.index).fillna(0))
    out["common"] = out["hbo"] & out["mkb"]
    out["tie"] = out["common"] & (only_tied["hbo"] | only_tied["mkb"])
    return out.reset_index().sort_values(["region", "common", "key"],
                                         ascending=[True, False, True], ignore_index=True)


def common_ground_sensitivity(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Does the national common-ground conclusion survive another reading of "top 3"?

    One row per rule of :data:`hbomkb.analysis.score.TOP3_RULES`: "groups" (the definition the
    report uses), "points" (ties in groups broken by 3/2/1 points) and "picks" (top-3 places
    counted instead of groups). ``hbo_top3``/``mkb_top3`` = each side's national top 3 under
    the rule (tied codes marked with "="), ``common`` = the keys that are common ground,
    ``n_common`` = how many, ``tie`` = some of it only through a tie, ``same`` = the same keys
    as under "groups". ``n`` = groups (sides in a region) that made a top 3.
    """
    counts = top3_national(tables, "outcome")
    rows, base = [], None
    for rule in TOP3_RULES:
        cg = common_ground(tables, rule)
        nat = cg[(cg["region"] == ALL) & cg["common"]]
        keys = sorted(nat["key"])
        base = keys if base is None else base
        status = top3_status(counts, rule, ["role"])
        row = {"rule": rule, "common": ", ".join(keys), "n_common": len(keys),
               "tie": bool(nat["tie"].any()), "same": keys == base,
               "n": int(counts.drop_duplicates("role")["groups"].sum()) if len(counts) else 0}
        for side in ("hbo", "mkb"):
            s = counts.assign(top3=status["top3"].to_numpy())
            s = s[(s["role"] == side) & (s["top3"] != "no")]
            row[f"{side}_top3"] = ", ".join(
                f"{c}{'=' if st == 'tie' else ''}" for c, st in zip(s["code"], s["top3"],
                                                                   strict=True))
        rows.append(row)
    out = pd.DataFrame(rows, columns=["rule", "hbo_top3", "mkb_top3", "common", "n_common",
                                      "tie", "same", "n"])
    out[["n_common", "n"]] = out[["n_common", "n"]].astype("Int64")
    return out


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
    # Deferred: scikit-learn takes about 0.4 s to import, and only the national report measures
    # coder agreement; every region report imports this module too.
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
