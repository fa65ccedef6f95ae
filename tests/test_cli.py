"""The ``hbomkb`` command line: every subcommand, `run` included, and its exit codes."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from hbomkb import config
from hbomkb.cli import main, parser

SUBCOMMANDS = ("init", "validate", "process", "run", "demo", "template", "survey")


def _python(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(config.PROJECT_DIR))
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_every_subcommand_is_on_the_command_line():
    res = _python("-m", "hbomkb", "--help")
    assert res.returncode == 0, res.stderr
    for command in SUBCOMMANDS:
        assert command in res.stdout


def test_run_takes_its_options():
    args = parser().parse_args(["run", "--study", "mini", "--regions", "noord", "oost",
                                "--jobs", "2", "--force", "--out", "r", "--figures", "f",
                                "--no-progress"])
    assert (args.study, args.regions, args.jobs, args.force, args.out_dir, args.figures_dir,
            args.progress) == ("mini", ["noord", "oost"], 2, True, "r", "f", False)
    defaults = parser().parse_args(["run"])
    assert (defaults.study, defaults.regions, defaults.jobs, defaults.force,
            defaults.progress) == (None, None, None, False, True)


def test_run_of_a_missing_study_exits_2_with_one_line(tmp_path, capsys):
    assert main(["run", "--study", str(tmp_path / "nergens"), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("hbomkb run: ") and "study folder not found" in err
    assert "Traceback" not in err


def test_run_of_a_study_with_input_errors_lists_them_and_executes_nothing(
        small_study, processed_root, tmp_path, capsys):
    (small_study / "codebook.xlsx").write_bytes(b"not a workbook")
    out = tmp_path / "reports"
    assert main(["run", "--study", str(small_study), "--out", str(out), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "codebook.xlsx" in err
    assert "hbomkb run: the study's input has errors; nothing was executed" in err
    assert not out.exists() or not list(out.glob("*.html"))


@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_missing_study_never_shows_a_traceback(command, tmp_path):
    res = _python("-m", "hbomkb", command, "--study", str(tmp_path / "nergens"))
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and "study folder not found" in res.stderr


def test_the_command_line_starts_without_papermill_or_nbconvert():
    # they take seconds to import; only the worker processes of `hbomkb run` need them
    res = _python("-c", "import sys, hbomkb.cli; print(sorted(m for m in ('papermill', "
                        "'nbconvert', 'nbformat') if m in sys.modules))")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "[]"


def _parsers(p: argparse.ArgumentParser, path: str = "hbomkb"):
    """Every parser of the command line with its path (``hbomkb survey lss``), and the help
    line its parent gives it."""
    yield path, p, p.description
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                for sub_path, parser_, _ in _parsers(sub, f"{path} {name}"):
                    yield sub_path, parser_, helps.get(name) if parser_ is sub else _
                assert helps.get(name), f"{path} {name} has no help line"


def test_every_subcommand_and_option_explains_itself():
    seen = []
    for path, p, _ in _parsers(parser()):
        assert p.description and p.description.strip(), f"{path} has no description"
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            name = "/".join(action.option_strings) or action.dest
            assert action.help and action.help.strip() and action.help != argparse.SUPPRESS, \
                f"{path} {name} has no help"
            seen.append(f"{path} {name}")
    # the options the issue found without help, now with it
    for option in ("hbomkb demo --out", "hbomkb demo --seed", "hbomkb survey lss --languages",
                   "hbomkb init --regions", "hbomkb run --force"):
        assert option in seen


def test_demo_regions_help_names_the_five_regions():
    p = next(p for path, p, _ in _parsers(parser()) if path == "hbomkb demo")
    text = next(a.help for a in p._actions if "--regions" in a.option_strings)
    for name in ("Noord", "Oost", "Zuid-West", "West-Zuid", "West-Noord"):
        assert name in text


def test_version_and_bare_command_print_and_exit_0():
    res = _python("-m", "hbomkb", "--version")
    assert res.returncode == 0 and res.stdout.startswith("hbomkb ")
    bare = _python("-m", "hbomkb")
    assert bare.returncode == 0, bare.stderr
    assert bare.stdout.startswith("usage: hbomkb") and "init" in bare.stdout
    survey = _python("-m", "hbomkb", "survey")
    assert survey.returncode == 0 and survey.stdout.startswith("usage: hbomkb survey")
