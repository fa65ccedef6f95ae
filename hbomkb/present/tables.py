"""Tables a report shows, built from the tidy tables: ready to read, in the study's language.

Each function takes tidy tables (docs/tables.md) or results of :mod:`hbomkb.analysis.score` and
returns one display table, its headers and words from :mod:`hbomkb.labels` in the ``language``
given (Dutch by default; a notebook passes its study).
None of them carries a participant or respondent identifier: reports show groups, never people.
"""

from __future__ import annotations

import pandas as pd

from hbomkb.config import Study
from hbomkb.labels import column_label, label, language_of, value_label
from hbomkb.present.html import p_text as html_p_text
from hbomkb.present.sentences import nummer


def only(df: pd.DataFrame, **where: object) -> pd.DataFrame:
    """Rows of ``df`` where every given column equals the given value (index reset)."""
    mask = pd.Series(True, index=df.index)
    for col, value in where.items():
        mask &= df[col] == value
    return df[mask.fillna(False)].reset_index(drop=True)


def with_n(table: pd.DataFrame, n: object, unit: str = "") -> pd.DataFrame:
    """``table`` carrying the number behind it, which a report states in its caption:
    ``attrs["n"]`` and ``attrs["n_unit"]``, a key of :data:`hbomkb.labels.LABELS` that says
    what was counted (``notes_short``, ``participants``, ``respondents`` …)."""
    table.attrs["n"] = int(n)
    table.attrs["n_unit"] = unit
    return table


def constants_to_caption(table: pd.DataFrame, columns: list[str],
                         language: object = None) -> pd.DataFrame:
    """``table`` without those of ``columns`` that hold one value on every row (a model's
    test statistic, its observations): the caption states them once instead
    (``attrs["note"]``: "Wald χ² = 260,18; vrijheidsgraden = 3; p < 0,001; 17288
    waarnemingen"; the values in ``attrs["shared"]``). A table of one row keeps them: there
    they are its values."""
    if len(table) < 2:
        return table
    notes, drop = [], []
    for c in columns:
        if c not in table or table[c].nunique(dropna=False) != 1:
            continue
        v = table[c].iloc[0]
        if isinstance(v, str):
            shown = v
        elif float(v).is_integer():
            shown = str(int(v))
        else:
            shown = nummer(v, 2, language)
        notes.append(f"{shown} {label('observations', language)}" if c == "n" else
                     f"{c} {shown}" if shown.startswith("<") else f"{c} = {shown}")
        drop.append(c)
    out = table.drop(columns=drop)
    out.attrs = dict(table.attrs)
    if notes:  # the text, and the values it shows
        out.attrs.update(note="; ".join(notes), shared={c: table[c].iloc[0] for c in drop})
    return out


def respondents_behind(result: pd.DataFrame) -> int:
    """The respondents behind a survey result with an ``n`` per row: the largest n of each
    side, summed (a respondent answers for one side only); the largest n without sides."""
    if result.empty:
        return 0
    if "role" in result:
        return int(result.groupby("role")["n"].max().sum())
    return int(result["n"].max())


def participant_counts(participants: pd.DataFrame, language: object = None) -> pd.DataFrame:
    """Participants per side (kant) and mixed group (gemengde groep), with totals. No names.
"""
    p = participants.assign(mixed_group=participants["mixed_group"].astype("Int64"))
    counts = (p.groupby(["role", "mixed_group"], dropna=False).size()
              .unstack("mixed_group", fill_value=0))

    def build(lang: object) -> pd.DataFrame:
        wide = counts.copy()
        wide.columns = [f"MIX {c}" if not pd.isna(c) else label("no_group", lang)
                        for c in wide.columns]
        total, side = label("total", lang), column_label("role", lang)
        wide[total] = wide.sum(axis=1)
        wide.loc[total] = wide.sum(axis=0)
        out = wide.reset_index().rename(columns={"role": side})
        return with_n(out.astype({c: "Int64" for c in out.columns if c != side}),
                      len(participants), "participants")

    return build(language)


def cluster_overview(notes: pd.DataFrame, clusters: pd.DataFrame, labels: dict[str, str],
                     group: str = "role", language: object = None) -> pd.DataFrame:
    """Per regional cluster: its group (kant or gemengde groep), the number of notes, the notes'
    texts, its top-3 rank and its national code with label.

    ``notes`` and ``clusters`` are the outcome or form tables of one region.
    """
    keys = [group, "cluster"]
    coded = notes.dropna(subset=["cluster"])
    texts = pd.concat([
        coded.groupby(keys, dropna=False).size().rename("n_notes"),
        coded.dropna(subset=["text"]).astype({"text": str}).groupby(keys, dropna=False)["text"]
        .agg(" · ".join).rename("texts"),
    ], axis=1)
    texts["texts"] = texts["texts"].fillna("")
    c = clusters.set_index(keys)[["top3", "code"]]
    out = c.join(texts, how="outer").reset_index()
    out["n_notes"] = out["n_notes"].fillna(0).astype("Int64")
    out["national"] = out["code"].map(labels)
    out = out.sort_values([group, "top3", "n_notes"], ascending=[True, True, False],
                          na_position="last").reset_index(drop=True)

    def build(lang: object) -> pd.DataFrame:
        heads = {group: column_label("role", lang) if group == "role"
                 else label("mixed_group", lang),
                 "cluster": "cluster", "n_notes": label("notes_short", lang), "top3": "top 3",
                 "code": "code", "national": label("national_cluster", lang),
                 "texts": label("notes_text", lang)}
        return with_n(out[list(heads)].rename(columns=heads), len(coded), "notes_short")

    return build(language)


def interval_text(low: object, high: object, decimals: int = 1, language: object = None) -> str:
    """An interval as a reader sees it: "3,3–20,0" (the study's decimal sign); "" if missing."""
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return ""
    sep = "," if language_of(language) == "nl" else "."
    return "–".join(f"{float(v):.{decimals}f}".replace(".", sep) for v in (low, high))


def p_text(p: object, language: object = None) -> str:
    """A p-value in a table cell: "< 0,001" below 0.001, else three decimals; "" if missing
    (:func:`hbomkb.present.html.p_text` with the study's decimal sign)."""
    return html_p_text(p, "," if language_of(language) == "nl" else ".")


def odi_table(odi: pd.DataFrame, labels: dict[str, str], regional: bool = True,
              language: object = None) -> pd.DataFrame:
    """The served landscape as a table: I, S and O with their intervals, class and n.

    A workshop result (:func:`hbomkb.analysis.score.odi`): served class and band, and O's
    conservative interval; its caption calls the classes indicative (unit
    ``participants_indicative``). A survey landscape
    (:func:`hbomkb.analysis.survey_scores.survey_landscape`, recognised by its ``class``
    column): the place by O with its interval and the relative class, n in respondents.
    """
    survey = "class" in odi
    o = odi.sort_values("O", ascending=False)
    out = pd.DataFrame({column_label("role", language): o["role"].to_numpy()})
    if regional and "cluster" in o and not survey:
        out["cluster"] = o["cluster"].to_numpy()
    out["code"] = o["code"].to_numpy()
    out[label("national_cluster", language)] = o["code"].map(labels).to_numpy()
    word = label("interval", language)
    for c in ("I", "S", "O"):
        out[c] = o[c].to_numpy()
        if f"{c}_low" in o:
            head = f"{c} {word}"
            if c == "O" and not survey:
                head += f" ({label('conservative', language)})"
            out[head] = [interval_text(lo, hi, 1, language)
                         for lo, hi in zip(o[f"{c}_low"], o[f"{c}_high"], strict=True)]
    if survey:
        place = column_label("rank", language)
        sep = "," if language_of(language) == "nl" else "."
        out[place] = ["" if pd.isna(r) else f"{r:g}".replace(".", sep) for r in o["rank"]]
        # a place is a whole number: where both ends agree, the place itself, not "1–1"
        out[f"{place} {word}"] = [
            interval_text(lo, hi, 0, language) if lo != hi else ("" if pd.isna(lo) else
                                                                 f"{lo:.0f}")
            for lo, hi in zip(o["rank_low"], o["rank_high"], strict=True)]
        out[column_label("class", language)] = o["class"].map(
            lambda v: value_label(v, language)).to_numpy()
    else:
        out[column_label("served", language)] = o["served"].map(
            lambda v: value_label(v, language)).to_numpy()
        out[column_label("band", language)] = o["band"].fillna("").map(
            lambda v: value_label(v, language)).to_numpy()
    out["n"] = o["n"].to_numpy()
    if "reason" in o and o["reason"].fillna("").astype(str).str.len().gt(0).any():
        out[column_label("reason", language)] = o["reason"].to_numpy()
    return with_n(out, o["n"].max() if len(o) else 0,
                  "respondents" if survey else "participants_indicative")


def top3_side_by_side(top3: pd.DataFrame, labels: dict[str, str], group: str = "role",
                      language: object = None) -> pd.DataFrame:
    """Top 3 of two groups next to each other: rank, then per group the cluster and its code.

    ``group`` is ``role`` (hbo | mkb, part 2) or ``mixed_group`` (MIX 1 | MIX 2, part 3).
    """
    t = top3.assign(shown=top3["cluster"].astype(str) + " ("
                    + top3["code"].fillna("–").astype(str) + ")")
    wide = t.pivot_table(index="rank", columns=group, values="shown", aggfunc="first")
    prefix = {"role": "", "mixed_group": "MIX "}[group]
    wide.columns = [f"{prefix}{c}" for c in wide.columns]
    out = wide.reset_index().fillna("–")

    def build(lang: object) -> pd.DataFrame:
        return with_n(out.rename(columns={"rank": label("top3_rank", lang)}), top3["n"].sum(),
                      "notes_short")

    return build(language)


def _named_codes(codes: object, tied: object, labels: dict[str, str],
                 language: object = None) -> str:
    """"Label (CODE)" for each code of a comma-separated list; a tied code says so."""
    ties = {c.strip() for c in str(tied or "").split(",") if c.strip()}
    parts = [c.strip() for c in str(codes).split(",") if c.strip()]
    word = label("tie_note", language)
    return "; ".join(f"{labels.get(c, c)} ({c}{', ' + word if c in ties else ''})"
                     for c in parts) or "–"


def common_ground_table(common: pd.DataFrame, labels: dict[str, str],
                        language: object = None) -> pd.DataFrame:
    """Common-ground rows (:func:`hbomkb.analysis.cluster.common_ground`) with labels, shared
    keys first. A code in a side's national top 3 only through a tie at third place is marked,
    and so is common ground that rests on one. Counts are groups (a side in a region) whose top
    3 holds the key, and top-3 places; nationally both over all regions."""
    key = label("theme" if (common["pairing"] == "theme").all() else "quadrant", language)
    tie = common["tie"] if "tie" in common else pd.Series(False, index=common.index)
    shared = [value_label("tie" if t else "yes", language) if c else value_label("no", language)
              for c, t in zip(common["common"], tie, strict=True)]
    out = pd.DataFrame({
        key: common["key"].to_numpy(),
        "hbo": [_named_codes(c, t, labels, language) for c, t in
                zip(common["hbo_codes"], common.get("hbo_tied", [""] * len(common)),
                    strict=True)],
        "mkb": [_named_codes(c, t, labels, language) for c, t in
                zip(common["mkb_codes"], common.get("mkb_tied", [""] * len(common)),
                    strict=True)],
        column_label("common", language): shared,
    })
    for side in ("hbo", "mkb"):
        out[f"{label('groups', language)} {side}"] = common[f"n_{side}"].to_numpy()
    for side in ("hbo", "mkb"):
        if f"picks_{side}" in common:
            out[f"{column_label('picks', language)} {side}"] = common[f"picks_{side}"].to_numpy()
    if common["regions_common"].notna().any():
        out[label("regions_common", language)] = common["regions_common"].to_numpy()
    n = common["groups"].max() if "groups" in common and len(common) else 0
    return with_n(out.reset_index(drop=True), n, "groups")


def sensitivity_table(sensitivity: pd.DataFrame, labels: dict[str, str],
                      language: object = None) -> pd.DataFrame:
    """The common-ground sensitivity check (:func:`cluster.common_ground_sensitivity`): per
    reading of "top 3", each side's top 3 (a tied code marked "="), the common keys and
    whether the conclusion is the same as under the main rule."""
    s = sensitivity
    yes, no = value_label("yes", language), value_label("no", language)
    out = pd.DataFrame({
        column_label("rule", language): [label(f"rule_{r}", language) for r in s["rule"]],
        column_label("hbo_top3", language): s["hbo_top3"].to_numpy(),
        column_label("mkb_top3", language): s["mkb_top3"].to_numpy(),
        column_label("common", language): [c or "–" for c in s["common"]],
        column_label("n_common", language): s["n_common"].to_numpy(),
        column_label("same", language): [yes if v else no for v in s["same"]],
    })
    return with_n(out, s["n"].max() if len(s) else 0, "groups")


def respondent_counts(respondents: pd.DataFrame, study: Study, region: str | None = None,
                      language: object = None) -> pd.DataFrame:
    """Survey respondents per side (complete and partial), for one region or per region.

    Cells below ``study.min_group_size`` (but above zero) are shown as "< k" so that a small
    group is not singled out.
    """
    r = respondents if region is None else respondents[respondents["region"] == region]
    keys = ["role"] if region is not None else ["region", "role"]
    g = (r.assign(status=r["complete"].map({True: "complete", False: "partial"}))
         .groupby([*keys, "status"]).size().unstack("status", fill_value=0))
    for c in ("complete", "partial"):
        if c not in g:
            g[c] = 0
    g = g[["complete", "partial"]]
    g.columns.name = None
    small = (g > 0) & (g < study.min_group_size)
    shown = g.astype(object).where(~small, f"< {study.min_group_size}").reset_index()

    def build(lang: object) -> pd.DataFrame:
        heads = {"role": column_label("role", lang), "region": column_label("region", lang),
                 "complete": label("complete", lang), "partial": label("partial", lang)}
        return with_n(shown.rename(columns=heads), len(r), "respondents")

    return build(language)


def consensus_table(consensus: pd.DataFrame, labels: dict[str, str],
                    language: object = None) -> pd.DataFrame:
    """Ranking consensus per side: mean rank with interval, Borda, top-third share, n.
"""
    c = consensus

    def build(lang: object) -> pd.DataFrame:
        return with_n(pd.DataFrame({
            column_label("role", lang): c["role"], "code": c["code"],
            column_label("outcome", lang): c["code"].map(labels),
            column_label("mean_rank", lang): c["mean_rank"],
            label("interval", lang): [interval_text(lo, hi, 2, lang) for lo, hi in
                                      zip(c["ci_low"], c["ci_high"], strict=True)],
            column_label("borda", lang): c["borda"],
            column_label("top_third_share", lang): c["top_third_share"], "n": c["n"],
        }).reset_index(drop=True), respondents_behind(c), "respondents")

    return build(language)


# Columns whose values are words (shown through labels.value_label) and columns that hold a
# national code (shown with its label beside it).
_VALUE_COLUMNS = ("scale", "served", "band", "explore", "term", "weight_type", "measure", "kind",
                  "top3", "class", "comparison", "unit", "issue")
_CODE_COLUMNS = ("code", "form", "outcome", "versus", "nearest_code")
# p-values, shown as "< 0,001" or with three decimals (:func:`p_text`), never as "0,00"
_P_COLUMNS = ("p", "p_holm")


def present(df: pd.DataFrame, labels: dict[str, str], drop: tuple[str, ...] = (),
            language: object = None) -> pd.DataFrame:
    """A result table of :mod:`hbomkb.analysis.score` as shown to readers: column names and
    values in the study's ``language`` (a Study or "nl"/"en"; Dutch by default), and the
    national label beside every code column. A ``reason`` (remark) column without any remark
    is left out."""
    out = df.drop(columns=[c for c in drop if c in df.columns]).copy()
    if "reason" in out and out["reason"].fillna("").astype(str).str.strip().eq("").all():
        out = out.drop(columns="reason")  # a remark column with no remark says nothing
    for c in _VALUE_COLUMNS:
        if c in out:
            out[c] = out[c].map(lambda v: value_label(v, language))
    for c in _P_COLUMNS:
        if c in out:
            out[c] = out[c].map(lambda v: p_text(v, language))
    name_word = label("name", language)
    # beside "code": "naam", in English "cluster name", never "name" alone: a column called
    # "name" is refused as identifying a person (hbomkb.notebook.IDENTIFYING_COLUMNS)
    code_word = label("code_name", language)
    cols, data = [], {}
    for c in out.columns:
        name = column_label(c, language)
        cols.append(name)
        data[name] = out[c].to_numpy()
        if c in _CODE_COLUMNS:
            named = f"{name} ({name_word})" if c != "code" else code_word
            cols.append(named)
            data[named] = out[c].map(lambda v: labels.get(str(v), "") if isinstance(v, str)
                                     else "").to_numpy()
    return pd.DataFrame(data, columns=cols)


def survey_for_region(tables: dict[str, pd.DataFrame], region: str
                      ) -> dict[str, pd.DataFrame]:
    """The survey tables limited to respondents who said they work in ``region``."""
    resp = tables["respondents"]
    ids = set(resp.loc[resp["region"] == region, "respondent"].dropna().astype(int))
    out = {"respondents": resp[resp["region"] == region].reset_index(drop=True)}
    for name in ("rankings", "scores", "open_answers"):
        t = tables[name]
        out[name] = t[t["respondent"].astype("Int64").isin(ids).fillna(False)
                      ].reset_index(drop=True)
    return out


def enough_rows(df: pd.DataFrame, study: Study, n: str = "n") -> pd.DataFrame:
    """Rows whose ``n`` reaches ``study.min_group_size``: what a region report may show."""
    keep = pd.to_numeric(df[n], errors="coerce").fillna(0) >= study.min_group_size
    return df[keep.to_numpy()].reset_index(drop=True)


def small_sides(participants: pd.DataFrame, study: Study) -> list[str]:
    """The sides (hbo, mkb) of one region's ``participants`` with fewer participants than
    ``study.min_group_size``: a region report shows no ratings of theirs."""
    counts = participants.groupby("role").size()
    return [side for side in ("hbo", "mkb")
            if 0 < int(counts.get(side, 0)) < study.min_group_size]


def shown_ratings(odi: pd.DataFrame, participants: pd.DataFrame, study: Study) -> pd.DataFrame:
    """The per-cluster ratings of one region (:func:`hbomkb.analysis.score.odi`) a region
    report may show: none of a side in :func:`small_sides`, and no cluster rated by fewer than
    ``study.min_group_size`` participants (one person's own I, S and O would show)."""
    keep = ~odi["role"].isin(small_sides(participants, study))
    keep &= pd.to_numeric(odi["n"], errors="coerce").fillna(0) >= study.min_group_size
    return odi[keep.to_numpy()].reset_index(drop=True)


def region_by_code(counts: pd.DataFrame, kind: str, labels: dict[str, str],
                   region_names: dict[str, str], measure: str = "notes",
                   language: object = None) -> pd.DataFrame:
    """Codes x regions for one kind (from :func:`cluster.cluster_counts`), with a total."""
    c = counts[(counts["kind"] == kind) & (counts["measure"] == measure)]
    wide = c.pivot_table(index="code", columns="region", values="n", aggfunc="sum",
                         fill_value=0)
    regions = [r for r in region_names if r in wide.columns]
    wide = wide[regions + (["all"] if "all" in wide.columns else [])]
    total = label("total", language)
    wide.columns = [region_names.get(r, total if r == "all" else r) for r in wide.columns]
    wide = wide.sort_values(total, ascending=False) if total in wide else wide
    out = wide.reset_index()
    # "naam", in English "cluster name", never "name" alone: a column called "name" is
    # refused as identifying a person (hbomkb.notebook.IDENTIFYING_COLUMNS)
    out.insert(1, label("code_name", language), out["code"].map(labels))
    return with_n(out, c.loc[c["region"] == "all", "n"].sum() if (c["region"] == "all").any()
                  else c["n"].sum(), "notes_short" if measure == "notes" else "")


def open_answers_summary(open_answers: pd.DataFrame, language: object = None) -> pd.DataFrame:
    """Missing desired outcomes named in the survey, per side: each (redacted) text once,
    with how many respondents wrote it, most frequent first."""
    t = open_answers.dropna(subset=["text"])
    t = t.assign(text=t["text"].astype(str).str.strip())
    t = t[t["text"] != ""]
    out = (t.groupby(["role", "text"]).size().rename("count").reset_index()
           .sort_values(["role", "count", "text"], ascending=[True, False, True]))
    out = out.rename(columns={"role": column_label("role", language),
                              "text": label("missing_outcome", language),
                              "count": label("count", language)}).reset_index(drop=True)
    return with_n(out, len(t), "answers")


def study_counts(tables: dict[str, pd.DataFrame], survey_tables: dict[str, pd.DataFrame],
                 language: object = None) -> dict[str, int]:
    """The n's of a study for the methods section, keyed by their label in ``language``."""
    p = tables["participants"]
    r = survey_tables.get("respondents", pd.DataFrame(columns=["role"]))
    scores = survey_tables.get("scores", pd.DataFrame({"value": []}))
    counts = {
        "count_regions": int(p["region"].nunique()),
        "count_participants_hbo": int((p["role"] == "hbo").sum()),
        "count_participants_mkb": int((p["role"] == "mkb").sum()),
        "count_outcome_notes": len(tables["outcome_notes"]),
        "count_form_notes": len(tables["form_notes"]),
        "count_ratings": len(tables["outcome_ratings"]),
        "count_respondents_hbo": int((r["role"] == "hbo").sum()),
        "count_respondents_mkb": int((r["role"] == "mkb").sum()),
        "count_scores": int(scores["value"].notna().sum()),
    }
    return {label(key, language): n for key, n in counts.items()}


def survey_result(result: pd.DataFrame, labels: dict[str, str], language: object = None
                  ) -> pd.DataFrame:
    """A survey result of :mod:`hbomkb.analysis.survey_scores` as readers see it
    (:func:`present`), carrying the respondents behind it (:func:`respondents_behind`)."""
    return with_n(present(result, labels, language=language), respondents_behind(result),
                  "respondents")


def top3_frequency(top3_national: pd.DataFrame, labels: dict[str, str],
                   language: object = None) -> pd.DataFrame:
    """How often each national cluster stood in a group's top 3
    (:func:`hbomkb.analysis.score.top3_national`) as readers see it, carrying the number of
    groups behind it: regions for one side's outcomes, mixed groups for forms."""
    groups = top3_national["groups"].max() if len(top3_national) else 0
    out = present(top3_national, labels, language=language).rename(
        columns={"n": label("chosen_by_groups", language)})
    return with_n(out, groups, "regions" if "role" in top3_national else "groups")


def quadrant_table(quadrants: pd.DataFrame, labels: dict[str, str], language: object = None
                   ) -> pd.DataFrame:
    """The quadrant ordering (:func:`hbomkb.analysis.score.quadrants`) as readers see it,
    carrying what its weights count: notes, top-3 picks, or (importance) the raters.

    One table holds one kind and one kind of weight, so neither is repeated on every row: the
    kind belongs in the caption, the kind of weight is the unit of the n ("n = 92 notities").
    A weight that is the count n itself (notes, top-3 picks) shows once, as n; an importance
    weight shows under its own name ("belang (I, 0-10)") beside the raters' n.
    """
    weight = quadrants["weight_type"].iloc[0] if len(quadrants) else "frequency"
    q = quadrants.drop(columns=["kind", "weight_type"])
    if weight != "importance" and (q["weight"] == q["n"].astype(float)).all():
        q = q.drop(columns="weight")
    out = present(q, labels, language=language).rename(
        columns={column_label("weight", language): label("importance", language)})
    if weight == "importance":
        return with_n(out, quadrants["n"].max() if len(quadrants) else 0, "participants")
    return with_n(out, quadrants["n"].sum(), "top3_picks" if weight == "top3" else "notes_short")


def fit_differences_table(differences: pd.DataFrame, labels: dict[str, str],
                          language: object = None) -> pd.DataFrame:
    """Differences in form fit (:func:`hbomkb.analysis.survey_scores.fit_differences`) as
    readers see them: the interval of each difference and whether it excludes 0."""
    d = differences.assign(
        versus=differences["versus"].where(differences["comparison"] == "lead"),
        excludes_zero=[value_label("yes" if v else "no", language) if not pd.isna(lo) else ""
                       for v, lo in zip(differences["excludes_zero"], differences["ci_low"],
                                        strict=True)])
    out = present(d, labels, language=language)
    return with_n(out, respondents_behind(differences), "respondents")


def coverage_table(summary: pd.DataFrame, language: object = None) -> pd.DataFrame:
    """Codebook coverage (:func:`hbomkb.analysis.cluster.coverage_summary`): per kind and unit
    (notes, regional clusters) how many carry a national code, as a percentage."""
    s = summary.assign(share_coded=100 * summary["share_coded"])
    out = present(s, {}, language=language)
    notes = summary.loc[summary["unit"] == "notes", "n"].sum()
    return with_n(out, notes, "notes_short")


def coder_agreement_table(agreement: pd.DataFrame, language: object = None) -> pd.DataFrame:
    """Agreement between the two coders (:func:`hbomkb.analysis.cluster.coder_agreement`):
    per kind the regional clusters coded by both, % equal, Cohen's kappa, Krippendorff's
    alpha."""
    a = agreement.assign(agreement=100 * agreement["agreement"]).rename(
        columns={"agreement": "agreement_pct"})
    return with_n(present(a, {}, language=language), agreement["n"].sum(), "clusters_short")


def text_agreement_table(agreement: pd.DataFrame, language: object = None) -> pd.DataFrame:
    """The text-based second opinion against the coding
    (:func:`hbomkb.analysis.textmine.text_agreement`): ARI and NMI per kind."""
    return with_n(present(agreement, {}, language=language), agreement["n"].sum(),
                  "notes_short")


def text_disagreement_table(disagreement: pd.DataFrame, labels: dict[str, str],
                            language: object = None) -> pd.DataFrame:
    """National clusters where text clustering and coding part ways
    (:func:`hbomkb.analysis.textmine.text_disagreement`)."""
    d = disagreement.assign(share_main=100 * disagreement["share_main"])
    return with_n(present(d, labels, language=language), disagreement["n"].sum(),
                  "notes_short")


def review_table(review: pd.DataFrame, labels: dict[str, str],
                 language: object = None) -> pd.DataFrame:
    """Notes to review (:func:`hbomkb.analysis.textmine.review_list`): the (redacted) note
    text, its code and the code its text is closest to."""
    r = review.drop(columns=["note_id", "similarity_own", "similarity_nearest"],
                    errors="ignore")
    return with_n(present(r, labels, language=language), len(review), "notes_short")


def ordinal_table(model: pd.DataFrame, labels: dict[str, str],
                  language: object = None) -> pd.DataFrame:
    """The ordinal model (:func:`hbomkb.analysis.ordinal.ordinal_model`) as readers see it:
    per term its kind and level (a code with its national label; the situation as a word),
    and the odds ratio with its interval; the respondents behind it in the caption (n)."""
    level = model["term"].astype(str).str.extract(r"\[(.*)\]")[0]
    m = model.assign(code=level.map(lambda v: value_label(v, language)),
                     group=model["group"].map(lambda g: label(f"{g}_term", language)))
    # the respondents behind the model are the same for every term: the caption states them
    m = m[["group", "code", "odds_ratio", "ci_low", "ci_high", "p", "n", "reason"]]
    out = with_n(present(m, labels, language=language),
                 model["n_respondents"].max() if len(model) else 0, "respondents")
    return constants_to_caption(out, ["n"], language)


def proportional_odds_table(check: pd.DataFrame, language: object = None) -> pd.DataFrame:
    """The proportional-odds check (:func:`hbomkb.analysis.ordinal.proportional_odds_check`):
    the odds ratio of the situation at each cut-point, and the Wald test of their equality."""
    # one model behind every row: its respondents are stated in the caption, not per row
    c = check.drop(columns=["term", "n_respondents"], errors="ignore")
    out = with_n(present(c, {}, language=language),
                 check["n_respondents"].max() if len(check) else 0, "respondents")
    # one test of the whole model: its statistic, degrees of freedom and p are the same on
    # every row
    return constants_to_caption(out, [column_label(k, language) for k in ("chi2", "df", "p")]
                                + ["n"], language)
