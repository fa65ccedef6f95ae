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
from hbomkb.demo.generator import generate
from hbomkb.demo.template import write_template
from hbomkb.inputs import server
from hbomkb.inputs.build import EXCLUSIONS, build, load_tables, process, summary
from hbomkb.inputs.instrument import write_survey_lss
from hbomkb.problems import InputError, Problem, errors
from hbomkb.publish import run as report_run


def _print_problems(problems: list[Problem]) -> None:
    for p in problems:
        print(p, file=sys.stderr)


def cmd_validate(args) -> int:
    study = load_study(args.study)
    built = build(study)
    _print_problems(built.problems)
    n_err = len(errors(built.problems))
    n_warn = len(built.problems) - n_err
    if n_err:
        print(f"{study.slug}: {n_err} error(s), {n_warn} warning(s); nothing is valid until "
              "the errors are fixed", file=sys.stderr)
        return 2
    print(f"{study.slug}: valid ({n_warn} warning(s), {len(built.exclusions)} row(s) left out)")
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


def cmd_demo(args) -> int:
    out = generate(args.out, seed=args.seed, regions=args.regions)
    print(f"synthetic demo study written to {out}")
    return 0


def cmd_template(args) -> int:
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
    p.add_argument("--study", default=None,
                   help="study folder or name under data/raw (default: demo)")
    return p


def parser() -> argparse.ArgumentParser:
    """The argument parser of ``hbomkb`` with every subcommand."""
    p = argparse.ArgumentParser(prog="hbomkb", description="Workshops and a validation survey "
                                "in, regional and national analyses of hbo-mkb collaboration out.")
    sub = p.add_subparsers(dest="command", required=True)

    _with_study(sub.add_parser("validate", help="check a study and report every problem")
                ).set_defaults(func=cmd_validate)
    _with_study(sub.add_parser("process", help="validate, then write tidy tables")
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
    r.add_argument("--notebooks", dest="notebooks_dir", default=None, help=argparse.SUPPRESS)
    r.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bar")
    r.set_defaults(func=cmd_run)

    d = sub.add_parser("demo", help="generate a synthetic study")
    d.add_argument("--out", required=True, type=Path)
    d.add_argument("--seed", type=int, default=2018)
    d.add_argument("--regions", nargs="+", default=None, help="region slugs (default: all five)")
    d.set_defaults(func=cmd_demo)

    t = sub.add_parser("template", help="write an empty workshop workbook")
    t.add_argument("--out", required=True, type=Path)
    t.set_defaults(func=cmd_template)

    s = sub.add_parser("survey", help="the validation survey")
    ssub = s.add_subparsers(dest="survey_command", required=True)
    lss = _with_study(ssub.add_parser("lss", help="write the LimeSurvey structure (.lss)"))
    lss.add_argument("--out", required=True, type=Path)
    lss.add_argument("--languages", nargs="+", default=["nl"], choices=["nl", "en"])
    lss.set_defaults(func=cmd_survey_lss)
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
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except InputError as e:
        _print_problems(e.problems)
        print(f"{len(e.problems)} error(s); nothing was written", file=sys.stderr)
        return 2
    except StudyError as e:
        print(e, file=sys.stderr)
        print("1 error(s); nothing was written", file=sys.stderr)
        return 2
    except (OSError, ValueError) as e:
        if os.environ.get("HBOMKB_DEBUG"):
            raise
        print(f"hbomkb: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
