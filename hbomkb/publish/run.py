"""``hbomkb run``: execute and render every report of a study.

A run validates and processes a study once, then executes one region notebook per region and
the national notebook with papermill in a pool of worker processes. Each notebook runs in a
staging folder; when it succeeds, its executed notebook, its HTML (a full version and a
reviewer version without code), its tables and its figures replace the previous ones; when it
fails, its last good report stays. Finally every recorded table goes into ``tables.xlsx`` and
``index.html`` links everything (:mod:`hbomkb.publish.outputs`). A notebook whose inputs did
not change since its last good run is skipped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from jupyter_client.kernelspec import KernelSpecManager
from tqdm import tqdm

from hbomkb.config import (
    DEFAULT_STUDY,
    NOTEBOOKS_DIR,
    PROJECT_DIR,
    Study,
    StudyError,
    load_study,
    report_name,
)
from hbomkb.files import combined_hash, file_hashes, sha256_file, write_text_atomic
from hbomkb.inputs import build
from hbomkb.labels import label
from hbomkb.publish import deck, lock, outputs, provenance, worker
from hbomkb.publish.translate import notebook_source, source_files

REGION_NOTEBOOK = "10-region.ipynb"
NATIONAL_NOTEBOOK = "20-national.ipynb"
KERNEL_NAME = "hbomkb"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Job:
    """One notebook to execute: source, parameters, its report name, title and language."""

    name: str
    notebook: Path
    parameters: dict
    title: str = ""
    language: str = "nl"


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
    phase: str = "execute"  # where it failed: "execute" or "publish"

    def describe(self) -> str:
        """One line for the terminal and the index: the report, and where and why it failed."""
        if self.status != "failed":
            return f"{self.name}: {self.status}"
        if self.phase == "publish":
            return f"{self.name}: executed, but not published (the last good version stays): " \
                   f"{self.error}"
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
    deck: str = ""  # what happened to the results deck: its path and status, or why not

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


# ---------------------------------------------------------------------------------------------
# What to run
# ---------------------------------------------------------------------------------------------

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
                label("page_title_region", study, region=names[r], title=study.title),
                study.language) for r in slugs]
    jobs.append(Job(report_name(None), nb_dir / NATIONAL_NOTEBOOK, dict(base),
                    label("page_title_national", study, title=study.title), study.language))
    return jobs


def kernel_name() -> str:
    """The ``hbomkb`` kernel when registered (``make install``), otherwise ``python3``."""
    return KERNEL_NAME if KERNEL_NAME in KernelSpecManager().find_kernel_specs() else "python3"


def report_inputs_hash(study: Study, hashes, region: str | None) -> str:
    """The combined hash of the raw files one report depends on (``hashes``: the study's
    :func:`hbomkb.files.file_hashes`). The national report depends on every file; a region
    report on everything but the other regions' workshops (``workshops/<slug>.xlsx`` or
    ``workshops/<slug>/``), so a change to one region's workbook re-renders that region and
    the national report only, while study.yaml, the codebook and the survey (which every report
    shows) re-render all."""
    if region is None:
        return combined_hash(hashes)
    folder = study.workshops_dir.name + "/"
    own = {f"{folder}{region}.xlsx", f"{folder}{region}"}

    def needed(file: str) -> bool:
        if not file.startswith(folder):
            return True
        return f"{folder}{file[len(folder):].split('/', 1)[0]}".lower() in own

    return combined_hash(hashes[hashes["file"].map(needed)])


def _job_key(job: Job, raw_hash: str, src_hash: str) -> str:
    """What a report depends on: raw input, package source, notebook (with its translation
    in an English study) and parameters."""
    h = hashlib.sha256()
    h.update(raw_hash.encode())
    h.update(src_hash.encode())
    for path in source_files(job.notebook, job.language):
        h.update(sha256_file(path).encode() if path.is_file() else b"missing")
    h.update(json.dumps(job.parameters, sort_keys=True, default=str).encode())
    return h.hexdigest()


def _read_manifest(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    notebooks = data.get("notebooks") if isinstance(data, dict) else None
    return notebooks if isinstance(notebooks, dict) else {}


def _outputs_exist(reports_dir: Path, name: str) -> bool:
    return all((reports_dir / f"{name}{suffix}").is_file()
               for suffix in (".ipynb", ".html", "-review.html"))


# ---------------------------------------------------------------------------------------------
# Executing one notebook (in a worker process)
# ---------------------------------------------------------------------------------------------

def _kernel_env() -> None:
    """Environment the kernel inherits: the package importable, no debugger chatter, figures
    drawn by the inline backend."""
    path = os.environ.get("PYTHONPATH", "")
    if str(PROJECT_DIR) not in path.split(os.pathsep):
        os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_DIR), path) if p)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")


def _quiet_logs() -> None:
    """papermill and nbconvert log warnings (an unknown parameter, say) to the terminal; the
    run reports what matters itself, and tests check that parameters cells parse."""
    for name in ("papermill", "nbconvert", "traitlets"):
        logging.getLogger(name).setLevel(logging.ERROR)


def quiet_kernel_manager(log: IO[bytes], ipc_dir: Path):
    """A kernel manager class that talks to its kernel over IPC and sends the kernel's output
    to ``log``.

    ipykernel 7 warns on every start that TCP is unencrypted; IPC (unix sockets in the private
    folder ``ipc_dir``) removes the cause. The kernel's own stderr (log lines such as the
    ``KeyboardInterrupt caught`` that the shutdown interrupt sometimes causes) goes to ``log``
    instead of the terminal.
    """
    # deferred: jupyter_client's manager and traitlets are needed only where kernels start
    from jupyter_client import AsyncKernelManager
    from traitlets import default

    class QuietKernelManager(AsyncKernelManager):
        @default("transport")
        def _default_transport(self):
            return "ipc"

        @default("ip")
        def _default_ip(self):
            return str(ipc_dir / "k")

        async def start_kernel(self, **kw):
            kw.setdefault("stdout", log)
            kw.setdefault("stderr", log)
            started = await super().start_kernel(**kw)
            if self.provisioner is not None and self.provisioner.pid:
                worker.add_kernel(self.provisioner.pid)  # taken down if the run dies
            return started

        async def shutdown_kernel(self, *args, **kw):
            pid = self.provisioner.pid if self.provisioner is not None else None
            try:
                return await super().shutdown_kernel(*args, **kw)
            finally:
                if pid:
                    worker.drop_kernel(pid)

    return QuietKernelManager


def _strip_noise(nb, moved: dict[str, str], source_ids: list | None = None) -> None:
    """Drop per-cell timing and papermill bookkeeping, and name folders as a published report
    does: ``moved`` maps each folder the notebook ran with (the study, the staging folders) to
    the name the report shows (:func:`hbomkb.publish.provenance.shown_path` of the study and
    of the folders the outputs are published to). Every other absolute path of this machine
    in the notebook (a traceback, a message) is shown relative to the project, Python's
    libraries, home or temp (:func:`hbomkb.publish.provenance.machine_path_hider`): a
    published notebook and its pages name no folder of the machine that built them.

    What stays is the same in every run of the same input: the cell ids of the source
    notebook (``source_ids``, in order; a cell without one gets an id made from its position
    and content, the parameters cell papermill injects with a random id the id
    ``injected-parameters``) and no start or end times.
    """
    # deferred: papermill takes seconds to import, and only worker processes use it
    from papermill.translators import PythonTranslator

    ids = iter(source_ids or [])
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            for old, new in moved.items():
                cell.source = cell.source.replace(PythonTranslator.translate_str(old),
                                                  PythonTranslator.translate_str(new))
            cell["id"] = "injected-parameters"
        elif "id" in cell:
            cell["id"] = next(ids, None) or \
                hashlib.sha256(f"{i}\0{cell.source}".encode()).hexdigest()[:12]
    meta = nb.metadata.get("papermill", {})
    for key in ("duration", "input_path", "output_path", "environment_variables",
                "start_time", "end_time"):
        meta.pop(key, None)
    params = meta.get("parameters", {})
    for key, value in params.items():
        params[key] = moved.get(value, value)
    _hide_paths(nb, provenance.machine_path_hider(moved))


def _hide_paths(node, hide) -> object:
    """Rewrite every text in a notebook (in place) through ``hide``; embedded images (base64)
    stay as they are."""
    if isinstance(node, str):
        return hide(node)
    if isinstance(node, list):
        node[:] = [_hide_paths(v, hide) for v in node]
    elif isinstance(node, dict):
        for key, value in node.items():
            if not (key.startswith("image/") and key != "image/svg+xml"):
                node[key] = _hide_paths(value, hide)
    return node


def _published_log(path: Path, moved: dict[str, str]) -> None:
    """A kernel's log as the reports folder keeps it: without this machine's folders."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
        if text:
            shown = provenance.machine_path_hider(moved)(text)
            if shown != text:
                write_text_atomic(path, shown)
    except OSError:  # a log is diagnostics: never fail a report over it
        pass


def execute_job(job: Job, reports_dir: Path, figures_dir: Path, kernel: str,
                cwd: Path | None = None) -> Outcome:
    """Execute one notebook into a staging folder and publish it only if it succeeds.

    On success the executed notebook, its HTML, its reviewer HTML, its tables and its figures
    replace the previous ones; on failure the previous report stays and the failed notebook is
    kept under ``failed/`` for inspection.
    """
    # deferred: papermill, nbformat and nbconvert take seconds to import (nbformat's schema
    # checks); only the worker processes that execute notebooks need them, not the main
    # process of a run or any other hbomkb command
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    # deferred for the same reason: the renderer imports nbconvert
    from hbomkb.publish.render import render_html

    _kernel_env()
    _quiet_logs()
    start = time.perf_counter()
    staging = reports_dir / lock.STAGING / job.name
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    # figures are staged in the figures folder itself, which may be on another file system
    stage_figs = figures_dir / lock.STAGING / job.name
    shutil.rmtree(stage_figs, ignore_errors=True)
    stage_figs.mkdir(parents=True)
    (reports_dir / "logs").mkdir(parents=True, exist_ok=True)
    out_nb = staging / f"{job.name}.ipynb"
    params = dict(job.parameters, reports_dir=str(staging), figures_dir=str(stage_figs))
    # the kernel runs with this machine's folders; the published files name them portably
    moved = {str(stage_figs): provenance.shown_path(figures_dir),
             str(staging): provenance.shown_path(reports_dir),
             str(figures_dir): provenance.shown_path(figures_dir),
             str(reports_dir): provenance.shown_path(reports_dir)}
    if job.parameters.get("study"):
        moved[str(job.parameters["study"])] = provenance.shown_path(job.parameters["study"])
    log_path = reports_dir / "logs" / f"{job.name}.kernel.log"
    failure = None
    with open(log_path, "wb") as log, \
            tempfile.TemporaryDirectory(prefix=f"{lock.KERNEL_DIR_PREFIX}{os.getpid()}-") as ipc:
        try:
            papermill.execute_notebook(
                notebook_source(job.notebook, job.language, _literal), _literal(out_nb),
                parameters=params, kernel_name=kernel,
                progress_bar=False, log_output=False, request_save_on_cell_execute=False,
                cwd=str(cwd or job.notebook.parent),
                kernel_manager_class=quiet_kernel_manager(log, Path(ipc)),
                # Kernels running side by side would share IPython's history database (and
                # wait on its lock); a report needs no history.
                extra_arguments=["--HistoryManager.enabled=False"],
            )
        except PapermillExecutionError as e:
            failure = (e.exec_count, f"{e.ename}: {e.evalue}", e.source)
        except Exception as e:  # kernel died, notebook unreadable, …: report, don't crash
            failure = (None, f"{type(e).__name__}: {e}", "")
    _published_log(log_path, moved)
    if failure is not None:
        return _failed(job, reports_dir, staging, out_nb, start, *failure,
                       stage_figs=stage_figs, moved=moved)

    try:
        nb = nbformat.read(out_nb, as_version=4)
        _strip_noise(nb, moved,
                     [c.get("id") for c in nbformat.read(job.notebook, as_version=4).cells])
        title = job.title or job.name
        pages = {
            f"{job.name}.html": render_html(nb, review=False, title=title,
                                            language=job.language),
            f"{job.name}-review.html": render_html(nb, review=True,
                                                   title=label("page_title_review",
                                                               job.language, title=title),
                                                   language=job.language),
            f"{job.name}.ipynb": nbformat.writes(nb) + "\n",
        }
        # all or nothing: every file of this report is the new one, or every one the old one
        outputs.publish_report(job.name, reports_dir, figures_dir, pages, staging, stage_figs)
    except OSError as e:  # a full disk, say: the last good version stays
        return _failed(job, reports_dir, staging, None, start, None,
                       f"{type(e).__name__}: {e}", stage_figs=stage_figs, phase="publish")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(stage_figs, ignore_errors=True)
    (reports_dir / "failed" / f"{job.name}.ipynb").unlink(missing_ok=True)
    return Outcome(job.name, "ok", time.perf_counter() - start)


def _literal(path: Path) -> str:
    """A path as papermill takes it literally: papermill fills ``{name}`` in paths with the
    parameters, so braces in a folder name are doubled."""
    return str(path).replace("{", "{{").replace("}", "}}")


def _keep_failed(job: Job, reports_dir: Path, out_nb: Path | None,
                 moved: dict[str, str] | None = None) -> Path | None:
    """Keep the executed notebook of a failed job under ``failed/`` for inspection; only a
    readable one (never the empty or cut-off file an interrupted write leaves), with folders
    named as in a published notebook (``moved``, see :func:`_strip_noise`)."""
    # deferred: nbformat is imported by the worker processes only
    import nbformat

    if out_nb is None or not out_nb.is_file() or out_nb.stat().st_size == 0:
        return None
    try:
        nb = nbformat.read(out_nb, as_version=4)
        _strip_noise(nb, moved or {})
        text = nbformat.writes(nb) + "\n"
    except Exception:  # cut off, not JSON, not a notebook: nothing worth keeping
        return None
    kept = reports_dir / "failed" / f"{job.name}.ipynb"
    try:
        write_text_atomic(kept, text)
        out_nb.unlink()
    except OSError:
        return None
    return kept


def _failed(job: Job, reports_dir: Path, staging: Path, out_nb: Path | None, start: float,
            cell: int | None, error: str, source: str = "", stage_figs: Path | None = None,
            phase: str = "execute", moved: dict[str, str] | None = None) -> Outcome:
    kept = _keep_failed(job, reports_dir, out_nb, moved)
    shutil.rmtree(staging, ignore_errors=True)
    if stage_figs is not None:
        shutil.rmtree(stage_figs, ignore_errors=True)
    first_line = error.strip().splitlines()[0] if error.strip() else "unknown error"
    code = next((line.strip() for line in (source or "").splitlines() if line.strip()), "")
    return Outcome(job.name, "failed", time.perf_counter() - start, cell=cell,
                   source=code[:60] + ("…" if len(code) > 60 else ""), error=first_line,
                   failed_notebook=kept, phase=phase)


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------

def _execute_all(pending: list[Job], total: int, reports_dir: Path, figures_dir: Path,
                 kernel: str, workers: int, progress: bool, label: str) -> dict[str, Outcome]:
    """Execute ``pending`` in a pool of ``workers`` processes, with a progress bar over all
    ``total`` notebooks of the run (skipped ones count as done)."""
    outcomes: dict[str, Outcome] = {}
    # spawn: every worker starts as a fresh interpreter on every platform, never as a fork of
    # this process, which processing has left with running threads (pyarrow's)
    context = multiprocessing.get_context("spawn")
    # every worker (and its kernels) ends when this process ends, even by kill -9
    with ProcessPoolExecutor(max_workers=workers, mp_context=context,
                             initializer=worker.start, initargs=(os.getpid(),)) as pool:
        # Longest first (the national notebook), so it does not finish alone at the end.
        ordered = sorted(pending, key=lambda j: j.name != "national")
        futures = {pool.submit(execute_job, j, reports_dir, figures_dir, kernel): j
                   for j in ordered}
        with tqdm(total=total, initial=total - len(pending), unit="notebook", desc=label,
                  disable=not progress, file=sys.stderr, dynamic_ncols=True) as bar, \
                worker.ended_on_interrupt(pool):
            failed = 0
            for future in as_completed(futures):
                job = futures[future]
                try:
                    outcome = future.result()
                except Exception as e:  # a worker died: count it as that notebook's failure
                    outcome = Outcome(job.name, "failed", error=f"{type(e).__name__}: {e}")
                outcomes[job.name] = outcome
                failed += outcome.status == "failed"
                bar.set_postfix(done=bar.n + 1 - failed, failed=failed, refresh=False)
                bar.update(1)
    return outcomes


def run(study: str | os.PathLike | Study = DEFAULT_STUDY, regions: Sequence[str] | None = None,
        jobs: int | None = None, force: bool = False, out_dir: str | os.PathLike | None = None,
        figures_dir: str | os.PathLike | None = None,
        notebooks_dir: str | os.PathLike | None = None, kernel: str | None = None,
        progress: bool = True, process: bool = True) -> RunResult:
    """Process a study, execute and render its region and national reports; see module doc.

    ``out_dir`` defaults to ``reports/<study>/`` and ``figures_dir`` to ``figures/<study>/``.
    ``jobs`` worker processes execute notebooks side by side (default: CPU count).
    ``notebooks_dir`` points to other notebook sources (tests); ``process=False`` leaves the
    processed tables as they are. Raises :class:`~hbomkb.problems.InputError` when the study's
    input has errors.
    """
    t0 = time.perf_counter()
    st = study if isinstance(study, Study) else load_study(study)
    todo = plan(st, regions, Path(notebooks_dir) if notebooks_dir else None)
    # absolute: the kernels run with the notebooks folder as working directory
    reports_dir = (Path(out_dir) if out_dir else st.reports_dir).resolve()
    fig_dir = (Path(figures_dir) if figures_dir else st.figures_dir).resolve()
    reports_dir.mkdir(parents=True, exist_ok=True)
    # one run at a time per reports (and figures) folder; then clear what an interrupted run
    # left; the locks go when this function returns or the process ends, however it ends
    held = lock.hold(reports_dir, fig_dir)
    lock.clean_start(reports_dir, fig_dir)
    if process:
        build.process(st)

    manifest_path = reports_dir / MANIFEST
    entries = _read_manifest(manifest_path)
    raw, src_hash = file_hashes(st.root), provenance.source_hash()
    keys = {j.name: _job_key(j, report_inputs_hash(st, raw, j.parameters.get("region")),
                             src_hash) for j in todo}
    outcomes: dict[str, Outcome] = {}
    pending = []
    for j in todo:
        fresh = entries.get(j.name, {}).get("key") == keys[j.name]
        if fresh and not force and _outputs_exist(reports_dir, j.name):
            outcomes[j.name] = Outcome(j.name, "skipped")
        else:
            pending.append(j)
    if pending:
        workers = max(1, min(jobs or os.cpu_count() or 1, len(pending)))
        outcomes.update(_execute_all(pending, len(todo), reports_dir, fig_dir,
                                     kernel or kernel_name(), workers, progress,
                                     f"hbomkb run {st.slug}"))

    ordered = [outcomes[j.name] for j in todo]
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    for o in ordered:
        if o.status == "ok":
            entries[o.name] = {"key": keys[o.name], "finished": now, "seconds": round(o.seconds, 2)}
        elif o.status == "skipped" and not entries[o.name].get("finished"):
            # the index shows a skipped report's last good build: keep when that was
            entries[o.name]["finished"] = datetime.fromtimestamp(
                (reports_dir / f"{o.name}.html").stat().st_mtime).astimezone().isoformat(
                timespec="seconds")
        elif o.status == "failed" and o.name in entries:
            # a failed notebook runs again next time (no key); its last good version, still
            # published, keeps its date for the index
            entries[o.name] = {k: v for k, v in entries[o.name].items() if k != "key"}
    last_run = {o.name: o.status for o in ordered}  # what this run executed, skipped, failed
    write_text_atomic(manifest_path, json.dumps({"study": st.slug, "notebooks": entries,
                                                 "last_run": last_run},
                                                indent=2, sort_keys=True))
    outputs.collect_tables(reports_dir, st.language)
    # the index lists every report of the study, also those this run did not consider
    everything = [outcomes.get(j.name) or Outcome(j.name, "not_run") for j in plan(st)]
    outputs.write_index(st, reports_dir, fig_dir, everything, entries)
    shutil.rmtree(reports_dir / lock.STAGING, ignore_errors=True)
    shutil.rmtree(fig_dir / lock.STAGING, ignore_errors=True)
    deck_status = _write_deck(st, reports_dir, fig_dir)
    held.release()
    return RunResult(st.slug, reports_dir, fig_dir, ordered, time.perf_counter() - t0,
                     deck=deck_status)


def _write_deck(study: Study, reports_dir: Path, figures_dir: Path) -> str:
    """Write the results deck beside the reports (skipped when nothing it shows changed);
    one line saying what happened. A deck that cannot be built fails no report."""
    if not (reports_dir / f"{report_name(None)}.ipynb").is_file():
        return "not written: no national report yet"
    try:
        result = deck.write_deck(study, reports_dir, figures_dir)
    except deck.DeckError as e:
        return f"not written: {e}"
    return f"{result.path} ({result.status})"
