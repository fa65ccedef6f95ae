"""Shared fixtures: a small synthetic study made once per test session, copied per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("MPLCONFIGDIR", str(Path(__file__).resolve().parent.parent / ".cache"
                                          / "matplotlib"))

from hbomkb import config  # noqa: E402

SHARED = config.PROJECT_DIR.parent / "shared"


def require_shared(path: Path) -> Path:
    """``path`` under ../shared, for tests that read the real files kept there.

    Where it is missing the test is skipped with the reason, except in CI (``CI=true``), which
    always lays shared/ beside the clone: there a missing file is a failure, never a skip.
    """
    if not path.exists():
        message = f"{path} is missing: these tests read the real files in ../shared"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: shared/ must be beside the clone)")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def small_study_master(tmp_path_factory) -> Path:
    """A two-region synthetic study, generated once; never modify it (copy it)."""
    from hbomkb.demo.generator import generate

    return generate(tmp_path_factory.mktemp("master") / "small", seed=7, with_survey=False,
                    regions=["noord", "oost"])


@pytest.fixture
def small_study(small_study_master, tmp_path) -> Path:
    """A private copy of the two-region study that a test may change."""
    dst = tmp_path / "small"
    shutil.copytree(small_study_master, dst)
    return dst


@pytest.fixture
def processed_root(tmp_path, monkeypatch) -> Path:
    """Processed output goes to a temporary folder instead of data/processed."""
    root = tmp_path / "processed"
    monkeypatch.setattr(config, "PROCESSED_DIR", root)
    return root
