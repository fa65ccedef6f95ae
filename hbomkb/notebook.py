"""What a report notebook imports: open a report, then show tables, figures and text in it.

A notebook starts with :func:`open_report`, which loads the study and its tidy tables, and shows
what it computed with :func:`show_table`, :func:`show_figure` and :func:`show_markdown`. Every
table shown is also written as CSV and every figure as PNG and SVG, where ``hbomkb run``
collects them. Importing this module does not load papermill or nbconvert: only the run needs
those.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from hbomkb.analysis import survey_scores
from hbomkb.config import DEFAULT_STUDY, Study, StudyError, load_study, report_name
from hbomkb.files import file_hashes, write_table_csv
from hbomkb.inputs.build import load_tables
from hbomkb.labels import label
from hbomkb.present import markdown as md
from hbomkb.present import plots
from hbomkb.present import tables as display_tables
from hbomkb.present.html import banner_html, figure_html, table_html
from hbomkb.publish import provenance

# Columns that identify one person; a table shown in a report must never carry them.
IDENTIFYING_COLUMNS = frozenset({
    "participant", "respondent", "name", "email", "e-mail", "token", "ipaddr",
    "ip_address", "refurl",
})


@dataclass
class Report:
    """One report being built: its study and tidy tables, its name, where its output goes.

    ``raw_inputs`` is the listing of the study's raw files with their SHA-256
    (:func:`hbomkb.files.file_hashes`), made once when the report opens; the tables and the
    provenance block both rely on it.
    """

    study: Study
    name: str
    region: str | None
    tables_dir: Path
    figures_dir: Path
    parameters: dict
    raw_inputs: pd.DataFrame = field(repr=False)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def region_name(self) -> str | None:
        """The region's display name (``Noord``), None for the national report."""
        return self.study.region_names.get(self.region) if self.region else None


def open_report(study: str | os.PathLike = DEFAULT_STUDY, region: str | None = None,
                reports_dir: str | os.PathLike = "", figures_dir: str | os.PathLike = "",
                load: bool = True) -> Report:
    """Start a report inside a notebook: load the study and (by default) its tidy tables.

    ``reports_dir``/``figures_dir`` empty means the study's default folders
    (``reports/<study>/`` and ``figures/<study>/``, redirectable with HBOMKB_REPORTS_DIR and
    HBOMKB_FIGURES_DIR). Tables shown go to ``<reports_dir>/tables/<report>/``.
    """
    loaded = load_study(study)
    if region is not None and region not in loaded.region_slugs:
        raise StudyError(f"region '{region}' is not in study '{loaded.slug}'; expected one of "
                         f"{', '.join(loaded.region_slugs)}")
    name = report_name(region)
    reports = Path(reports_dir) if str(reports_dir) else loaded.reports_dir
    figures = Path(figures_dir) if str(figures_dir) else loaded.figures_dir
    hashes = file_hashes(loaded.root)
    report = Report(study=loaded, name=name, region=region,
                    tables_dir=reports / "tables" / name, figures_dir=figures,
                    parameters={"study": str(study), "region": region}, raw_inputs=hashes)
    if load:
        report.tables = load_tables(loaded, raw_inputs=hashes)
    return report


def show_markdown(text: str) -> None:
    """Show Markdown (generated text, e.g. from :mod:`hbomkb.present.narrative`) as output;
    its plain-text version without the escapes that keep text from data from becoming markup
    (:func:`hbomkb.present.markdown.plain`)."""
    text = str(text)
    display({"text/markdown": text, "text/plain": md.plain(text)}, raw=True)


def show_provenance(report: Report) -> None:
    """Show the synthetic-data banner (if any) and the provenance block."""
    banner = banner_html(report.study)
    if banner:
        display({"text/html": banner,
                 "text/plain": label("banner_synthetic_plain", report.study)}, raw=True)
    block = provenance.collect(report.study, report.parameters, hashes=report.raw_inputs)
    show_markdown(block.to_markdown())


def _slug(text: str) -> str:
    s = re.sub(r"[^0-9A-Za-z]+", "-", text.strip().lower()).strip("-")
    if not s:
        raise ValueError(f"name '{text}' has no letters or digits; expected a short file name")
    return s


def flat(text: str) -> str:
    """``text`` without parentheses, for a place that is itself in parentheses: each
    "(aside)" becomes ", aside" ("respondenten per kant (max.)" reads "respondenten per kant,
    max."). A caption never holds parentheses inside parentheses."""
    text = re.sub(r"\s*\(([^()]*)\)", r", \1", str(text))
    return text.replace("(", "").replace(")", "")


def n_caption(table: pd.DataFrame, study: Study, n: int | str | None = None) -> str:
    """What a caption says about the n behind ``table``: ``n = 34 notities``.

    ``n`` given wins; otherwise the table's own ``attrs["n"]`` with its unit
    ``attrs["n_unit"]`` (set by :mod:`hbomkb.present.tables`); a table without either states
    its number of rows (``n = 3 rijen``). What every row shares (``attrs["note"]``, see
    :func:`hbomkb.present.tables.constants_to_caption`) follows. The caption puts this text in
    parentheses, so it holds none of its own (:func:`flat`).
    """
    if n is not None:
        return flat(f"n = {n}")
    # what the table's rows share (a model's test, its observations) follows the n
    note = f"; {table.attrs['note']}" if table.attrs.get("note") else ""
    if "n" in table.attrs:
        unit = table.attrs.get("n_unit")
        return flat(f"n = {table.attrs['n']}" + (f" {label(unit, study)}" if unit else "")
                    + note)
    return flat(f"n = {len(table)} {label('rows', study)}")


def show_table(table: pd.DataFrame, name: str, report: Report, caption: str = "",
               n: int | str | None = None, decimals: int = 2) -> None:
    """Show a table with its caption and n, and record it as ``<tables_dir>/<name>.csv``.

    The n comes from the table (see :func:`n_caption`); ``n`` overrides it. A table with a
    column that identifies a person (participant, respondent, name, e-mail …) is refused:
    reports show groups, not people. The run later gathers every recorded CSV into
    ``tables.xlsx``. Text that a spreadsheet would read as a formula gets an apostrophe in
    front in the CSV (:func:`hbomkb.files.write_table_csv`; ``docs/privacy.md``).
    """
    bad = sorted(IDENTIFYING_COLUMNS & {str(c).lower() for c in table.columns})
    if bad:
        raise ValueError(f"table '{name}' has identifying column(s) {bad}; expected aggregated "
                         "data without per-person rows")
    stem = _slug(name)
    report.tables_dir.mkdir(parents=True, exist_ok=True)
    write_table_csv(table, report.tables_dir / f"{stem}.csv")
    title = f"{caption or name} ({n_caption(table, report.study, n)})"
    decimal = "," if report.study.language == "nl" else "."
    display({"text/html": table_html(table, title, decimals, decimal),
             "text/plain": f"{title}\n{table.to_string(index=False)}"}, raw=True)


def save_figure(fig, name: str, report: Report) -> tuple[Path, Path]:
    """Save a figure as PNG and SVG in the report's figures folder (house style of
    :mod:`hbomkb.present.plots`); the file stem starts with the region (or ``nationaal``)."""
    stem = _slug(f"{report.region or 'nationaal'}-{name}")
    with plots.house_style():
        png, svg = plots.save(fig, report.figures_dir / stem)
    return png, svg


def show_figure(fig, name: str, report: Report, caption: str = "") -> None:
    """Save a figure (PNG and SVG) and show it inline, with its caption as alternative text.

    The image is embedded in the output, so the rendered HTML carries it. The figure is closed
    afterwards, so the notebook's inline backend does not draw it a second time.
    """
    png, _ = save_figure(fig, name, report)
    plt.close(fig)
    display({"text/html": figure_html(png.read_bytes(), alt=caption or name, caption=caption),
             "text/plain": caption or name}, raw=True)


@dataclass(frozen=True, eq=False)
class SurveyResults:
    """The national survey results the conclusions draw on; all None without answers."""

    consensus: pd.DataFrame | None = None
    agreement: pd.DataFrame | None = None
    fit: pd.DataFrame | None = None
    change: pd.DataFrame | None = None
    landscape: pd.DataFrame | None = None


def show_survey(report: Report, answers: dict[str, pd.DataFrame], names: dict[str, str]
                ) -> SurveyResults:
    """Show the national survey part: respondents, the ranking of desired outcomes, missing
    outcomes, forms in the current and potential situation, form fit and the survey's
    opportunity landscape.

    ``answers`` are the survey tables to analyse (:func:`hbomkb.inputs.survey.analysable`).
    Without answers it says so once and shows nothing else; the results it returns are then
    all None, which :func:`hbomkb.present.narrative.national_conclusions` reads as "no survey".
    """
    study, codebook = report.study, report.tables["codebook_clusters"]
    if answers["respondents"].empty:
        show_markdown(label("survey_no_answers", study))
        return SurveyResults()
    show_table(display_tables.respondent_counts(report.tables["respondents"], study,
                                                language=study),
               "respondenten", report, caption=label("caption_respondents", study))

    show_markdown(f"### {label('survey_ranking', study)}")
    consensus = survey_scores.ranking_consensus(answers["rankings"], study)
    agreement = survey_scores.ranking_agreement(answers["rankings"], study)
    show_table(display_tables.consensus_table(consensus, names, study), "rangorde", report,
               caption=label("caption_ranking", study))
    show_figure(plots.ranking_plot(consensus, study, codebook), "rangorde", report,
                caption=label("caption_ranking_plot", study))
    show_table(display_tables.survey_result(agreement, names, study), "overeenstemming", report,
               caption=label("caption_agreement", study))

    show_markdown(f"### {label('survey_missing', study)}")
    show_table(display_tables.open_answers_summary(answers["open_answers"], study),
               "ontbrekend", report, caption=label("caption_missing", study))

    show_markdown(f"### {label('survey_forms', study)}")
    form_scores = survey_scores.form_scores(answers["scores"])
    for side in ("hbo", "mkb"):
        show_figure(plots.form_heatmaps(form_scores, side, study, codebook), f"vormen-{side}",
                    report, caption=label("caption_form_heatmaps", study, side=side))
    show_table(display_tables.survey_result(form_scores, names, study), "vorm-x-resultaat",
               report, caption=label("caption_form_scores", study))
    change = survey_scores.form_change_test(answers["scores"], study)
    show_table(display_tables.survey_result(change, names, study), "potentieel-vs-huidig",
               report, caption=label("caption_change", study))
    sides = survey_scores.form_side_test(answers["scores"], study)
    show_table(display_tables.survey_result(sides, names, study), "hbo-vs-mkb-vormen", report,
               caption=label("caption_sides", study))

    show_markdown(f"### {label('survey_fit', study)}")
    fit = survey_scores.form_fit(answers["scores"], answers["rankings"], study)
    show_table(display_tables.survey_result(fit, names, study), "fit", report,
               caption=label("caption_fit", study))
    show_figure(plots.form_fit_plot(fit, study, codebook), "fit", report,
                caption=label("caption_fit_plot", study))

    show_markdown(f"### {label('survey_landscape', study)}")
    landscape = survey_scores.survey_landscape(answers["scores"], answers["rankings"], study)
    for side in ("hbo", "mkb"):
        side_landscape = display_tables.only(landscape, role=side)
        show_table(display_tables.odi_table(side_landscape, names, regional=False,
                                            language=study),
                   f"landschap-{side}", report,
                   caption=label("caption_survey_landscape", study, side=side))
    show_figure(plots.opportunity_landscape(landscape, study, codebook), "landschap", report,
                caption=label("caption_survey_landscape_plot", study))
    return SurveyResults(consensus, agreement, fit, change, landscape)
