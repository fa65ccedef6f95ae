"""Survey scores: ranking consensus and agreement, forms x outcomes, form fit, the survey's
served landscape and an ordinal model of the scores.

Inputs are the survey's tidy tables (``rankings``, ``scores``, ``respondents``; docs/tables.md);
every function returns a tidy DataFrame with its ``n``. The conventions (``reason`` below
``min_group_size``, seeded vectorised bootstraps, roles never pooled) and the helpers that carry
them out are those of :mod:`hbomkb.analysis.score`. Definitions: docs/methods.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import mannwhitneyu, norm, rankdata, wilcoxon
from statsmodels.stats.multitest import multipletests

from hbomkb.analysis.score import (
    _multinomial_chunks,
    _quantiles,
    _reason,
    _rng,
    _settings,
    _values,
    opportunity,
)

# ---------------------------------------------------------------------------------------------
# rankings


def _rank_matrix(rankings: pd.DataFrame, role: str) -> tuple[np.ndarray, list[str], np.ndarray,
                                                                np.ndarray]:
    """Respondents x codes rank matrix for one role, partial rankings filled.

    An outcome a respondent left unranked gets the mean of the ranks they did not use (the usual
    tie treatment), so a partial ranking still says "these come first". Returns (respondent ids,
    codes, filled ranks, mask of explicitly ranked cells). Respondents who ranked nothing are
    left out.
    """
    r = rankings[(rankings["role"] == role)].dropna(subset=["rank", "code"])
    wide = r.pivot_table(index="respondent", columns="code", values="rank", aggfunc="min")
    codes = [str(c) for c in wide.columns]
    raw = wide.to_numpy(dtype=float, na_value=np.nan)
    k = raw.shape[1]
    ranked = ~np.isnan(raw)
    m = ranked.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        fill = (k * (k + 1) / 2 - np.nansum(raw, axis=1)) / (k - m)
    filled = np.where(ranked, raw, fill[:, None])
    return wide.index.to_numpy(), codes, filled, ranked


def _borda(filled: np.ndarray) -> np.ndarray:
    """Borda points per respondent and item: k - rank (top of k items gets k - 1)."""
    return filled.shape[1] - filled


def ranking_consensus(rankings: pd.DataFrame, study: object | None = None, n_boot: int = 2000,
                      seed: int | None = None, ci: float = 0.95) -> pd.DataFrame:
    """National consensus on the ranking of each role's outcomes.

    Per role x code: mean rank (1 = most important) with a bootstrap interval over respondents,
    Borda score (k - rank summed over respondents) and its share of all points (``borda_share``,
    the weights form_fit uses), the share ranking the code in their top third, ``n`` =
    respondents with a ranking of that role.
    """
    _, _, _, _, min_n, _ = _settings(study)
    rng = _rng(seed, study)
    frames = []
    for role in sorted(rankings["role"].dropna().unique()):
        _, codes, filled, ranked = _rank_matrix(rankings, role)
        n, k = filled.shape
        if n == 0:
            continue
        borda = _borda(filled).sum(axis=0)
        cut = top_third(k)
        df = pd.DataFrame({
            "role": role, "code": codes, "mean_rank": filled.mean(axis=0),
            "ci_low": np.nan, "ci_high": np.nan, "borda": borda,
            "borda_share": borda / borda.sum() if borda.sum() else np.nan,
            "top_third_share": (filled <= cut).mean(axis=0),
            "n": n, "n_ranked": ranked.sum(axis=0),
        })
        if n_boot and n >= min_n:
            boots = [w @ filled / n for w in _multinomial_chunks(rng, n, n_boot, k)]
            df["ci_low"], df["ci_high"] = _quantiles(np.vstack(boots), ci)
        df["reason"] = _reason(np.full(k, n), min_n)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["role", "code", "mean_rank", "ci_low", "ci_high", "borda", "borda_share",
                 "top_third_share", "n", "n_ranked", "reason"])
    for c in ("n", "n_ranked"):
        out[c] = out[c].astype("Int64")
    return out.sort_values(["role", "mean_rank", "code"], ignore_index=True)


def top_third(k: int) -> int:
    """Highest rank that counts as 'top third' of k outcomes: round(k/3), at least 1."""
    return max(1, int(np.floor(k / 3 + 0.5)))


def ranking_agreement(rankings: pd.DataFrame, study: object | None = None) -> pd.DataFrame:
    """Kendall's W and the Friedman test per role (pingouin.friedman on the filled ranks).

    One row per role: n respondents, k outcomes, W, Q, ddof, p; empty below min_group_size.
    """
    # Deferred: pingouin takes about 0.3 s to import and only this function needs it, which
    # the region reports, importing this module for ranking_consensus, never call.
    import pingouin as pg

    _, _, _, _, min_n, _ = _settings(study)
    rows = []
    for role in sorted(rankings["role"].dropna().unique()):
        ids, codes, filled, _ = _rank_matrix(rankings, role)
        n, k = filled.shape
        row = {"role": role, "n": n, "k": k, "W": np.nan, "Q": np.nan, "ddof": np.nan,
               "p": np.nan, "reason": _reason(np.array([n]), min_n)[0]}
        if n >= min_n and k >= 2 and n >= 3:
            long = pd.DataFrame({"respondent": np.repeat(ids, k), "code": np.tile(codes, n),
                                 "rank": filled.ravel()})
            res = pg.friedman(data=long, dv="rank", within="code", subject="respondent")
            pcol = "p_unc" if "p_unc" in res else "p-unc"
            row.update(W=float(res["W"].iloc[0]), Q=float(res["Q"].iloc[0]),
                       ddof=float(res["ddof1"].iloc[0]), p=float(res[pcol].iloc[0]))
        elif not row["reason"]:
            row["reason"] = "fewer than 3 respondents or 2 outcomes"
        rows.append(row)
    out = pd.DataFrame(rows, columns=["role", "n", "k", "W", "Q", "ddof", "p", "reason"])
    out[["n", "k"]] = out[["n", "k"]].astype("Int64")
    return out


# ---------------------------------------------------------------------------------------------
# forms x outcomes


def _scored(scores: pd.DataFrame, scale: str | None = None) -> pd.DataFrame:
    """Scores with a numeric value (dont_know and not-shown rows dropped), value as float.

    ``scale`` keeps one scale only (in the same pass, to spare a copy of a large table).
    """
    v = _values(scores["value"])
    keep = ~np.isnan(v)
    if scale is not None:
        keep &= (scores["scale"] == scale).to_numpy(dtype=bool)
    out = scores.loc[keep, ["respondent", "role", "outcome", "form", "scale"]]
    return out.assign(value=v[keep])


def _codes(col: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and sorted unique values of a key column (hash-based, linear time)."""
    codes, uniq = pd.factorize(col, sort=True)
    return codes, np.asarray(uniq)


def _score_codes(scores: pd.DataFrame, scale: str | None = None) -> dict[str, np.ndarray]:
    """The score rows that are scores, as integer-coded numpy arrays (no table copy).

    Keys: role/form/outcome/respondent codes with their ``*_values``, ``potential`` (bool) and
    ``value`` (float). ``scale`` keeps one scale only.
    """
    out: dict[str, np.ndarray] = {}
    keep = ~np.isnan(v := _values(scores["value"]))
    for k in ("role", "form", "outcome", "respondent"):
        out[k], out[f"{k}_values"] = _codes(scores[k])
        keep &= out[k] >= 0
    pot = (scores["scale"] == "potential").to_numpy(dtype=bool)
    cur = (scores["scale"] == "current").to_numpy(dtype=bool)
    keep &= (pot | cur) if scale is None else (pot if scale == "potential" else cur)
    for k in ("role", "form", "outcome", "respondent"):
        out[k] = out[k][keep]
    out["potential"], out["value"] = pot[keep], v[keep]
    return out


def _present(codes: np.ndarray, values: np.ndarray) -> list:
    """The values whose code occurs in ``codes`` (bincount, not sort), in sorted order."""
    return list(values[np.bincount(codes, minlength=len(values)) > 0])


def form_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Per role x form x outcome: mean current, mean potential, gap = potential - current.

    ``n_current``/``n_potential`` count the scores behind each mean; ``n`` counts respondents
    who gave either. "Weet niet" and missing answers are not scores. Computed with integer
    codes and bincount, so time grows linearly with the number of score cells.
    """
    keys = ["role", "form", "outcome"]
    cols = ["role", "form", "outcome", "current", "potential", "gap", "n_current",
            "n_potential", "n"]
    # integer codes of the full columns, then one mask: no copy of the (large) table
    (rc, roles), (fc, forms), (oc, outs) = (_codes(scores[k]) for k in keys)
    v = _values(scores["value"])
    sc = (scores["scale"] == "potential").to_numpy(dtype=bool)
    keep = ~np.isnan(v) & (rc >= 0) & (fc >= 0) & (oc >= 0) & (
        sc | (scores["scale"] == "current").to_numpy(dtype=bool))
    if not keep.any():
        return pd.DataFrame(columns=cols)
    pc, _ = pd.factorize(scores["respondent"])
    rc, fc, oc, sc, v, pc = rc[keep], fc[keep], oc[keep], sc[keep], v[keep], pc[keep]
    nf, no = len(forms), len(outs)
    cell = (rc * nf + fc) * no + oc
    ncell = len(roles) * nf * no
    idx = cell * 2 + sc.astype(np.int64)
    tot = np.bincount(idx, weights=v, minlength=2 * ncell).reshape(ncell, 2)
    cnt = np.bincount(idx, minlength=2 * ncell).reshape(ncell, 2)
    # respondents per cell: distinct (respondent, cell) pairs; a respondent has one role, so
    # the pair key needs only form x outcome
    fo = fc * no + oc
    present = np.bincount(pc.astype(np.int64) * (nf * no) + fo,
                          minlength=(pc.max() + 1) * nf * no) > 0
    first = np.zeros(pc.max() + 1, dtype=np.int64)
    first[pc] = rc  # the respondent's role code
    per_resp = present.reshape(-1, nf * no)
    n = np.vstack([per_resp[first == r].sum(axis=0) for r in range(len(roles))]).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = tot / cnt
    grid = np.stack(np.meshgrid(np.arange(len(roles)), np.arange(nf), np.arange(no),
                                indexing="ij"), -1).reshape(-1, 3)
    out = pd.DataFrame({"role": roles[grid[:, 0]], "form": forms[grid[:, 1]],
                        "outcome": outs[grid[:, 2]], "current": mean[:, 0],
                        "potential": mean[:, 1], "n_current": cnt[:, 0],
                        "n_potential": cnt[:, 1], "n": n})
    out["gap"] = out["potential"] - out["current"]
    out = out[(out["n_current"] + out["n_potential"]) > 0].reset_index(drop=True)
    for c in ("n_current", "n_potential", "n"):
        out[c] = out[c].astype("Int64")
    return out[cols]


def respondent_form_means(scores: pd.DataFrame, paired: bool = False) -> pd.DataFrame:
    """Per respondent x form: mean current and mean potential over the outcomes they scored.

    paired=True keeps only outcomes the respondent scored on both scales, so the two means
    describe the same cells (the pairing of the Wilcoxon test).
    """
    s = _scored(scores)
    wide = s.pivot_table(index=["respondent", "role", "form", "outcome"], columns="scale",
                         values="value", aggfunc="mean", observed=True)
    for sc in ("current", "potential"):
        if sc not in wide:
            wide[sc] = np.nan
    if paired:
        wide = wide.dropna(subset=["current", "potential"])
    out = wide.groupby(level=["respondent", "role", "form"], observed=True)[
        ["current", "potential"]].mean()
    out.columns.name = None
    return out.reset_index()


def holm(p: pd.Series) -> pd.Series:
    """Holm's step-down adjusted p-values over the non-missing values of ``p`` (missing stay).

    Sorted ascending, the i-th smallest of m p-values becomes (m - i + 1) p, made monotone
    from the smallest up and capped at 1 (Holm, 1979); computed by statsmodels'
    ``multipletests(method="holm")``.
    """
    out = pd.Series(np.nan, index=p.index, dtype=float)
    ok = p.notna().to_numpy()
    if ok.any():
        out[ok] = multipletests(p[ok].to_numpy(dtype=float), method="holm")[1]
    return out


def form_change_test(scores: pd.DataFrame, study: object | None = None) -> pd.DataFrame:
    """Does each form serve better in potential than now? Paired Wilcoxon per role x form.

    Pairing: per respondent, the mean over outcomes scored on both scales (current vs
    potential). Reports medians-free effect size as the matched-pairs rank-biserial correlation
    r = (R+ - R-) / (R+ + R-) over non-zero differences (positive: potential higher), the
    two-sided p and Holm-corrected p across the forms of one role. ``n`` = respondents paired.
    """
    _, _, _, _, min_n, _ = _settings(study)
    m = respondent_form_means(scores, paired=True)
    rows = []
    for (role, form), g in m.groupby(["role", "form"], observed=True, sort=True):
        d = (g["potential"] - g["current"]).to_numpy()
        n = len(d)
        row = {"role": role, "form": form, "n": n, "current": g["current"].mean(),
               "potential": g["potential"].mean(), "statistic": np.nan, "p": np.nan,
               "r_rb": np.nan}
        nz = d[d != 0]
        if len(nz):
            rk = rankdata(np.abs(nz))
            rp, rm = rk[nz > 0].sum(), rk[nz < 0].sum()
            row["r_rb"] = (rp - rm) / (rp + rm)
        if n >= min_n and len(nz):
            res = wilcoxon(g["potential"].to_numpy(), g["current"].to_numpy())
            row["statistic"], row["p"] = float(res.statistic), float(res.pvalue)
        rows.append(row)
    out = pd.DataFrame(rows, columns=["role", "form", "n", "current", "potential", "statistic",
                                      "p", "r_rb"])
    out["p_holm"] = out.groupby("role")["p"].transform(holm) if len(out) else np.nan
    out["reason"] = _reason(out["n"], min_n)
    out.loc[(out["reason"] == "") & out["p"].isna(), "reason"] = "all differences are zero"
    out["n"] = out["n"].astype("Int64")
    return out


def form_side_test(scores: pd.DataFrame, study: object | None = None) -> pd.DataFrame:
    """hbo versus mkb per form and scale: Mann-Whitney U on respondents' mean form scores.

    Each respondent's score of a form is their mean over the outcomes of their own side (the two
    sides rate different outcomes, so this compares "how well does the form serve my side").
    r_rb = 2 U_hbo / (n_hbo n_mkb) - 1 (positive: hbo scores higher); Holm across forms per
    scale.
    """
    _, _, _, _, min_n, _ = _settings(study)
    m = respondent_form_means(scores).melt(
        id_vars=["respondent", "role", "form"], value_vars=["current", "potential"],
        var_name="scale", value_name="value").dropna(subset=["value"])
    rows = []
    for (form, scale), g in m.groupby(["form", "scale"], observed=True, sort=True):
        a = g.loc[g["role"] == "hbo", "value"].to_numpy()
        b = g.loc[g["role"] == "mkb", "value"].to_numpy()
        row = {"form": form, "scale": scale, "n_hbo": len(a), "n_mkb": len(b),
               "n": len(a) + len(b), "mean_hbo": a.mean() if len(a) else np.nan,
               "mean_mkb": b.mean() if len(b) else np.nan, "U": np.nan, "p": np.nan,
               "r_rb": np.nan}
        if min(len(a), len(b)) >= min_n:
            res = mannwhitneyu(a, b, alternative="two-sided")
            row["U"], row["p"] = float(res.statistic), float(res.pvalue)
            row["r_rb"] = 2 * row["U"] / (len(a) * len(b)) - 1
        rows.append(row)
    out = pd.DataFrame(rows, columns=["form", "scale", "n_hbo", "n_mkb", "n", "mean_hbo",
                                      "mean_mkb", "U", "p", "r_rb"])
    out["p_holm"] = out.groupby("scale")["p"].transform(holm) if len(out) else np.nan
    out["reason"] = _reason(np.minimum(out["n_hbo"], out["n_mkb"]), min_n)
    for c in ("n_hbo", "n_mkb", "n"):
        out[c] = out[c].astype("Int64")
    return out


def _respondent_cells(resp_code: np.ndarray, cell: np.ndarray, values: np.ndarray,
                      n_resp: int, n_cells: int) -> tuple[np.ndarray, np.ndarray]:
    """Respondent x cell matrices of score sums and counts, via bincount."""
    ok = cell >= 0
    flat = resp_code[ok].astype(np.int64) * n_cells + cell[ok]
    size = n_resp * n_cells
    sums = np.bincount(flat, weights=values[ok], minlength=size).reshape(n_resp, -1)
    cnt = np.bincount(flat, minlength=size).reshape(n_resp, -1).astype(float)
    return sums, cnt


def _fit_of(tot: np.ndarray, cnt: np.ndarray, w: np.ndarray, nf: int, no: int) -> np.ndarray:
    """Cell sums/counts (..., forms*outcomes*2) and weights (..., outcomes) -> fit (..., forms, 2).

    Outcomes without scores for a form drop out of that form's weighted mean.
    """
    shape = tot.shape[:-1] + (nf, no, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = tot.reshape(shape) / cnt.reshape(shape)
        ww = np.broadcast_to(np.asarray(w, dtype=float)[..., None, :, None], shape)
        has = ~np.isnan(mean)
        return np.where(has, mean * ww, 0).sum(-2) / np.where(has, ww, 0).sum(-2)


def form_fit(scores: pd.DataFrame, rankings: pd.DataFrame, study: object | None = None,
             weights: pd.DataFrame | None = None, n_boot: int = 2000, seed: int | None = None,
             ci: float = 0.95) -> pd.DataFrame:
    """How well each form serves a side's outcomes: importance-weighted mean score.

    fit(form, scale) = sum_o w_o mean(form, o, scale) / sum_o w_o over the outcomes o of the role
    with scores for that form. Weights default to the normalised Borda score of the role's
    ranking consensus; pass ``weights`` (role, code, weight) to override. The bootstrap
    resamples respondents of the role, recomputing cell means and (default) Borda weights from
    the same resample. Sorted best first within role and scale.
    """
    _, _, _, _, min_n, _ = _settings(study)
    rng = _rng(seed, study)
    a = _score_codes(scores)
    frames = []
    for ri, role in enumerate(a["role_values"]):
        m = a["role"] == ri
        fc, oc, pc0, val = a["form"][m], a["outcome"][m], a["respondent"][m], a["value"][m]
        forms = _present(fc, a["form_values"])
        present = set(_present(oc, a["outcome_values"]))
        if weights is not None:
            wt = weights[weights["role"] == role].set_index("code")["weight"].astype(float)
            outcomes = sorted(present & set(wt.index))
            wvec, R = wt.reindex(outcomes).to_numpy(), None
        else:
            ids, codes, filled, _ = _rank_matrix(rankings, role)
            outcomes = sorted(present & set(codes))
            col = [codes.index(o) for o in outcomes]
            R = _borda(filled)[:, col]
            wvec = R.sum(axis=0)
        nf, no = len(forms), len(outcomes)
        ncells = nf * no * 2
        # local positions of this role's forms and outcomes (-1: not in the grid)
        fpos = pd.Index(forms).get_indexer(a["form_values"])[fc]
        opos = pd.Index(outcomes).get_indexer(a["outcome_values"])[oc]
        ok = (fpos >= 0) & (opos >= 0)
        ci_ = np.where(ok, (fpos * no + opos) * 2 + a["potential"][m], -1)
        # point estimate from cell sums (no respondent matrix needed)
        tot = np.bincount(ci_[ok], weights=val[ok], minlength=ncells)
        cnt = np.bincount(ci_[ok], minlength=ncells).astype(float)
        point = _fit_of(tot, cnt, wvec, nf, no)
        # respondents per form x scale: distinct (respondent, form, scale) via bincount
        pc, resp_idx = pd.factorize(pc0, sort=True)
        resp = a["respondent_values"][resp_idx]
        fs = (ci_ // (no * 2)) * 2 + ci_ % 2
        seen = np.bincount(pc[ok].astype(np.int64) * (nf * 2) + fs[ok],
                           minlength=len(resp) * nf * 2) > 0
        df = pd.DataFrame({"role": role, "form": np.repeat(forms, 2),
                           "scale": np.tile(["current", "potential"], nf),
                           "fit": point.ravel(),
                           "n": seen.reshape(len(resp), -1).sum(axis=0)})
        df["ci_low"], df["ci_high"] = np.nan, np.nan
        if n_boot and len(resp) >= min_n:
            S, C = _respondent_cells(pc, ci_, val, len(resp), ncells)
            if R is not None:  # align ranking rows to scoring respondents (zeros if unranked)
                pos = pd.Index(ids).get_indexer(resp)
                Rr = np.where(pos[:, None] >= 0, R[np.clip(pos, 0, None)], 0.0)
            boots = []
            for w in _multinomial_chunks(rng, len(resp), n_boot, S.shape[1]):
                bw = w @ Rr if R is not None else np.broadcast_to(wvec, (len(w), no))
                boots.append(_fit_of(w @ S, w @ C, bw, nf, no).reshape(len(w), -1))
            df["ci_low"], df["ci_high"] = _quantiles(np.vstack(boots), ci)
        df["reason"] = _reason(np.full(len(df), len(resp)), min_n)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["role", "form", "scale", "fit", "n", "ci_low", "ci_high", "reason"])
    out["n"] = out["n"].astype("Int64")
    out = out.sort_values(["role", "scale", "fit"], ascending=[True, True, False],
                          ignore_index=True)
    return out[["role", "form", "scale", "fit", "ci_low", "ci_high", "n", "reason"]]


def survey_landscape(scores: pd.DataFrame, rankings: pd.DataFrame, study: object | None = None,
                     n_boot: int = 0, seed: int | None = None, ci: float = 0.95) -> pd.DataFrame:
    """The national served landscape of each side from the survey.

    Per role x outcome: I = 10 x share of the role's respondents ranking the outcome in their top
    third (rank <= round(k/3)); S = 10 x share of current scores of all forms for that outcome
    that are >= study.top_box; then O, served class, band. n_I = respondents ranking, n_S =
    current scores, n = respondents contributing to either. n_boot > 0 adds a respondent
    bootstrap interval for O.
    """
    thresholds, top_box, _, _, min_n, _ = _settings(study)
    rng = _rng(seed, study)
    a = _score_codes(scores, scale="current")
    frames = []
    roles = sorted(set(rankings["role"].dropna().unique()) | set(a["role_values"]))
    role_index = {r: i for i, r in enumerate(a["role_values"])}
    for role in roles:
        ids, codes, filled, _ = _rank_matrix(rankings, role)
        m = a["role"] == role_index.get(role, -1)
        oc, pc, val = a["outcome"][m], a["respondent"][m], a["value"][m]
        outcomes = sorted(set(codes) | set(_present(oc, a["outcome_values"])))
        k = len(codes)
        cut = top_third(k) if k else 0
        top = np.zeros((len(ids), len(outcomes)))
        if k:
            top[:, [outcomes.index(c) for c in codes]] = filled <= cut
        oi = pd.Index(outcomes).get_indexer(a["outcome_values"])[oc]
        box = (val >= top_box).astype(float)
        s_top = np.bincount(oi, weights=box, minlength=len(outcomes))
        s_n = np.bincount(oi, minlength=len(outcomes)).astype(float)
        n_i = np.full(len(outcomes), float(len(ids)))
        with np.errstate(invalid="ignore", divide="ignore"):
            i_score = np.where(np.isin(outcomes, codes), 10 * top.sum(axis=0) / n_i, np.nan)
            s_score = 10 * s_top / s_n
        scorers = np.asarray(_present(pc, a["respondent_values"])) if len(pc) else np.array([])
        resp = np.union1d(ids, scorers)
        df = pd.DataFrame({"role": role, "code": outcomes, "I": i_score, "S": s_score,
                           "n_I": n_i.astype(int), "n_S": s_n.astype(int), "n": len(resp)})
        df = pd.concat([df, opportunity(i_score, s_score, thresholds)], axis=1)
        df["O_low"], df["O_high"] = np.nan, np.nan
        if n_boot and len(resp) >= min_n:
            pos = pd.Index(ids).get_indexer(resp)
            T = np.where(pos[:, None] >= 0, top[np.clip(pos, 0, None)], 0.0)
            has_rank = (pos >= 0).astype(float)
            ri = pd.Index(resp).get_indexer(a["respondent_values"])[pc]
            flat = ri * len(outcomes) + oi
            size = len(resp) * len(outcomes)
            B = np.bincount(flat, weights=box, minlength=size).reshape(len(resp), -1)
            N = np.bincount(flat, minlength=size).reshape(len(resp), -1).astype(float)
            boots = []
            for w in _multinomial_chunks(rng, len(resp), n_boot, 3 * len(outcomes)):
                with np.errstate(invalid="ignore", divide="ignore"):
                    bi = 10 * (w @ T) / (w @ has_rank)[:, None]
                    bs = 10 * (w @ B) / (w @ N)
                boots.append(bi + np.clip(bi - bs, 0, None))
            df["O_low"], df["O_high"] = _quantiles(np.vstack(boots), ci)
        df["reason"] = _reason(np.full(len(df), len(resp)), min_n)
        frames.append(df)
    out = pd.concat(frames, ignore_index=True)
    for c in ("n_I", "n_S", "n"):
        out[c] = out[c].astype("Int64")
    return out.sort_values(["role", "O"], ascending=[True, False], ignore_index=True)


# ---------------------------------------------------------------------------------------------
# ordinal model


def ordinal_model(scores: pd.DataFrame, respondents: pd.DataFrame, study: object | None = None,
                  method: str = "cluster", n_boot: int = 49, seed: int | None = None,
                  ci: float = 0.95) -> pd.DataFrame:
    """Proportional-odds (ordered logit) model of scores on scale, side and region.

    value ~ scale (potential vs current) + role (mkb vs hbo) + region (vs the first region), with
    uncertainty that respects that one respondent gives many scores: method="cluster" uses the
    respondent-clustered sandwich covariance (fast, the default); method="bootstrap" refits on
    n_boot resamples of respondents (percentile intervals, no p). Reported as odds ratios:
    OR > 1 means higher scores are more likely. ``n`` = scores, ``n_respondents`` = clusters.
    """
    # Deferred: statsmodels' model classes take about 0.3 s to import, and no report fits this
    # model yet.
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    _, _, lo_s, hi_s, min_n, _ = _settings(study)
    s = _scored(scores).merge(respondents[["respondent", "region"]].drop_duplicates("respondent"),
                              on="respondent", how="left").dropna(subset=["region", "role"])
    regions = list(getattr(study, "region_slugs", None) or sorted(s["region"].unique()))
    regions = [r for r in regions if r in set(s["region"].unique())]
    X = pd.DataFrame({"scale[potential]": (s["scale"] == "potential").astype(float),
                      "role[mkb]": (s["role"] == "mkb").astype(float)}, index=s.index)
    for r in regions[1:]:
        X[f"region[{r}]"] = (s["region"] == r).astype(float)
    X = X.loc[:, X.std() > 0]
    cols = ["term", "odds_ratio", "ci_low", "ci_high", "p", "n", "n_respondents", "method",
            "reason"]
    groups = pd.factorize(s["respondent"])[0]
    n_resp = int(groups.max() + 1) if len(groups) else 0
    if n_resp < max(min_n, 2) or X.shape[1] == 0:
        return pd.DataFrame([{"term": None, "n": len(s), "n_respondents": n_resp,
                              "method": method,
                              "reason": _reason(np.array([n_resp]), min_n)[0] or
                              "no variation in scale, side or region"}], columns=cols)
    y = pd.Series(pd.Categorical(s["value"].astype(int),
                                 categories=list(range(lo_s, hi_s + 1)), ordered=True),
                  index=s.index)
    y = y.cat.remove_unused_categories()
    Xv = X.to_numpy()
    model = OrderedModel(y.to_numpy(), Xv, distr="logit")
    start = None
    z = norm.ppf(1 - (1 - ci) / 2)
    if method == "cluster":
        res = model.fit(method="bfgs", disp=False, maxiter=500, cov_type="cluster",
                        cov_kwds={"groups": groups})
        beta = np.asarray(res.params)[: X.shape[1]]
        se = np.asarray(res.bse)[: X.shape[1]]
        lo, hi, p = beta - z * se, beta + z * se, np.asarray(res.pvalues)[: X.shape[1]]
    elif method == "bootstrap":
        res = model.fit(method="bfgs", disp=False, maxiter=500)
        beta = np.asarray(res.params)[: X.shape[1]]
        start = np.asarray(res.params)
        rng = _rng(seed, study)
        order = np.argsort(groups, kind="stable")
        sizes = np.bincount(groups)
        starts = np.r_[0, np.cumsum(sizes)[:-1]]
        draws = []
        for _ in range(n_boot):  # loop over resamples (few), not over respondents
            pick = rng.integers(0, n_resp, n_resp)
            rows = order[np.repeat(starts[pick], sizes[pick])
                         + _ragged_arange(sizes[pick])]
            yb = pd.Categorical(y.to_numpy()[rows], categories=y.cat.categories,
                                ordered=True)
            xb = Xv[rows]
            if (xb.std(axis=0) == 0).any() or len(pd.unique(yb.codes)) < len(y.cat.categories):
                continue
            rb = OrderedModel(yb, xb, distr="logit").fit(
                start_params=start, method="bfgs", disp=False, maxiter=200)
            draws.append(np.asarray(rb.params)[: X.shape[1]])
        lo, hi = _quantiles(np.array(draws), ci) if draws else (beta * np.nan, beta * np.nan)
        p = np.full(len(beta), np.nan)
    else:
        raise ValueError(f"method '{method}'; expected cluster or bootstrap")
    return pd.DataFrame({"term": list(X.columns), "odds_ratio": np.exp(beta),
                         "ci_low": np.exp(lo), "ci_high": np.exp(hi), "p": p, "n": len(s),
                         "n_respondents": n_resp, "method": method, "reason": ""},
                        columns=cols)


def _ragged_arange(sizes: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s) for each s in sizes, without a Python loop."""
    sizes = np.asarray(sizes, dtype=np.int64)
    total = int(sizes.sum())
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.arange(total) - starts
