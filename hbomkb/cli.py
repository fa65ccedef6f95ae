"""The ``hbomkb`` command.

Every subcommand reports bad input as ``file:sheet:row:column: what is wrong; what was
expected`` lines and exits 2; nothing shows a traceback unless HBOMKB_DEBUG is set.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from hbomkb.config import StudyError, load_study
from hbomkb.demo import init as study_init
from hbomkb.demo.generator import DEMO_REGIONS, generate
from hbomkb.demo.template import write_template
from hbomkb.inputs import checklist, server
from hbomkb.inputs.build import EXCLUSIONS, build, load_tables, process, summary
from hbomkb.inputs.instrument import write_survey_lss
from hbomkb.problems import InputError, Problem, errors, printable
from hbomkb.publish import deck
from hbomkb.publish import run as report_run
from hbomkb.publish.provenance import package_version


def _print_problems(problems: list[Problem]) -> None:
    for p in problems:
        print(p, file=sys.stderr)


def _refuse_existing(paths: list[Path], force: bool) -> None:
    """Raise FileExistsError when one of ``paths`` exists and ``--force`` was not given."""
    found = [p for p in paths if p.exists()]
    if found and not force:
        raise FileExistsError(f"{found[0]} exists; nothing was written (use --force to "
                              "overwrite it)")


def cmd_validate(args) -> int:
    study = load_study(args.study)
    built = build(study)
    todo = checklist.checklist(study)
    hidden = set(map(id, checklist.consequences(built.problems, todo)))
    shown = [p for p in built.problems if id(p) not in hidden]
    _print_problems(shown)
    note = checklist.survey_note(study)
    if todo:
        print(f"{study.slug}: still to be filled in:", file=sys.stderr)
        for line in checklist.by_file(todo):
            print(f"  [ ] {line}", file=sys.stderr)
    n_err = len(errors(shown))
    n_warn = len(shown) - n_err
    if n_err or todo:
        print(f"{study.slug}: {len(todo)} sheet(s) still empty, {n_err} error(s), {n_warn} "
              "warning(s); nothing is valid until these are done", file=sys.stderr)
        if note:
            print(f"note: {note}", file=sys.stderr)
        return 2
    print(f"{study.slug}: valid ({n_warn} warning(s), {len(built.exclusions)} row(s) left out)")
    if note:
        print(f"note: {note}")
    print(summary(built.tables, study).to_string())
    return 0


def cmd_process(args) -> int:
    study = load_study(args.study)
    target = process(study)
    tables = load_tables(study)
    print(f"{study.slug}: wrote {len(tables)} tables to {target}")
    print(summary(tables, study).to_string())
    with open(target / EXCLUSIONS, encoding="utf-8") as f:
        excluded = sum(1 for _ in f) - 1
    print(f"{excluded} raw row(s) left out, with reasons, in {target / EXCLUSIONS}")
    return 0


def cmd_run(args) -> int:
    """``hbomkb run``; the exit code is 0 only when every notebook succeeded."""
    try:
        result = report_run.run(args.study, regions=args.regions, jobs=args.jobs,
                                force=args.force, out_dir=args.out_dir,
                                figures_dir=args.figures_dir, notebooks_dir=args.notebooks_dir,
                                progress=args.progress)
    except InputError as e:
        _print_problems(e.problems)
        print("hbomkb run: the study's input has errors; nothing was executed", file=sys.stderr)
        return 2
    except StudyError as e:
        print(f"hbomkb run: {printable(e)}", file=sys.stderr)
        return 2
    c = result.counts()
    index = printable(result.reports_dir / "index.html")
    print(f"{result.study}: {c['ok']} rendered, {c['skipped']} unchanged, "
          f"{c['failed']} failed in {result.seconds:.1f} s -> {index}")
    for o in result.failures:
        print(f"  FAILED {printable(o.describe())}", file=sys.stderr)
        if o.failed_notebook:
            print(f"         see {printable(o.failed_notebook)}", file=sys.stderr)
    if result.deck:
        print(f"deck: {result.deck}")
    return result.exit_code


def cmd_deck(args) -> int:
    """``hbomkb deck``: the results deck from the published reports, optionally as PDF."""
    study = load_study(args.study)
    try:
        result = deck.write_deck(study, args.reports_dir, args.figures_dir,
                                 template=args.template, out=args.out, force=True)
    except deck.DeckError as e:
        print(f"hbomkb deck: {e}", file=sys.stderr)
        return 2
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"{study.slug}: {len(result.titles)} slides -> {result.path}")
    if args.pdf:
        try:
            pdf = deck.convert_pdf(result.path, language=study.language)
        except deck.PdfUnavailable as e:
            print(f"hbomkb deck: {e}", file=sys.stderr)
            return 2
        except RuntimeError as e:
            print(f"hbomkb deck: {e}", file=sys.stderr)
            return 1
        print(f"PDF -> {pdf}")
    return 0


def cmd_init(args) -> int:
    out = study_init.init_study(args.dir, args.title, args.regions, language=args.language,
                                force=args.force)
    print(f"empty study written to {out}; fill in the workshop workbooks and the codebook, "
          f"then: hbomkb validate --study {out}")
    return 0


def cmd_demo(args) -> int:
    _refuse_existing([args.out / "study.yaml"], args.force)
    out = generate(args.out, seed=args.seed, regions=args.regions)
    print(f"synthetic demo study written to {out}")
    return 0


def cmd_template(args) -> int:
    if args.out.suffix.lower() != ".xlsx":
        raise ValueError(f"{args.out}: expected a file name ending in .xlsx (the template is an "
                         "Excel workbook)")
    _refuse_existing([args.out], args.force)
    out = write_template(args.out)
    print(f"empty workshop workbook written to {out}")
    return 0


def cmd_survey_lss(args) -> int:
    study = load_study(args.study)
    built = build(study)
    clusters = built.tables["codebook_clusters"]
    cb_errors = [p for p in built.problems if p.is_error and p.file == "codebook.xlsx"]
    if cb_errors:
        raise InputError(cb_errors)
    if args.out.suffix.lower() != ".lss":
        raise ValueError(f"{args.out}: expected a file name ending in .lss (LimeSurvey's "
                         "survey structure)")
    _refuse_existing([args.out], args.force)
    out = write_survey_lss(study, clusters, args.out, languages=tuple(args.languages))
    print(f"LimeSurvey structure written to {out}")
    return 0


def cmd_survey_pull(args) -> int:
    """``hbomkb survey pull``: the responses from the LimeSurvey server into the study."""
    study = load_study(args.study)
    try:
        user = args.user or server.default_user()
        password = server.password_from_env_or_terminal()
        result = server.pull(study, args.url, args.survey, user, password)
    except server.ServerError as e:
        print(f"hbomkb survey pull: {e}", file=sys.stderr)
        return 2
    for line in result.lines(study.root):
        print(line)
    return 0


def cmd_survey_push(args) -> int:
    """``hbomkb survey push``: the study's survey imported as a new survey on the server."""
    study = load_study(args.study)
    try:
        user = args.user or server.default_user()
        password = server.password_from_env_or_terminal()
        result = server.push(study, args.url, user, password, activate=args.activate)
    except server.ServerError as e:
        print(f"hbomkb survey push: {e}", file=sys.stderr)
        return 2
    for line in result.lines():
        print(line)
    return 0


def _with_server(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--url", required=True, metavar="SITE",
                   help="the LimeSurvey site, the address before /index.php "
                        "(https://host/ or https://host/limesurvey/)")
    p.add_argument("--user", default=None, metavar="NAME",
                   help=f"LimeSurvey user name (default: {server.USER_ENV}, else your login "
                        f"name); the password comes from {server.PASSWORD_ENV} or a prompt, "
                        "never from a flag")
    return p


def _with_study(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--study", default=None, metavar="DIR",
                   help="study folder or name under data/raw (default: demo)")
    return p


def _with_force(p: argparse.ArgumentParser, what: str) -> argparse.ArgumentParser:
    p.add_argument("--force", action="store_true",
                   help=f"overwrite {what} if it exists (default: refuse and write nothing)")
    return p


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``hbomkb`` with every subcommand."""
    p = argparse.ArgumentParser(prog="hbomkb", description="Workshops and a validation survey "
                                "in, regional and national analyses of hbo-mkb collaboration out. "
                                "Start a study with `hbomkb init`, try one with `hbomkb demo`.")
    p.add_argument("--version", action="version", version=f"hbomkb {package_version()}",
                   help="show the package version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    i = sub.add_parser(
        "init", help="start a new, empty study",
        description="Write a complete, empty study: study.yaml, an empty codebook.xlsx and one "
                    "empty workshop workbook per region (with dropdowns and Dutch "
                    "instructions), and survey/ with a README. `hbomkb validate` then lists what "
                    "is still to be filled in.")
    i.add_argument("dir", type=Path, metavar="DIR", help="the new study folder")
    i.add_argument("--title", required=True, help="the study's title, shown on every report")
    i.add_argument("--regions", nargs="+", required=True, metavar="NAME",
                   help='the region names, e.g. "Amsterdam" "Groningen"; their file names '
                        "(slugs) are derived from them")
    i.add_argument("--language", choices=["nl", "en"], default="nl",
                   help="the language of the reports (default: nl)")
    _with_force(i, "the study's files").set_defaults(func=cmd_init)

    _with_study(sub.add_parser(
        "validate", help="check a study and report every problem",
        description="Check every file of a study and list each problem as "
                    "file:sheet:row:column: what; expected. A new study gets a checklist of "
                    "the sheets still to fill in. Exit 2 on errors.")
                ).set_defaults(func=cmd_validate)
    _with_study(sub.add_parser(
        "process", help="validate, then write tidy tables",
        description="Validate a study, then write its tidy tables to data/processed/<study>/ "
                    "with exclusions.csv (every raw row left out, and why).")
                ).set_defaults(func=cmd_process)

    r = _with_study(sub.add_parser(
        "run", help="process a study and execute and render all its reports",
        description="Validate and process a study, execute every region notebook and the "
                    "national notebook, render them to HTML and write reports/<study>/index.html."))
    r.add_argument("--regions", nargs="+", metavar="SLUG",
                   help="only these regions (default: every region of the study)")
    r.add_argument("--jobs", type=int, default=None,
                   help="notebooks executed side by side (default: number of CPUs)")
    r.add_argument("--force", action="store_true",
                   help="execute every notebook, also those whose inputs did not change")
    r.add_argument("--out", dest="out_dir", default=None,
                   help="reports folder (default: reports/<study>/)")
    r.add_argument("--figures", dest="figures_dir", default=None,
                   help="figures folder (default: figures/<study>/)")
    r.add_argument("--notebooks", dest="notebooks_dir", default=None, metavar="DIR",
                   help="a folder with other region and national notebooks (default: "
                        "notebooks/; for development)")
    r.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bar")
    r.set_defaults(func=cmd_run)

    k = _with_study(sub.add_parser(
        "deck", help="the results deck (.pptx) from the published reports",
        description="Assemble the study's presentation from what its reports published "
                    "(figures, tables, conclusions): deck.md's own slides first, then the "
                    "results in the order of the original study's deck. Run `hbomkb run` "
                    "first."))
    k.add_argument("--out", type=Path, default=None,
                   help="the .pptx to write (default: reports/<study>/<study>-presentatie.pptx)")
    k.add_argument("--template", type=Path, default=None, metavar="MASTER.pptx",
                   help="use this presentation's slide master and layouts (by name)")
    k.add_argument("--pdf", action="store_true",
                   help="also write a PDF beside the deck (needs LibreOffice)")
    k.add_argument("--reports", dest="reports_dir", default=None,
                   help="reports folder (default: reports/<study>/)")
    k.add_argument("--figures", dest="figures_dir", default=None,
                   help="figures folder (default: figures/<study>/)")
    k.set_defaults(func=cmd_deck)

    d = sub.add_parser(
        "demo", help="generate a synthetic study",
        description="Write a complete synthetic study (workshops, codebook, survey) that looks "
                    "like the real one; every file says it is synthetic. The same seed gives "
                    "the same files.")
    d.add_argument("--out", required=True, type=Path, metavar="DIR",
                   help="the folder to write the study to")
    d.add_argument("--seed", type=int, default=2018,
                   help="random seed; the same seed gives byte-identical files (default: 2018)")
    d.add_argument("--regions", nargs="+", default=None, metavar="NAME",
                   help="region names (any, e.g. Utrecht Limburg), or one number: that many "
                        f"regions (default: the five of the 2018 study: "
                        f"{', '.join(name for _, name in DEMO_REGIONS)})")
    _with_force(d, "a study in that folder").set_defaults(func=cmd_demo)

    t = sub.add_parser(
        "template", help="write an empty workshop workbook",
        description="Write the empty workshop workbook (one sheet per table, dropdowns, Dutch "
                    "instructions) that `hbomkb init` puts in every study.")
    t.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx",
                   help="where to write it; the name must end in .xlsx")
    _with_force(t, "the file").set_defaults(func=cmd_template)

    s = sub.add_parser("survey", help="the validation survey (lss, pull, push)",
                       description="Build the validation survey from the codebook and move it "
                                   "to and from a LimeSurvey server.")
    ssub = s.add_subparsers(dest="survey_command", metavar="COMMAND")
    lss = _with_study(ssub.add_parser(
        "lss", help="write the LimeSurvey structure (.lss)",
        description="Build the validation survey from the study's codebook and write it as a "
                    "LimeSurvey 6 structure file, ready to import."))
    lss.add_argument("--out", required=True, type=Path, metavar="FILE.lss",
                     help="where to write it; the name must end in .lss (usually "
                          "<study>/survey/survey.lss)")
    lss.add_argument("--languages", nargs="+", default=["nl"], choices=["nl", "en"],
                     help="the survey's languages, the first being its base language "
                          "(default: nl)")
    _with_force(lss, "the file").set_defaults(func=cmd_survey_lss)
    pull = _with_server(_with_study(ssub.add_parser(
        "pull", help="fetch the responses from the LimeSurvey server into the study",
        description="Export every response of a survey through LimeSurvey's RemoteControl API "
                    "(question codes, answer codes) into the study's survey/responses.csv. The "
                    "one command that rewrites raw input: the previous export is kept in "
                    "survey/.previous/.")))
    pull.add_argument("--survey", required=True, metavar="SID",
                      help="the survey id, the number in the survey's link SITE/index.php/SID")
    pull.set_defaults(func=cmd_survey_pull)
    push = _with_server(_with_study(ssub.add_parser(
        "push", help="import the study's survey (.lss) on the LimeSurvey server",
        description="Build the survey from the codebook, as `hbomkb survey lss` writes it, and "
                    "import it as a new survey; prints its id and public link. Writes nothing "
                    "into the study.")))
    push.add_argument("--activate", action="store_true",
                      help="also activate the new survey, so it accepts responses (default: "
                           "leave it inactive to check it first)")
    push.set_defaults(func=cmd_survey_push)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the ``hbomkb`` command line with ``argv`` (default: the process's arguments)."""
    p = parser()
    args = p.parse_args(argv)
    if getattr(args, "func", None) is None:  # bare `hbomkb` or `hbomkb survey`: the help
        sub = next((a for a in p._actions if isinstance(a, argparse._SubParsersAction)), None)
        if args.command and sub is not None:
            sub.choices[args.command].print_help()
        else:
            p.print_help()
        return 0
    try:
        return args.func(args)
    except InputError as e:
        _print_problems(e.problems)
        print(f"{len(e.problems)} error(s); nothing was written", file=sys.stderr)
        return 2
    except StudyError as e:
        print(printable(e, newlines=True), file=sys.stderr)
        print("1 error(s); nothing was written", file=sys.stderr)
        return 2
    except FileExistsError as e:
        print(f"hbomkb: {printable(e)}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as e:
        if os.environ.get("HBOMKB_DEBUG"):
            raise
        print(f"hbomkb: {printable(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
