"""How the survey scores scale with the number of respondents, and bootstraps with resamples.

Builds a synthetic survey of the demo survey's shape (8 outcomes per side, 10 forms, 2 scales,
"weet niet" now and then; every respondent ranks their side's 8 outcomes), vectorised, and
times form_scores, form_fit, ranking_consensus and survey_landscape (no bootstrap) at 10,000
and 100,000 respondents in one run. Goal: growth <= 11x for 10x the respondents. Then times
bootstraps at B and 2B resamples (goal: about 2x).

    PYTHONPATH=. .venv/bin/python bench/bench_score.py [--small N] [--large N]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from hbomkb.analysis import survey_scores

N_OUTCOMES, N_FORMS = 8, 10
FORMS = [f"F{i:02d}" for i in range(1, N_FORMS + 1)]


def synthetic_survey(n: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores, rankings) for n respondents, half hbo and half mkb."""
    rng = np.random.default_rng(seed)
    resp = np.arange(1, n + 1)
    is_mkb = rng.random(n) < 0.5
    role = np.where(is_mkb, "mkb", "hbo")
    outcome_idx = np.arange(N_OUTCOMES)
    codes = np.array([[f"H{i + 1:02d}" for i in outcome_idx], [f"M{i + 1:02d}" for i in
                                                                 outcome_idx]])
    cells = N_OUTCOMES * N_FORMS * 2
    r = np.repeat(np.arange(n), cells)
    o = np.tile(np.repeat(outcome_idx, N_FORMS * 2), n)
    f = np.tile(np.repeat(np.arange(N_FORMS), 2), n * N_OUTCOMES)
    s = np.tile(np.array([0, 1]), n * N_OUTCOMES * N_FORMS)
    value = np.clip(np.round(2.5 + 0.8 * s + 0.1 * f / N_FORMS
                             + rng.normal(0, 1, len(r))), 1, 5).astype("int64")
    dont_know = rng.random(len(r)) < 0.05
    scores = pd.DataFrame({
        "respondent": pd.array(resp[r], dtype="Int64"),
        "role": pd.Categorical.from_codes(is_mkb[r].astype(int), ["hbo", "mkb"]),
        "outcome": codes[is_mkb[r].astype(int), o],
        "form": pd.Categorical.from_codes(f, FORMS),
        "scale": pd.Categorical.from_codes(s, ["current", "potential"]),
        "value": pd.array(np.where(dont_know, 0, value), dtype="Int64"),
        "dont_know": dont_know,
    })
    scores.loc[dont_know, "value"] = pd.NA
    scores["outcome"] = scores["outcome"].astype("category")
    # rankings: a noisy common order (Gumbel trick)
    util = -0.15 * outcome_idx[None, :] + rng.gumbel(size=(n, N_OUTCOMES))
    ranks = np.argsort(np.argsort(-util, axis=1), axis=1) + 1
    rankings = pd.DataFrame({
        "respondent": pd.array(np.repeat(resp, N_OUTCOMES), dtype="Int64"),
        "role": np.repeat(role, N_OUTCOMES),
        "code": codes[np.repeat(is_mkb.astype(int), N_OUTCOMES), np.tile(outcome_idx, n)],
        "rank": pd.array(ranks.ravel(), dtype="Int64"),
    })
    return scores, rankings


def timed(fn, *args, repeat: int = 3, **kw) -> float:
    """CPU seconds of this process, best of ``repeat`` runs.

    CPU time rather than wall time, and the minimum: on a small shared machine other people's
    jobs inflate wall time at random, which says nothing about how the code scales.
    """
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn(*args, **kw)
        best = min(best, time.process_time() - t0)
    return best


def score_all(scores: pd.DataFrame, rankings: pd.DataFrame) -> dict[str, float]:
    return {
        "form_scores": timed(survey_scores.form_scores, scores),
        "form_fit": timed(survey_scores.form_fit, scores, rankings, n_boot=0),
        "ranking_consensus": timed(survey_scores.ranking_consensus, rankings, n_boot=0),
        "survey_landscape": timed(survey_scores.survey_landscape, scores, rankings, n_boot=0),
    }


def main() -> None:
    from threadpoolctl import threadpool_limits

    # One BLAS thread: on a small shared machine oversubscribed BLAS threads make matrix
    # products (the bootstraps) slow and erratic; the scores themselves are single-threaded.
    threadpool_limits(1)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=10_000)
    ap.add_argument("--large", type=int, default=100_000)
    ap.add_argument("--boot-n", type=int, default=2_000, help="respondents for the bootstrap")
    ap.add_argument("--boot-b", type=int, default=1000, help="B (and 2B) resamples")
    a = ap.parse_args()

    results = {}
    for n in (a.small, a.large):
        t0 = time.perf_counter()
        scores, rankings = synthetic_survey(n)
        gen = time.perf_counter() - t0
        score_all(scores.head(1000), rankings.head(100))  # warm imports and caches
        t = score_all(scores, rankings)
        results[n] = (len(scores), t)
        total = sum(t.values())
        print(f"n = {n:>7,} respondents, {len(scores):>11,} score cells "
              f"(generated in {gen:.1f} s)")
        for k, v in t.items():
            print(f"    {k:<18} {v:7.2f} s CPU")
        print(f"    {'total':<18} {total:7.2f} s = {total / len(scores) * 1e6:.3f} s per "
              "million score cells")
        del scores, rankings
    small, large = (sum(results[n][1].values()) for n in (a.small, a.large))
    growth = large / small
    print(f"growth {a.small:,} -> {a.large:,} respondents: {growth:.1f}x "
          f"({'ok' if growth <= 11 else 'above'} the goal of <= 11x)")
    for k in results[a.small][1]:
        print(f"    {k:<18} {results[a.large][1][k] / results[a.small][1][k]:6.1f}x")

    scores, rankings = synthetic_survey(a.boot_n, seed=2)
    print(f"bootstrap on {a.boot_n:,} respondents:")
    for name, fn in (("form_fit", lambda b: survey_scores.form_fit(scores, rankings, n_boot=b)),
                     ("ranking_consensus",
                      lambda b: survey_scores.ranking_consensus(rankings, n_boot=b)),
                     ("survey_landscape",
                      lambda b: survey_scores.survey_landscape(scores, rankings, n_boot=b))):
        fn(10)  # warm up
        base = timed(fn, 0)
        t1, t2 = timed(fn, a.boot_b), timed(fn, 2 * a.boot_b)
        print(f"    {name:<18} CPU s: no bootstrap {base:5.2f}   B = {a.boot_b}: {t1:6.2f}   "
              f"2B = {2 * a.boot_b}: {t2:6.2f}   bootstrap part ratio "
              f"{(t2 - base) / (t1 - base):.2f}")


if __name__ == "__main__":
    main()
