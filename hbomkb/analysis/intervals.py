"""Intervals that fit the n: exact intervals for shares of a few raters, the conservative
interval of an opportunity score built from them, and the smallest n a percentile bootstrap is
used for.

A workshop side has 3-4 raters; nationally a side has about 20. A percentile bootstrap over four
raters has only 35 distinct resamples: it gives zero-width intervals where all four agree and
near-whole-scale ones elsewhere, and its coverage is well below the nominal 95 % at such sizes.
Shares of that many raters get an exact (Clopper-Pearson) or score (Wilson) interval instead,
from statsmodels. Classes read from places (the survey landscape's relative classes) are
"uncertain" where the interval of the place reaches into another class. Reasons and choices:
docs/methods.md, "Intervals and what they claim".
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata
from statsmodels.stats.proportion import proportion_confint

# Below this many units (raters, respondents) no percentile bootstrap interval is given: its
# resampling distribution is too narrow (it misses the n/(n - 1) variance factor and, for a
# handful of units, has only a few distinct resamples). 30 is the usual rule of thumb.
BOOTSTRAP_MIN_N = 30
# How a share's interval is computed: "beta" is Clopper-Pearson (exact: coverage at least the
# nominal level for every true share), "wilson" the Wilson score interval (statsmodels names).
SHARE_METHODS = {"beta": "Clopper-Pearson", "wilson": "Wilson"}
DEFAULT_SHARE_METHOD = "beta"


def share_interval(count: np.ndarray, nobs: np.ndarray, ci: float = 0.95,
                   method: str = DEFAULT_SHARE_METHOD) -> tuple[np.ndarray, np.ndarray]:
    """Interval of the share count/nobs at level ``ci``, on 0-1; NaN where nobs is 0.

    ``method`` "beta" (Clopper-Pearson) or "wilson"; computed by statsmodels'
    ``proportion_confint``. Neither ever has zero width for nobs >= 1.
    """
    if method not in SHARE_METHODS:
        raise ValueError(f"method '{method}'; expected one of {', '.join(SHARE_METHODS)}")
    count = np.asarray(count, dtype=float)
    nobs = np.asarray(nobs, dtype=float)
    ok = nobs > 0
    lo = np.full(count.shape, np.nan)
    hi = np.full(count.shape, np.nan)
    if ok.any():
        lo[ok], hi[ok] = proportion_confint(count[ok], nobs[ok], alpha=1 - ci, method=method)
    return lo, hi


def opportunity_interval(i_count: np.ndarray, i_n: np.ndarray, s_count: np.ndarray,
                         s_n: np.ndarray, ci: float = 0.95,
                         method: str = DEFAULT_SHARE_METHOD) -> tuple[np.ndarray, np.ndarray]:
    """A conservative interval for O = I + max(I - S, 0) from the intervals of I and S.

    I and S (top-box shares x 10) each get an interval at level 1 - (1 - ci)/2 (97.5 % for a
    95 % interval); by Bonferroni both hold together with probability at least ``ci`` whatever
    the dependence between them. O rises with I and falls with S, so over that box its smallest
    value is at (I low, S high) and its largest at (I high, S low). The result covers O with at
    least ``ci``, usually more: it is conservative.
    """
    level = 1 - (1 - ci) / 2
    i_lo, i_hi = share_interval(i_count, i_n, level, method)
    s_lo, s_hi = share_interval(s_count, s_n, level, method)
    i_lo, i_hi, s_lo, s_hi = (10 * x for x in (i_lo, i_hi, s_lo, s_hi))
    low = i_lo + np.clip(i_lo - s_hi, 0, None)
    high = i_hi + np.clip(i_hi - s_lo, 0, None)
    return low, high


def exact_where_flat(df: pd.DataFrame, ci: float = 0.95) -> None:
    """In a survey landscape (columns I, S, O with _low/_high, n_I, n), replace bootstrap
    intervals of I and S that have no width (every resample gave the same
    value: nobody scored a 4 or 5, or every respondent put the outcome first) by the
    Clopper-Pearson interval of that share with the respondents as units; O's interval is
    then rebuilt from them as in :func:`opportunity_interval`. A
    zero-width interval would read as certainty that a few hundred answers cannot give."""
    n = df["n"].to_numpy(dtype=float)
    for c, units in (("I", df["n_I"].to_numpy(dtype=float)), ("S", n)):
        lo, hi = df[f"{c}_low"].to_numpy(), df[f"{c}_high"].to_numpy()
        flat = np.isclose(lo, hi) & ~np.isnan(lo)
        if flat.any():
            share = df[c].to_numpy()[flat] / 10
            new_lo, new_hi = share_interval(np.round(share * units[flat]), units[flat], ci)
            df.loc[flat, f"{c}_low"], df.loc[flat, f"{c}_high"] = 10 * new_lo, 10 * new_hi
    o_lo, o_hi = df["O_low"].to_numpy(), df["O_high"].to_numpy()
    flat = np.isclose(o_lo, o_hi) & ~np.isnan(o_lo)
    if flat.any():
        i_lo, i_hi = df["I_low"].to_numpy()[flat], df["I_high"].to_numpy()[flat]
        s_lo, s_hi = df["S_low"].to_numpy()[flat], df["S_high"].to_numpy()[flat]
        df.loc[flat, "O_low"] = i_lo + np.clip(i_lo - s_hi, 0, None)
        df.loc[flat, "O_high"] = i_hi + np.clip(i_hi - s_lo, 0, None)


# ---------------------------------------------------------------------------------------------
# classes read from places, with their intervals


def top_third(k: int) -> int:
    """Highest rank that counts as 'top third' of k outcomes: round(k/3), at least 1."""
    return max(1, int(np.floor(k / 3 + 0.5)))


def places(o: np.ndarray) -> np.ndarray:
    """Places by O along the last axis: 1 = highest, ties averaged, NaN where O is NaN."""
    return rankdata(-o, axis=-1, method="average", nan_policy="omit")


def relative_class(rank: pd.Series | np.ndarray, low: pd.Series | np.ndarray,
                   high: pd.Series | np.ndarray, k: int) -> np.ndarray:
    """The relative class of places among k outcomes: "top", "middle", "bottom", "uncertain".

    c = round(k/3) (at least 1, :func:`top_third`): places <= c are "top", places > k - c
    "bottom" (unless top), the rest "middle". With an interval (``low``-``high``) the class is
    "uncertain" unless both ends fall in the point's class; without one (NaN) the point's class
    stands.
    """
    c = top_third(k) if k else 1

    def cls(p: np.ndarray) -> np.ndarray:
        return np.select([np.isnan(p), p <= c + 1e-9, p > k - c + 1e-9],
                         [None, "top", "bottom"], "middle").astype(object)

    rank, low, high = (np.asarray(x, dtype=float) for x in (rank, low, high))
    point, lo_c, hi_c = cls(rank), cls(low), cls(high)
    has = ~(np.isnan(low) | np.isnan(high))
    same = (lo_c == point) & (hi_c == point)
    return np.where(has & ~same & (point != None), "uncertain", point)  # noqa: E711
