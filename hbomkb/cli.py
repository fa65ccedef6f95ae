"""The ``hbomkb`` command.

Every subcommand reports bad input as ``file:sheet:row:column: what is wrong; what was
expected`` lines and exits 2; nothing shows a traceback unless HBOMKB_DEBUG is set.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from hbomkb.problems import InputError, Problem


def _study(args):
    from hbomkb.config import load_study

    return load_study(args.study)


def _print_problems(problems: list[Problem]) -> None:
    for p in problems:
        print(p, file=sys.stderr)


def cmd_validate(args) -> int:
    from hbomkb.inputs.build import build, summary
    from hbomkb.problems import errors

    study = _study(args)
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
    from hbomkb.inputs.build import EXCLUSIONS, load_tables, process, summary

    study = _study(args)
    target = process(study)
    tables = load_tables(study)
    print(f"{study.slug}: wrote {len(tables)} tables to {target}")
    print(summary(tables, study).to_string())
    excl = sum(1 for _ in open(target / EXCLUSIONS, encoding="utf-8")) - 1
    print(f"{excl} raw row(s) left out, with reasons, in {target / EXCLUSIONS}")
    return 0


def cmd_demo(args) -> int:
    from hbomkb.demo.generator import generate

    out = generate(args.out, seed=args.seed, regions=args.regions)
    print(f"synthetic demo study written to {out}")
    return 0


def cmd_template(args) -> int:
    from hbomkb.demo.template import write_template

    out = write_template(args.out)
    print(f"empty workshop workbook written to {out}")
    return 0


def cmd_survey_lss(args) -> int:
    from hbomkb.inputs.build import build
    from hbomkb.inputs.survey import write_survey_lss

    study = _study(args)
    built = build(study)
    clusters = built.tables["codebook_clusters"]
    cb_errors = [p for p in built.problems if p.is_error and p.file == "codebook.xlsx"]
    if cb_errors:
        raise InputError(cb_errors)
    out = write_survey_lss(study, clusters, args.out, languages=tuple(args.languages))
    print(f"LimeSurvey structure written to {out}")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="hbomkb", description="Workshops and a validation survey "
                                "in, regional and national analyses of hbo-mkb collaboration out.")
    sub = p.add_subparsers(dest="command", required=True)

    def with_study(sp):
        sp.add_argument("--study", default=None, help="study folder or name under data/raw "
                        "(default: demo)")
        return sp

    with_study(sub.add_parser("validate", help="check a study and report every problem")
               ).set_defaults(func=cmd_validate)
    with_study(sub.add_parser("process", help="validate, then write tidy tables")
               ).set_defaults(func=cmd_process)
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
    lss = with_study(ssub.add_parser("lss", help="write the LimeSurvey structure (.lss)"))
    lss.add_argument("--out", required=True, type=Path)
    lss.add_argument("--languages", nargs="+", default=["nl"], choices=["nl", "en"])
    lss.set_defaults(func=cmd_survey_lss)
    try:
        from hbomkb.publish import run as report
    except ImportError:
        report = None
    if report is not None and hasattr(report, "add_parser"):
        report.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    from hbomkb.config import StudyError

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
