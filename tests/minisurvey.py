"""The tests' mini survey study: the codebook and regions of the fixture script, a study on it.

The export fixtures in tests/fixtures/limesurvey were written by ``make_fixtures.py`` from its
codebook; tests of the instrument, the survey reader and the demo responses share it here.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pandas as pd

from hbomkb.config import Study

FIX = Path(__file__).resolve().parent / "fixtures" / "limesurvey"


def _fixture_script():
    """The script that wrote the export fixtures: its codebook is the tests' codebook."""
    spec = importlib.util.spec_from_file_location("make_fixtures", FIX / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE = _fixture_script()
CODEBOOK = MAKE.CODEBOOK
REGIONS = MAKE.REGIONS


def make_study(root: Path, csv_name: str | None = None, **kw) -> Study:
    """A study on the mini survey in ``root``; with ``csv_name``, that fixture export as its
    responses (and ``mini.lss`` as its structure)."""
    if csv_name:
        (root / "survey").mkdir(parents=True, exist_ok=True)
        shutil.copy(FIX / "mini.lss", root / "survey" / "survey.lss")
        shutil.copy(FIX / csv_name, root / "survey" / "responses.csv")
    return Study(root=root, name="mini", title="Mini", regions=REGIONS, **kw)


def rows(df: pd.DataFrame, cols) -> list[tuple]:
    """The rows of ``df[cols]`` as tuples, missing values as None."""
    return [tuple(None if pd.isna(v) else v for v in r)
            for r in df[cols].astype(object).itertuples(index=False)]
