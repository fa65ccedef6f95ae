"""Reports: the helpers notebooks use, and ``hbomkb run`` that executes and renders them all.

A run validates and processes a study once, then executes one region notebook per region and
the national notebook with papermill in a pool of worker processes, renders each to HTML (a
full version and a reviewer version without code), collects every table shown into
``tables.xlsx`` and writes ``index.html``. A notebook whose inputs did not change since its last
good run is skipped; a notebook that fails keeps its last good report.

This module is imported by every notebook, so its top level stays light: papermill, nbconvert
and tqdm are imported only inside the functions that run notebooks.
"""

from __future__ import annotations

import argparse
import base64
import gc
import hashlib
import html
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from hbomkb.config import DEFAULT_STUDY, NOTEBOOKS_DIR, PROJECT_DIR, Study, StudyError, load_study
from hbomkb.files import replace_dir, sha256_file, write_text_atomic
from hbomkb.publish import provenance

REGION_NOTEBOOK = "10-region.ipynb"
NATIONAL_NOTEBOOK = "20-national.ipynb"
KERNEL_NAME = "hbomkb"
MANIFEST = "manifest.json"
# Columns that identify one person; a table shown in a report must never carry them.
IDENTIFYING_COLUMNS = frozenset({
    "participant", "respondent", "name", "email", "e-mail", "token", "ipaddr",
    "ip_address", "refurl",
})
# Parameters that only say where output goes; they are not part of what a report is about.
OUTPUT_PARAMETERS = ("reports_dir", "figures_dir")


# ---------------------------------------------------------------------------------------------
# Notebook side
# ---------------------------------------------------------------------------------------------

@dataclass
class Context:
    """One report being built: its study, its name, where its tables and figures go."""

    study: Study
    name: str
    region: str | None
    tables_dir: Path
    figures_dir: Path
    parameters: dict
    tables: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)
    shown: list[dict] = field(default_factory=list, repr=False)

    @property
    def region_name(self) -> str | None:
        return self.study.region_names.get(self.region) if self.region else None


def report_name(region: str | None) -> str:
    """File stem of a report: ``region-<slug>`` or ``national``."""
    return f"region-{region}" if region else "national"


def open_report(study: str | os.PathLike = DEFAULT_STUDY, region: str | None = None,
                reports_dir: str | os.PathLike = "", figures_dir: str | os.PathLike = "",
                load: bool = True) -> Context:
    """Start a report inside a notebook: load the study and (by default) its tidy tables.

    ``reports_dir``/``figures_dir`` empty means the study's default folders
    (``reports/<study>/`` and ``figures/<study>/``, redirectable with HBOMKB_REPORTS_DIR and
    HBOMKB_FIGURES_DIR). Tables shown go to ``<reports_dir>/tables/<report>/``.
    """
    # Everything imported so far (numpy, pandas, matplotlib, scipy …: millions of objects)
    # lives as long as the kernel. Frozen, the garbage collector stops scanning it again and
    # again while the report allocates; otherwise each full collection costs a tenth of a second.
    gc.freeze()
    st = load_study(study)
    if region is not None and region not in st.region_slugs:
        raise StudyError(f"region '{region}' is not in study '{st.slug}'; expected one of "
                         f"{', '.join(st.region_slugs)}")
    name = report_name(region)
    rdir = Path(reports_dir) if str(reports_dir) else st.reports_dir
    fdir = Path(figures_dir) if str(figures_dir) else st.figures_dir
    params = {"study": str(study), "region": region}
    ctx = Context(study=st, name=name, region=region, tables_dir=rdir / "tables" / name,
                  figures_dir=fdir, parameters=params)
    if load:
        from hbomkb.inputs.build import load_tables

        ctx.tables = load_tables(st)
    return ctx


def banner_html(study: Study) -> str:
    """A banner no reader can miss when the study's data are synthetic; empty otherwise."""
    if not study.synthetic:
        return ""
    return (
        '<div style="border:4px solid #b00020;background:#fde7ea;color:#5c0010;'
        'padding:1em 1.2em;margin:0.5em 0;font-size:1.25em;font-weight:bold">'
        "&#9888; SYNTHETISCHE DATA &mdash; dit rapport is gemaakt met verzonnen demonstratie-"
        "gegevens (studie <code>" + html.escape(study.slug) + "</code>). Geen enkel getal, "
        "citaat of conclusie hierin zegt iets over echte regio's, hogescholen of ondernemers."
        "</div>"
    )


def _display(bundle: dict, metadata: dict | None = None) -> None:
    from IPython.display import display

    display(bundle, raw=True, metadata=metadata or {})


def show_markdown(text: str) -> None:
    """Show Markdown (generated text, e.g. from :mod:`hbomkb.present.narrative`) as cell output."""
    _display({"text/markdown": text, "text/plain": text})


def show_provenance(ctx: Context) -> None:
    """Show the synthetic-data banner (if any) and the provenance block."""
    params = {k: v for k, v in ctx.parameters.items() if k not in OUTPUT_PARAMETERS}
    prov = provenance.collect(ctx.study, params)
    banner = banner_html(ctx.study)
    if banner:
        _display({"text/html": banner, "text/plain": "SYNTHETISCHE DATA"})
    show_markdown(prov.to_markdown())


def _slug(text: str) -> str:
    s = re.sub(r"[^0-9A-Za-z]+", "-", text.strip().lower()).strip("-")
    if not s:
        raise ValueError(f"name '{text}' has no letters or digits; expected a short file name")
    return s


def show_table(df: pd.DataFrame, name: str, ctx: Context, caption: str = "",
               n: int | str | None = None, decimals: int = 2) -> None:
    """Show a table with its caption and n, and record it as ``<tables_dir>/<name>.csv``.

    ``n`` is the number of people (or notes, or responses) behind the table; without it the
    caption states the number of rows. A table with a column that identifies a person
    (participant, respondent, name, e-mail …) is refused: reports show groups, not people.
    The run later gathers every recorded CSV into ``tables.xlsx``.
    """
    bad = sorted(IDENTIFYING_COLUMNS & {str(c).lower() for c in df.columns})
    if bad:
        raise ValueError(f"table '{name}' has identifying column(s) {bad}; expected aggregated "
                         "data without per-person rows")
    stem = _slug(name)
    ctx.tables_dir.mkdir(parents=True, exist_ok=True)
    df.to_csv(ctx.tables_dir / f"{stem}.csv", index=False, encoding="utf-8")
    n_text = f"n = {n}" if n is not None else f"{len(df)} rijen"
    title = caption or name
    ctx.shown.append({"table": stem, "caption": title, "n": n, "rows": len(df)})
    _display({"text/html": table_html(df, f"{title} ({n_text})", decimals,
                                      "," if ctx.study.language == "nl" else "."),
              "text/plain": f"{title} ({n_text})\n{df.to_string(index=False)}"})


def table_html(df: pd.DataFrame, caption: str, decimals: int = 2, decimal: str = ".") -> str:
    """A plain HTML table of ``df`` (no index) under ``caption``: fractional numbers with
    ``decimals`` digits and ``decimal`` as separator, whole numbers as they are, a missing value
    as "–", all text escaped. Plain tags keep the page light to render and to convert."""
    cells = np.empty(df.shape, dtype=object)
    for j, (_, col) in enumerate(df.items()):
        missing = col.isna().to_numpy()
        if pd.api.types.is_float_dtype(col.dtype):
            values = col.to_numpy(dtype=float, na_value=np.nan)
            text = np.char.mod(f"%.{decimals}f", np.nan_to_num(values))
            if decimal != ".":
                text = np.char.replace(text, ".", decimal)
        else:
            text = np.array([html.escape(str(v)) for v in col.to_numpy(dtype=object)],
                            dtype=object)
        cells[:, j] = np.where(missing, "–", text.astype(object))
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join(f"<tr><td>{'</td><td>'.join(row)}</td></tr>" for row in cells.tolist())
    return (f'<table class="dataframe"><caption>{html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def save_figure(fig, name: str, ctx: Context) -> tuple[Path, Path]:
    """Save a figure as PNG and SVG under the report's figures folder (house style of
    :mod:`hbomkb.present.plots`); the file stem starts with the region (or ``nationaal``)."""
    from hbomkb.present import plots

    stem = _slug(f"{ctx.region or 'nationaal'}-{name}")
    with plots.house_style():
        png, svg = plots.save(fig, ctx.figures_dir / stem)
    return png, svg


def show_figure(fig, name: str, ctx: Context, caption: str = "") -> None:
    """Save a figure (PNG+SVG) and show it inline, with its caption as alternative text.

    The image is embedded in the output (base64), so the rendered HTML carries it. A figure
    made through pyplot is closed afterwards so the inline backend does not draw it twice.
    """
    png, _ = save_figure(fig, name, ctx)
    if getattr(fig, "number", None) is not None:  # a pyplot figure
        import matplotlib.pyplot as plt

        plt.close(fig)
    data = base64.b64encode(png.read_bytes()).decode("ascii")
    alt = html.escape(caption or name, quote=True)
    tag = (f'<figure style="margin:0"><img src="data:image/png;base64,{data}" alt="{alt}" '
           f'style="max-width:100%"/>'
           + (f"<figcaption><em>{html.escape(caption)}</em></figcaption>" if caption else "")
           + "</figure>")
    _display({"text/html": tag, "text/plain": caption or name})


def enough(n: int, study: Study) -> bool:
    """Whether a group of ``n`` people is large enough to report (``study.min_group_size``)."""
    return int(n) >= study.min_group_size


# ---------------------------------------------------------------------------------------------
# Running notebooks
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    """One notebook to execute: source, parameters, and its report name."""

    name: str
    notebook: Path
    parameters: dict
    title: str = ""


@dataclass
class Outcome:
    """What happened to one notebook in a run."""

    name: str
    status: str  # "ok", "skipped", "failed" ("not_run" only in the index)
    seconds: float = 0.0
    cell: int | None = None
    source: str = ""
    error: str = ""
    failed_notebook: Path | None = None
    phases: dict[str, float] = field(default_factory=dict)

    def describe(self) -> str:
        if self.status != "failed":
            return f"{self.name}: {self.status}"
        if self.cell is None:
            return f"{self.name}: failed before its first cell: {self.error}"
        code = f" ({self.source})" if self.source else ""
        return f"{self.name}: failed in cell [{self.cell}]{code}: {self.error}"


@dataclass
class RunResult:
    """The result of :func:`run`: one outcome per notebook, and where the reports are."""

    study: str
    reports_dir: Path
    figures_dir: Path
    outcomes: list[Outcome]
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def counts(self) -> dict[str, int]:
        out = {"ok": 0, "skipped": 0, "failed": 0}
        for o in self.outcomes:
            out[o.status] += 1
        return out


def kernel_name() -> str:
    """The ``hbomkb`` kernel when registered (``make kernel``), otherwise ``python3``."""
    from jupyter_client.kernelspec import KernelSpecManager

    return KERNEL_NAME if KERNEL_NAME in KernelSpecManager().find_kernel_specs() else "python3"


def _quiet_kernel_manager(log_path: Path, ipc_dir: Path):
    """A kernel manager class that talks to the kernel over IPC and logs its stderr to a file.

    ipykernel 7 warns on every start that TCP is unencrypted; IPC (unix sockets in a private
    folder) removes the cause. The kernel's own stderr (log lines such as the
    ``KeyboardInterrupt caught`` that the shutdown interrupt sometimes causes) goes to
    ``log_path`` instead of the terminal.
    """
    from jupyter_client import AsyncKernelManager
    from traitlets import default

    class QuietKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc"

        @default("ip")
        def _default_ip(self):
            return str(ipc_dir / "k")

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            log = open(log_path, "ab")  # noqa: SIM115 - closed when the kernel is cleaned up
            self._hbomkb_log = log
            kw["stderr"] = log
            kw["stdout"] = log
            await super()._async_launch_kernel(kernel_cmd, **kw)

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            await super()._async_cleanup_resources(restart=restart)
            log = getattr(self, "_hbomkb_log", None)
            if log is not None and not restart:
                log.close()

    return QuietKernelManager


def _quiet_logs() -> None:
    """papermill and nbconvert log warnings (unknown parameter, missing alt text) to the
    terminal; the run reports what matters itself, and tests check parameters cells parse."""
    import logging

    for name in ("papermill", "nbconvert", "traitlets"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _kernel_env() -> None:
    """Environment the kernel inherits: the package importable, no debugger chatter."""
    path = os.environ.get("PYTHONPATH", "")
    if str(PROJECT_DIR) not in path.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_DIR), path) if p)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")


_EXPORTERS: dict[bool, object] = {}

# The lab template, except that highlighted code is not run through bleach: pygments already
# escapes it, and sanitising every code cell's markup again is a good part of rendering.
_TEMPLATE = "hbomkb-lab.html.j2"
_TEMPLATE_SOURCE = """{%- extends 'lab/index.html.j2' -%}
{% block input %}
<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline">
     <div class="cm-editor cm-s-jupyter">
{{ cell.source | highlight_code(metadata=cell.metadata) }}
     </div>
</div>
{%- endblock input %}
"""
_FOCUSABLE = re.compile(r'<div class="([^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b'
                        r'[^"]*)"(?![^>]*\btabindex=)')
_IMG_WITHOUT_ALT = re.compile(r"<img\b(?![^>]*\balt=)")


def _accessible(page: str) -> str:
    """What nbconvert's HTML exporter does with BeautifulSoup after rendering, done with
    regular expressions on the template's own markup: input and output areas focusable by
    keyboard, and a placeholder alternative text on an image without one."""
    page = _FOCUSABLE.sub(r'<div class="\1" tabindex="0"', page)
    return _IMG_WITHOUT_ALT.sub(
        '<img alt="No description has been provided for this image"', page)


def _exporter(review: bool):
    """An HTML exporter (cached per worker): full, or for reviewers without code cells.

    It renders as nbconvert's HTMLExporter with the lab template, without re-parsing the
    finished page with BeautifulSoup (half the time of rendering a report with many tables).
    """
    if review not in _EXPORTERS:
        import jinja2
        from nbconvert import HTMLExporter
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        class LightHTMLExporter(HTMLExporter):
            def from_notebook_node(self, nb, resources=None, **kw):
                # HTMLExporter.from_notebook_node (nbconvert 7) up to its BeautifulSoup pass
                info = nb.metadata.get("language_info", {})
                lexer = info.get("pygments_lexer", info.get("name", None))
                self.register_filter("highlight_code", self.filters.get(
                    "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
                resources = self._init_resources(resources)
                self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources))
                page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
                return _accessible(page), resources

        _EXPORTERS[review] = LightHTMLExporter(
            exclude_input=review, exclude_input_prompt=review, exclude_output_prompt=review,
            embed_images=True, template_file=_TEMPLATE,
            extra_loaders=[jinja2.DictLoader({_TEMPLATE: _TEMPLATE_SOURCE})])
    return _EXPORTERS[review]


def warm_up() -> None:
    """Import and build what a worker needs once, so each notebook does not pay for it."""
    import papermill  # noqa: F401

    _kernel_env()
    _quiet_logs()
    _exporter(False)
    _exporter(True)


def render_html(nb, review: bool = False, title: str = "") -> str:
    """HTML of an executed notebook; ``review`` leaves out every code cell's input.

    Inline images stay inline (``data:`` URLs), so the page stands on its own.
    """
    resources = {"metadata": {"name": title}} if title else None
    body, _ = _exporter(review).from_notebook_node(nb, resources=resources)
    return body


def _strip_noise(nb, moved: dict[str, str]) -> None:
    """Drop per-cell timing and papermill bookkeeping, and show the folders where the outputs
    were published instead of the staging folders the notebook ran with (``moved``)."""
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            from papermill.translators import PythonTranslator as tr

            for old, new in moved.items():
                cell.source = cell.source.replace(tr.translate_str(old), tr.translate_str(new))
    meta = nb.metadata.get("papermill", {})
    for key in ("duration", "input_path", "output_path", "environment_variables"):
        meta.pop(key, None)
    params = meta.get("parameters", {})
    for key, value in params.items():
        params[key] = moved.get(value, value)


def execute_job(job: Job, reports_dir: Path, figures_dir: Path, kernel: str,
                cwd: Path | None = None) -> Outcome:
    """Execute one notebook into a staging folder and publish it only if it succeeds.

    On success the executed notebook, its HTML, its reviewer HTML, its tables and its figures
    replace the previous ones; on failure the previous report stays and the failed notebook is
    kept under ``failed/`` for inspection.
    """
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    _kernel_env()
    start = time.perf_counter()
    staging = reports_dir / ".staging" / job.name
    shutil.rmtree(staging, ignore_errors=True)
    stage_figs = staging / "figures"
    stage_figs.mkdir(parents=True)
    (reports_dir / "logs").mkdir(parents=True, exist_ok=True)
    log_path = reports_dir / "logs" / f"{job.name}.kernel.log"
    log_path.write_bytes(b"")
    out_nb = staging / f"{job.name}.ipynb"
    params = dict(job.parameters, reports_dir=str(staging), figures_dir=str(stage_figs))
    with tempfile.TemporaryDirectory(prefix="hbomkb-k-") as ipc:
        try:
            pm.execute_notebook(
                str(job.notebook), str(out_nb), parameters=params, kernel_name=kernel,
                progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                cwd=str(cwd or job.notebook.parent),
                kernel_manager_class=_quiet_kernel_manager(log_path, Path(ipc)),
                # Kernels running side by side would share IPython's history database (and
                # wait on its lock); a report needs no history.
                extra_arguments=["--HistoryManager.enabled=False"],
            )
        except PapermillExecutionError as e:
            return _failed(job, reports_dir, staging, out_nb, start, e.exec_count,
                           f"{e.ename}: {e.evalue}", e.source)
        except Exception as e:  # kernel died, notebook unreadable, …: report, don't crash
            return _failed(job, reports_dir, staging, out_nb, start, None,
                           f"{type(e).__name__}: {e}")

    executed = time.perf_counter() - start
    nb = nbformat.read(out_nb, as_version=4)
    _strip_noise(nb, {str(stage_figs): str(figures_dir), str(staging): str(reports_dir)})
    title = job.title or job.name
    full = render_html(nb, review=False, title=title)
    review = render_html(nb, review=True, title=f"{title} (zonder code)")
    nbformat.write(nb, out_nb)
    # Publish: files first (each replace is atomic), then this report's tables and figures.
    write_text_atomic(reports_dir / f"{job.name}.html", full)
    write_text_atomic(reports_dir / f"{job.name}-review.html", review)
    os.replace(out_nb, reports_dir / f"{job.name}.ipynb")
    staged_tables = staging / "tables" / job.name
    if staged_tables.is_dir():
        replace_dir(staged_tables, reports_dir / "tables" / job.name)
    else:
        shutil.rmtree(reports_dir / "tables" / job.name, ignore_errors=True)
    publish_figures(stage_figs, figures_dir, reports_dir / ".published" / f"{job.name}.json")
    shutil.rmtree(staging, ignore_errors=True)
    (reports_dir / "failed" / f"{job.name}.ipynb").unlink(missing_ok=True)
    took = time.perf_counter() - start
    return Outcome(job.name, "ok", took,
                   phases={"execute": round(executed, 2), "render": round(took - executed, 2)})


def publish_figures(staged: Path, figures_dir: Path, listing: Path) -> list[str]:
    """Move a report's new figures into ``figures_dir`` and remove the ones it made last time
    but no longer makes, so the folder holds what the reports show. ``listing`` records the
    file names a report published (JSON); returns the new names."""
    figures_dir.mkdir(parents=True, exist_ok=True)
    new = sorted(f.name for f in staged.iterdir() if f.is_file())
    try:
        old = json.loads(listing.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = []
    for name in new:
        os.replace(staged / name, figures_dir / name)
    gone = set(old) - set(new) if isinstance(old, list) else set()
    for name in gone:
        if isinstance(name, str) and Path(name).name == name:  # a bare file name, nothing else
            (figures_dir / name).unlink(missing_ok=True)
    write_text_atomic(listing, json.dumps(new, indent=1))
    return new


def _failed(job: Job, reports_dir: Path, staging: Path, out_nb: Path, start: float,
            cell: int | None, error: str, source: str = "") -> Outcome:
    kept = None
    if out_nb.exists():
        kept = reports_dir / "failed" / f"{job.name}.ipynb"
        kept.parent.mkdir(parents=True, exist_ok=True)
        os.replace(out_nb, kept)
    shutil.rmtree(staging, ignore_errors=True)
    first_line = error.strip().splitlines()[0] if error.strip() else "unknown error"
    code = next((line.strip() for line in (source or "").splitlines() if line.strip()), "")
    return Outcome(job.name, "failed", time.perf_counter() - start, cell=cell,
                   source=code[:60] + ("…" if len(code) > 60 else ""), error=first_line,
                   failed_notebook=kept)


def _start_workers_early():
    """The multiprocessing context for the pool, with its imports already under way.

    Where available a fork server is started now and imports papermill and nbconvert once
    (importing nbformat alone takes seconds); every worker forks from it warm. It does this
    while the study is being processed, in a clean process without the threads processing
    starts, so forking stays safe.
    """
    import multiprocessing as mp

    if "forkserver" not in mp.get_all_start_methods():
        return None  # Windows: spawn, each worker warms up in its initializer
    from multiprocessing import forkserver

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["papermill", "nbconvert", "nbformat",
                                "jupyter_client"])
    forkserver.ensure_running()
    return ctx


def _job_key(job: Job, raw_hash: str, src_hash: str) -> str:
    h = hashlib.sha256()
    h.update(raw_hash.encode())
    h.update(src_hash.encode())
    h.update(sha256_file(job.notebook).encode())
    h.update(json.dumps(job.parameters, sort_keys=True, default=str).encode())
    return h.hexdigest()


def _read_manifest(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _outputs_exist(reports_dir: Path, name: str) -> bool:
    return all((reports_dir / f"{name}{suffix}").is_file()
               for suffix in (".ipynb", ".html", "-review.html"))


def plan(study: Study, regions: Sequence[str] | None = None,
         notebooks_dir: Path | None = None) -> list[Job]:
    """The notebooks a run executes: one per region (in study order), then the national one."""
    nb_dir = Path(notebooks_dir or NOTEBOOKS_DIR)
    slugs = list(regions) if regions else study.region_slugs
    unknown = [r for r in slugs if r not in study.region_slugs]
    if unknown:
        raise StudyError(f"region(s) {', '.join(unknown)} not in study '{study.slug}'; expected "
                         f"one of {', '.join(study.region_slugs)}")
    base = {"study": str(study.root)}
    names = study.region_names
    jobs = [Job(report_name(r), nb_dir / REGION_NOTEBOOK, dict(base, region=r),
                f"Regio {names[r]} – {study.title}") for r in slugs]
    jobs.append(Job(report_name(None), nb_dir / NATIONAL_NOTEBOOK, dict(base),
                    f"Landelijk – {study.title}"))
    return jobs


def prepare(study: Study) -> None:
    """Validate and process the study once, so notebooks only read the processed tables."""
    try:
        from hbomkb.inputs import build as process
    except ImportError:  # processing not available: notebooks process in memory
        return
    process.process(study)


def run(study: str | os.PathLike | Study = DEFAULT_STUDY, regions: Sequence[str] | None = None,
        jobs: int | None = None, force: bool = False, out_dir: str | os.PathLike | None = None,
        figures_dir: str | os.PathLike | None = None,
        notebooks_dir: str | os.PathLike | None = None, kernel: str | None = None,
        progress: bool = True, process: bool = True) -> RunResult:
    """Process a study, execute and render its region and national reports; see module doc.

    ``out_dir`` defaults to ``reports/<study>/`` and ``figures_dir`` to ``figures/<study>/``.
    ``jobs`` worker processes execute notebooks side by side (default: CPU count).
    ``notebooks_dir`` points to other notebook sources (tests). Raises
    :class:`~hbomkb.problems.InputError` when the study's input has errors.
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed

    t0 = time.perf_counter()
    st = study if isinstance(study, Study) else load_study(study)
    todo = plan(st, regions, Path(notebooks_dir) if notebooks_dir else None)
    # absolute: the kernels run with the notebooks folder as working directory
    reports_dir = (Path(out_dir) if out_dir else st.reports_dir).resolve()
    fig_dir = (Path(figures_dir) if figures_dir else st.figures_dir).resolve()
    reports_dir.mkdir(parents=True, exist_ok=True)
    phases: dict[str, float] = {}
    mp_context = _start_workers_early()  # their imports overlap with processing
    if process:
        prepare(st)
    phases["process"] = time.perf_counter() - t0

    manifest_path = reports_dir / MANIFEST
    manifest = _read_manifest(manifest_path)
    entries = manifest.get("notebooks", {}) if isinstance(manifest.get("notebooks"), dict) else {}
    raw_hash, src_hash = provenance.raw_inputs_hash(st), provenance.source_hash()
    keys = {j.name: _job_key(j, raw_hash, src_hash) for j in todo}
    outcomes: dict[str, Outcome] = {}
    pending = []
    for j in todo:
        fresh = entries.get(j.name, {}).get("key") == keys[j.name]
        if fresh and not force and _outputs_exist(reports_dir, j.name):
            outcomes[j.name] = Outcome(j.name, "skipped")
        else:
            pending.append(j)

    kname = kernel or kernel_name()
    phases["plan"] = time.perf_counter() - t0 - sum(phases.values())
    workers = max(1, min(jobs or os.cpu_count() or 1, len(pending) or 1))
    bar = early = book = None
    if pending:
        from tqdm import tqdm

        with ProcessPoolExecutor(max_workers=workers, mp_context=mp_context,
                                 initializer=warm_up) as pool:
            # Longest first (the national notebook), so it does not finish alone at the end.
            by_length = sorted(pending, key=lambda j: j.name != "national")
            futures = {pool.submit(execute_job, j, reports_dir, fig_dir, kname): j
                       for j in by_length}
            book = TableBook(reports_dir)  # imports openpyxl while the kernels start
            bar = tqdm(total=len(todo), initial=len(todo) - len(pending), unit="notebook",
                       desc=f"hbomkb run {st.slug}", disable=not progress, file=sys.stderr,
                       dynamic_ncols=True)
            failed = finished = 0
            for fut in as_completed(futures):
                j = futures[fut]
                try:
                    o = fut.result()
                except Exception as e:  # a worker died: count it as that notebook's failure
                    o = Outcome(j.name, "failed", error=f"{type(e).__name__}: {e}")
                outcomes[j.name] = o
                failed += o.status == "failed"
                finished += 1
                bar.set_postfix(klaar=bar.n + 1 - failed, mislukt=failed, refresh=False)
                bar.update(1)
                if early is None and 0 < len(futures) - finished < workers:
                    # From now on a worker is idle: write the tables of the reports that are
                    # done into the workbook meanwhile (they do not change any more in this run).
                    running = {futures[f].name for f in futures if not f.done()}
                    early = _Background(book.add_reports, running)
            bar.close()

    phases["notebooks"] = time.perf_counter() - t0 - sum(phases.values())
    ordered = [outcomes[j.name] for j in todo]
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    for o in ordered:
        if o.status == "ok":
            entries[o.name] = {"key": keys[o.name], "finished": now, "seconds": round(o.seconds, 2)}
        elif o.status == "failed":
            entries.pop(o.name, None)  # a failed notebook runs again next time
    write_text_atomic(manifest_path, json.dumps({"study": st.slug, "notebooks": entries},
                                            indent=2, sort_keys=True))
    if early is not None:
        early.result()
    (book or TableBook(reports_dir)).save()
    # the index lists every report of the study, also those this run did not consider
    everything = [outcomes.get(j.name) or Outcome(j.name, "not_run") for j in plan(st)]
    write_index(st, reports_dir, fig_dir, everything, entries)
    shutil.rmtree(reports_dir / ".staging", ignore_errors=True)
    phases["collect"] = time.perf_counter() - t0 - sum(phases.values())
    return RunResult(st.slug, reports_dir, fig_dir, ordered, time.perf_counter() - t0,
                     {k: round(v, 2) for k, v in phases.items()})


# ---------------------------------------------------------------------------------------------
# Collected outputs
# ---------------------------------------------------------------------------------------------

def _sheet_names(stems: list[str]) -> list[str]:
    """Excel sheet names (max 31 characters, unique) for table stems."""
    out, used = [], set()
    for i, stem in enumerate(stems, start=1):
        name = stem[:31]
        if name.lower() in used or name.lower() == "inhoud":
            suffix = f"~{i}"
            name = stem[: 31 - len(suffix)] + suffix
        used.add(name.lower())
        out.append(name)
    return out


class _Background:
    """``func(*args)`` running in a thread; ``result()`` waits for it (and re-raises)."""

    def __init__(self, func, *args):
        import threading

        self._out: dict = {}

        def target():
            try:
                self._out["value"] = func(*args)
            except BaseException as e:  # handed to result()
                self._out["error"] = e

        self._thread = threading.Thread(target=target, daemon=True)
        self._thread.start()

    def result(self):
        self._thread.join()
        if "error" in self._out:
            raise self._out["error"]
        return self._out["value"]


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def _cell(value):
    """A table value as openpyxl stores it: missing as an empty cell, numpy scalars as Python."""
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value.item() if isinstance(value, np.generic) else value


class TableBook:
    """``tables.xlsx`` assembled report by report.

    Sheets are streamed to disk as they are added (openpyxl's write-only mode), so the tables of
    reports that are done can be written while the last notebooks still run; :meth:`save` adds
    what is missing, names and orders every sheet as :func:`collect_tables` documents, and
    writes the workbook.
    """

    def __init__(self, reports_dir: str | os.PathLike):
        import openpyxl

        self.reports_dir = Path(reports_dir)
        self._wb = openpyxl.Workbook(write_only=True)
        self._contents = self._wb.create_sheet("inhoud")
        self._sheets: dict[Path, object] = {}

    def add(self, path: Path, table: pd.DataFrame | None = None) -> None:
        """Write the table recorded at ``path`` (read from it unless given) as a sheet."""
        if path in self._sheets:
            return
        table = _read_csv(path) if table is None else table
        ws = self._wb.create_sheet(f"~{len(self._sheets)}")  # named in save()
        self._header(ws, table.columns)
        for row in table.itertuples(index=False, name=None):
            ws.append([_cell(v) for v in row])
        self._sheets[path] = ws

    @staticmethod
    def _header(ws, names) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        bold = Font(bold=True)
        cells = [WriteOnlyCell(ws, value=str(n)) for n in names]
        for cell in cells:
            cell.font = bold
        ws.append(cells)

    def add_reports(self, skip: set[str]) -> None:
        """Add every recorded table of the reports not in ``skip`` (those still running)."""
        for path in sorted((self.reports_dir / "tables").glob("*/*.csv")):
            if path.parent.name not in skip:
                self.add(path)

    def save(self) -> Path | None:
        """Write ``tables.xlsx`` with every recorded table; None (and no file) without any."""
        reports_dir = self.reports_dir
        csvs = sorted((reports_dir / "tables").glob("*/*.csv"))
        target = reports_dir / "tables.xlsx"
        if not csvs:
            target.unlink(missing_ok=True)
            return None
        for path in csvs:
            self.add(path)
        for path in set(self._sheets) - set(csvs):  # replaced by a later run of its report
            self._wb.remove(self._sheets.pop(path))
        names = _sheet_names([f"{p.parent.name.removeprefix('region-')}.{p.stem}" for p in csvs])
        self._header(self._contents, ["blad", "rapport", "tabel", "csv"])
        for path, name in zip(csvs, names, strict=True):
            self._contents.append([name, path.parent.name, path.stem,
                                   path.relative_to(reports_dir).as_posix()])
        for i, (path, name) in enumerate(zip(csvs, names, strict=True), start=1):
            ws = self._sheets[path]
            ws.title = name
            self._wb.move_sheet(name, i - self._wb.worksheets.index(ws))
        tmp = target.with_name(".tables.xlsx.tmp")
        self._wb.save(tmp)
        os.replace(tmp, target)
        return target


def collect_tables(reports_dir: str | os.PathLike) -> Path | None:
    """Gather every ``tables/<report>/<table>.csv`` into ``tables.xlsx``, with a contents sheet.

    The contents sheet ``inhoud`` comes first, then one sheet per table in the order of the
    reports and tables, named ``<report>.<table>`` (without ``region-``, cut to Excel's 31
    characters). Returns the workbook path, or None when no table was recorded.
    """
    return TableBook(reports_dir).save()


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href, quote=True)}">{html.escape(text)}</a>'


def write_index(study: Study, reports_dir: Path, figures_dir: Path, outcomes: list[Outcome],
                entries: dict) -> Path:
    """Write ``index.html``: every report (full and review), the tables, the run's status."""
    status_nl = {"ok": "bijgewerkt", "skipped": "ongewijzigd", "failed": "MISLUKT",
                 "not_run": "niet in deze run"}
    rows = []
    for o in outcomes:
        label = ("Nationaal" if o.name == "national" else
                 "Regio " + study.region_names.get(o.name.removeprefix("region-"), o.name))
        links = []
        if (reports_dir / f"{o.name}.html").is_file():
            links = [_link(f"{o.name}.html", "rapport"),
                     _link(f"{o.name}-review.html", "zonder code"),
                     _link(f"{o.name}.ipynb", "notebook")]
        when = entries.get(o.name, {}).get("finished", "")
        note = html.escape(o.describe()) if o.status == "failed" else ""
        if o.status == "failed" and links:
            note += " (vorige geslaagde versie getoond)"
        rows.append(f"<tr><td>{html.escape(label)}</td><td>{' · '.join(links) or '–'}</td>"
                    f"<td>{status_nl[o.status]}</td><td>{html.escape(when)}</td>"
                    f"<td>{note}</td></tr>")
    csvs = sorted((reports_dir / "tables").glob("*/*.csv"))
    table_links = "".join(
        f"<li>{_link(p.relative_to(reports_dir).as_posix(), p.parent.name + ' / ' + p.stem)}"
        "</li>" for p in csvs)
    xlsx = _link("tables.xlsx", "alle tabellen in één werkboek (tables.xlsx)") \
        if (reports_dir / "tables.xlsx").is_file() else "geen tabellen"
    try:
        fig_href = os.path.relpath(figures_dir, reports_dir)
    except ValueError:  # other drive on Windows
        fig_href = figures_dir.as_uri()
    commit = provenance.git_commit() or "geen git-commit"
    version = provenance.package_version()
    page = f"""<!DOCTYPE html>
<html lang="nl"><head><meta charset="utf-8">
<title>{html.escape(study.title)} – rapporten</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}
</style></head><body>
{banner_html(study)}
<h1>{html.escape(study.title)}</h1>
<p>Studie <code>{html.escape(study.slug)}</code> · hbomkb {html.escape(version)}
 · commit <code>{html.escape(commit)}</code></p>
<h2>Rapporten</h2>
<table><tr><th>rapport</th><th>bestanden</th><th>status</th><th>laatst geslaagd</th>
<th>opmerking</th></tr>
{''.join(rows)}
</table>
<h2>Tabellen</h2>
<p>{xlsx}</p>
<ul>{table_links}</ul>
<h2>Figuren</h2>
<p>PNG en SVG van alle figuren: {_link(fig_href, fig_href)}</p>
</body></html>
"""
    target = reports_dir / "index.html"
    write_text_atomic(target, page)
    return target


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------

def _configure(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--study", default=DEFAULT_STUDY,
                   help="study name under data/raw, or a study folder (default: demo)")
    p.add_argument("--regions", nargs="+", metavar="SLUG",
                   help="only these regions (default: every region of the study)")
    p.add_argument("--jobs", type=int, default=None,
                   help="notebooks executed side by side (default: number of CPUs)")
    p.add_argument("--force", action="store_true",
                   help="execute every notebook, also those whose inputs did not change")
    p.add_argument("--out", dest="out_dir", default=None,
                   help="reports folder (default: reports/<study>/)")
    p.add_argument("--figures", dest="figures_dir", default=None,
                   help="figures folder (default: figures/<study>/)")
    p.add_argument("--notebooks", dest="notebooks_dir", default=None, help=argparse.SUPPRESS)
    p.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bar")
    p.set_defaults(func=main)
    return p


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``run`` subcommand to the ``hbomkb`` command line."""
    return _configure(subparsers.add_parser(
        "run", help="process a study and execute and render all its reports",
        description="Validate and process a study, execute every region notebook and the "
                    "national notebook, render them to HTML and write reports/<study>/index.html."))


def main(args: argparse.Namespace) -> int:
    """Carry out ``hbomkb run``; the exit code is 0 only when every notebook succeeded."""
    from hbomkb.problems import InputError

    try:
        result = run(args.study, regions=args.regions, jobs=args.jobs, force=args.force,
                     out_dir=getattr(args, "out_dir", None),
                     figures_dir=getattr(args, "figures_dir", None),
                     notebooks_dir=getattr(args, "notebooks_dir", None),
                     progress=getattr(args, "progress", True))
    except InputError as e:
        for p in e.problems:
            print(p, file=sys.stderr)
        print("hbomkb run: the study's input has errors; nothing was executed", file=sys.stderr)
        return 2
    except StudyError as e:
        print(f"hbomkb run: {e}", file=sys.stderr)
        return 2
    c = result.counts()
    print(f"{result.study}: {c['ok']} bijgewerkt, {c['skipped']} ongewijzigd, "
          f"{c['failed']} mislukt in {result.seconds:.1f} s -> {result.reports_dir / 'index.html'}")
    for o in result.failures:
        print(f"  MISLUKT {o.describe()}", file=sys.stderr)
        if o.failed_notebook:
            print(f"          zie {o.failed_notebook}", file=sys.stderr)
    return result.exit_code


if __name__ == "__main__":
    # Import by package name so worker processes pickle hbomkb.publish.run objects, not __main__'s.
    from hbomkb.publish import run as _report

    _parser = _report._configure(argparse.ArgumentParser(prog="python -m hbomkb.publish.run"))
    _parser.set_defaults(func=_report.main)
    raise SystemExit(_report.main(_parser.parse_args()))


__all__ = [
    "Context", "Job", "Outcome", "RunResult", "open_report", "show_table", "show_figure",
    "show_markdown", "show_provenance", "save_figure", "banner_html", "enough", "run",
    "plan", "execute_job", "publish_figures", "collect_tables", "write_index", "render_html",
    "kernel_name",
    "add_parser", "main",
]
