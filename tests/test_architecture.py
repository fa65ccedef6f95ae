"""The house rules of docs/architecture.md: layers enforced, small modules, imports on top."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hbomkb import config

PACKAGE = config.PACKAGE_DIR
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 600


def _lint_imports(project: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` on the package in ``project`` (its own pyproject.toml)."""
    env = dict(os.environ, PYTHONPATH=str(project))
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def linter() -> Path:
    if not LINT_IMPORTS.is_file():
        pytest.fail(f"{LINT_IMPORTS} is missing: import-linter comes with the dev extras")
    return LINT_IMPORTS


def test_the_layers_contract_holds(linter):
    res = _lint_imports(config.PROJECT_DIR)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "1 kept, 0 broken" in res.stdout


@pytest.mark.parametrize(("module", "upward"), [
    ("config.py", "from hbomkb.inputs import build"),        # base -> inputs
    ("inputs/workshops.py", "from hbomkb.analysis import score"),  # inputs -> analysis
    ("present/narrative.py", "import hbomkb.publish.provenance"),  # present -> publish
])
def test_a_back_edge_breaks_the_contract(linter, tmp_path, module, upward):
    """The same contract on a copy of the package with one import going up fails, naming it."""
    shutil.copytree(PACKAGE, tmp_path / "hbomkb",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(config.PROJECT_DIR / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "hbomkb" / module
    source = target.read_text(encoding="utf-8")
    target.write_text(source + f"\n{upward}  # noqa\n", encoding="utf-8")
    res = _lint_imports(tmp_path)
    assert res.returncode != 0
    assert "BROKEN" in res.stdout
    assert "hbomkb." + module.removesuffix(".py").replace("/", ".") in res.stdout


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_no_module_is_over_600_lines():
    long = {p.relative_to(PACKAGE).as_posix(): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def _deferred_package_imports(path: Path) -> list[str]:
    """``hbomkb`` imports inside functions without a comment on the line before saying why."""
    lines = path.read_text(encoding="utf-8").splitlines()
    tree = ast.parse("\n".join(lines))
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            names = []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""] if node.level == 0 else ["(relative)"]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if not any(n == "hbomkb" or n.startswith("hbomkb.") or n == "(relative)"
                       for n in names):
                continue
            before = lines[node.lineno - 2].strip() if node.lineno >= 2 else ""
            if not before.startswith("#"):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_package_imports_sit_at_the_top_of_modules():
    deferred = [hit for p in _modules() for hit in _deferred_package_imports(p)]
    assert not deferred, f"imports of hbomkb inside functions without a reason: {deferred}"


def test_imports_are_absolute():
    relative = []
    for p in _modules():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                relative.append(f"{p.relative_to(PACKAGE)}:{node.lineno}")
    assert not relative, f"relative imports: {relative}"
