"""An ordinal model of the survey's scores, and a check of its proportional-odds assumption.

The scores (1-5, per respondent x outcome x form x scale) are modelled by a proportional-odds
(ordered logit) model with the situation (potential vs current), the collaboration form and the
desired outcome as fixed effects, optionally the respondent's region; respondents give many
scores each, so standard errors are clustered by respondent. Each side has its own outcomes, so
a model with outcome effects has no room for a side (role) effect: role is implied by the
outcomes; role enters only a model without them. Definitions: docs/methods.md, "Ordinal model".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit
from scipy.stats import chi2, norm
from statsmodels.discrete.discrete_model import Logit
from statsmodels.miscmodels.ordinal_model import OrderedModel
from statsmodels.tools.numdiff import approx_fprime

from hbomkb.analysis.score import _quantiles, _reason, _rng, _settings
from hbomkb.analysis.survey_scores import _scored

TERMS = ("scale", "form", "outcome", "region", "role")
DEFAULT_TERMS = ("scale", "form", "outcome")
COLUMNS = ["term", "group", "odds_ratio", "ci_low", "ci_high", "p", "n", "n_respondents",
           "method", "reason"]


class LogitOrderedModel(OrderedModel):
    """statsmodels' ``OrderedModel`` (logit) with the analytic score.

    ``OrderedModel`` differentiates its log-likelihood numerically: on the demo survey (18,585
    scores, 27 parameters) a fit takes 30-45 s. With the score written out (below) and the
    Hessian taken as the numerical derivative of that score, the same fit, with the same
    estimates and the same clustered covariance, takes a few seconds. The tests check the
    score against the numerical derivative of ``loglike`` and the fit against the plain model.
    """

    def __init__(self, endog, exog, **kwds):
        super().__init__(endog, exog, distr="logit", **kwds)

    def cdf(self, x):
        """The logistic distribution function (scipy's ``expit``: no per-call overhead)."""
        return expit(x)

    def pdf(self, x):
        """The logistic density; 0 at the infinite outer thresholds."""
        p = expit(x)
        return p * (1 - p)

    def _parts(self, params: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per observation: d loglikeobs / d linear predictor (negated), and the two parts of
        the threshold derivatives: f(upper)/P and f(lower)/P."""
        low, upp = self._bounds(params)
        prob = self.prob(low, upp) + 1e-20
        f_low, f_upp = self.pdf(low) / prob, self.pdf(upp) / prob
        return f_upp - f_low, f_upp, f_low

    def score_obs(self, params):
        """d loglikeobs / d params: exog coefficients, then the lowest threshold and the
        log-increments of the others (statsmodels' parametrisation)."""
        params = np.asarray(params, dtype=float)
        d, f_upp, f_low = self._parts(params)
        k = self.k_vars
        out = np.empty((self.nobs, len(params)))
        out[:, :k] = -d[:, None] * np.asarray(self.exog) if k else 0.0
        out[:, k] = d
        j = np.asarray(self.endog)
        for t in range(1, self.k_levels - 1):  # threshold t moves every threshold above it
            out[:, k + t] = np.exp(params[k + t]) * ((j >= t) * f_upp - (j - 1 >= t) * f_low)
        return out

    def score(self, params):
        """The sum of :meth:`score_obs`, computed without the per-observation matrix."""
        params = np.asarray(params, dtype=float)
        d, f_upp, f_low = self._parts(params)
        k = self.k_vars
        j = np.asarray(self.endog)
        up = np.bincount(j, weights=f_upp, minlength=self.k_levels)
        lo = np.bincount(j, weights=f_low, minlength=self.k_levels)
        # sum over observations with endog >= t of f_upp, and with endog - 1 >= t of f_low
        up_at_least = up[::-1].cumsum()[::-1]
        lo_at_least = np.r_[lo[1:][::-1].cumsum()[::-1], 0.0]
        thresholds = [np.exp(params[k + t]) * (up_at_least[t] - lo_at_least[t])
                      for t in range(1, self.k_levels - 1)]
        exog = -(np.asarray(self.exog).T @ d) if k else np.zeros(0)
        return np.r_[exog, d.sum(), thresholds]

    def hessian(self, params):
        return approx_fprime(np.asarray(params, dtype=float), self.score, centered=True)


def design(scores: pd.DataFrame, respondents: pd.DataFrame, study: object | None = None,
           terms: tuple[str, ...] = DEFAULT_TERMS
           ) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """The scored rows, their dummy-coded predictors and the respondent of each row.

    Dummies against a reference level: scale "current"; the first form and the first outcome
    in code order; the study's first region; side "hbo". Columns without variation are
    dropped. "role" together with "outcome" is refused: the outcomes already say the side.
    """
    unknown = set(terms) - set(TERMS)
    if unknown:
        raise ValueError(f"terms {sorted(unknown)}; expected some of {', '.join(TERMS)}")
    if "role" in terms and "outcome" in terms:
        raise ValueError("terms 'role' and 'outcome' together: each side has its own outcomes, "
                         "so the outcomes already say the side; leave out one of them")
    s = _scored(scores).merge(respondents[["respondent", "region"]].drop_duplicates("respondent"),
                              on="respondent", how="left").dropna(subset=["role"])
    if "region" in terms:
        s = s.dropna(subset=["region"])
    s = s.reset_index(drop=True)
    cols: dict[str, np.ndarray] = {}
    for term in terms:
        if term == "scale":
            cols["scale[potential]"] = (s["scale"] == "potential").to_numpy(dtype=float)
        elif term == "role":
            cols["role[mkb]"] = (s["role"] == "mkb").to_numpy(dtype=float)
        else:
            values = s[term].astype(str)
            levels = sorted(values.unique())
            if term == "region":
                order = list(getattr(study, "region_slugs", None) or [])
                levels = [r for r in order if r in set(levels)] + [
                    r for r in levels if r not in order]
            for level in levels[1:]:
                cols[f"{term}[{level}]"] = (values == level).to_numpy(dtype=float)
    X = pd.DataFrame(cols, index=s.index)
    X = X.loc[:, X.std() > 0] if len(X) else X
    groups = pd.factorize(s["respondent"])[0]
    return s, X, groups


def _group(term: str) -> str:
    return term.split("[", 1)[0]


def ordinal_model(scores: pd.DataFrame, respondents: pd.DataFrame, study: object | None = None,
                  terms: tuple[str, ...] = DEFAULT_TERMS, method: str = "cluster",
                  n_boot: int = 49, seed: int | None = None, ci: float = 0.95) -> pd.DataFrame:
    """Proportional-odds (ordered logit) model of the scores, as odds ratios.

    value ~ the ``terms`` (default: scale + form + outcome; see :func:`design` for the reference
    levels), fitted by statsmodels' ``OrderedModel``. One respondent gives many scores, so
    method="cluster" (default) uses the respondent-clustered sandwich covariance;
    method="bootstrap" refits on n_boot resamples of respondents (percentile intervals, no p).
    OR > 1: higher scores are more likely. ``group`` = the term's family (scale, form, …),
    ``n`` = scores, ``n_respondents`` = clusters.
    """
    _, _, lo_s, hi_s, min_n, _ = _settings(study)
    s, X, groups = design(scores, respondents, study, terms)
    n_resp = int(groups.max() + 1) if len(groups) else 0
    if n_resp < max(min_n, 2) or X.shape[1] == 0:
        return pd.DataFrame([{"term": None, "n": len(s), "n_respondents": n_resp,
                              "method": method,
                              "reason": _reason(np.array([n_resp]), min_n)[0] or
                              "no variation in the model's terms"}], columns=COLUMNS)
    y = _outcome(s["value"], lo_s, hi_s)
    Xv = X.to_numpy()
    k = X.shape[1]
    model = LogitOrderedModel(y.to_numpy(), Xv)
    if method == "cluster":
        res = model.fit(method="newton", disp=False, maxiter=100, cov_type="cluster",
                        cov_kwds={"groups": groups})
        beta = np.asarray(res.params)[:k]
        z = norm.ppf(1 - (1 - ci) / 2)
        se = np.asarray(res.bse)[:k]
        lo, hi, p = beta - z * se, beta + z * se, np.asarray(res.pvalues)[:k]
    elif method == "bootstrap":
        res = model.fit(method="newton", disp=False, maxiter=100)
        beta = np.asarray(res.params)[:k]
        start = np.asarray(res.params)
        rng = _rng(seed, study)
        order = np.argsort(groups, kind="stable")
        sizes = np.bincount(groups)
        starts = np.r_[0, np.cumsum(sizes)[:-1]]
        draws = []
        for _ in range(n_boot):  # loop over resamples (few), not over respondents
            pick = rng.integers(0, n_resp, n_resp)
            rows = order[np.repeat(starts[pick], sizes[pick]) + _ragged_arange(sizes[pick])]
            yb = pd.Categorical(y.to_numpy()[rows], categories=y.cat.categories, ordered=True)
            xb = Xv[rows]
            if (xb.std(axis=0) == 0).any() or len(pd.unique(yb.codes)) < len(y.cat.categories):
                continue
            rb = LogitOrderedModel(yb, xb).fit(
                start_params=start, method="bfgs", disp=False, maxiter=300)
            draws.append(np.asarray(rb.params)[:k])
        lo, hi = _quantiles(np.array(draws), ci) if draws else (beta * np.nan, beta * np.nan)
        p = np.full(k, np.nan)
    else:
        raise ValueError(f"method '{method}'; expected cluster or bootstrap")
    return pd.DataFrame({"term": list(X.columns), "group": [_group(c) for c in X.columns],
                         "odds_ratio": np.exp(beta), "ci_low": np.exp(lo),
                         "ci_high": np.exp(hi), "p": p, "n": len(s), "n_respondents": n_resp,
                         "method": method, "reason": ""}, columns=COLUMNS)


def _outcome(value: pd.Series, lo_s: int, hi_s: int) -> pd.Series:
    """The scores as an ordered categorical over the answer scale, unused levels dropped."""
    y = pd.Series(pd.Categorical(value.astype(int), categories=list(range(lo_s, hi_s + 1)),
                                 ordered=True), index=value.index)
    return y.cat.remove_unused_categories()


def proportional_odds_check(scores: pd.DataFrame, respondents: pd.DataFrame,
                            study: object | None = None, terms: tuple[str, ...] = DEFAULT_TERMS,
                            term: str = "scale[potential]", ci: float = 0.95) -> pd.DataFrame:
    """Does ``term`` have the same odds ratio at every cut-point, as the ordinal model assumes?

    The scores are split at each cut-point j of the scale (score > j against score <= j); the
    binary logits of all cut-points are fitted together on the stacked rows, each cut-point with
    its own intercept and its own ``term`` effect, the other terms shared, with errors clustered
    by respondent (which covers the stacking: a respondent's rows at every cut-point are one
    cluster). The Wald test of equal ``term`` effects across cut-points (df = cut-points - 1) is
    the check: a small p says the proportional-odds odds ratio is an average over cut-points
    that differ. One row per cut-point: ``cut`` (e.g. "> 2"), the odds ratio with its interval,
    and ``chi2``, ``df``, ``p`` of the test (the same on every row).
    """
    _, _, lo_s, hi_s, min_n, _ = _settings(study)
    s, X, groups = design(scores, respondents, study, terms)
    cols = ["term", "cut", "odds_ratio", "ci_low", "ci_high", "chi2", "df", "p", "n",
            "n_respondents", "reason"]
    n_resp = int(groups.max() + 1) if len(groups) else 0
    levels = sorted(s["value"].astype(int).unique()) if len(s) else []
    if n_resp < max(min_n, 2) or term not in X or len(levels) < 3:
        reason = _reason(np.array([n_resp]), min_n)[0] or (
            f"'{term}' is not in the model" if term not in X else "fewer than 3 score levels")
        return pd.DataFrame([{"term": term, "n": len(s), "n_respondents": n_resp,
                              "reason": reason}], columns=cols)
    cuts = levels[:-1]
    value = s["value"].to_numpy()
    others = X.drop(columns=term).to_numpy()
    t = X[term].to_numpy()
    blocks, ys = [], []
    for j, cut in enumerate(cuts):
        own = np.zeros((len(s), 2 * len(cuts)))
        own[:, j] = 1.0            # the cut-point's intercept
        own[:, len(cuts) + j] = t  # the cut-point's term effect
        blocks.append(np.hstack([own, others]))
        ys.append((value > cut).astype(float))
    Z = np.vstack(blocks)
    res = Logit(np.concatenate(ys), Z).fit(
        disp=False, maxiter=200, cov_type="cluster", cov_kwds={"groups": np.tile(groups,
                                                                               len(cuts))})
    m = len(cuts)
    idx = np.arange(m, 2 * m)
    beta = np.asarray(res.params)[idx]
    cov = np.asarray(res.cov_params())[np.ix_(idx, idx)]
    # H0: all cut-point effects equal; contrasts against the first cut-point
    R = np.hstack([-np.ones((m - 1, 1)), np.eye(m - 1)])
    diff = R @ beta
    stat = float(diff @ np.linalg.solve(R @ cov @ R.T, diff))
    z = norm.ppf(1 - (1 - ci) / 2)
    se = np.sqrt(np.diag(cov))
    return pd.DataFrame({"term": term, "cut": [f"> {c}" for c in cuts],
                         "odds_ratio": np.exp(beta), "ci_low": np.exp(beta - z * se),
                         "ci_high": np.exp(beta + z * se), "chi2": stat, "df": m - 1,
                         "p": float(chi2.sf(stat, m - 1)), "n": len(s),
                         "n_respondents": n_resp, "reason": ""}, columns=cols)


def _ragged_arange(sizes: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s) for each s in sizes, without a Python loop."""
    sizes = np.asarray(sizes, dtype=np.int64)
    total = int(sizes.sum())
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.arange(total) - starts
