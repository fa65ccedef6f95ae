"""Checking a whole study at once: study.yaml, codebook, workshops and survey.

:func:`validate` returns every problem found, errors and warnings, in the order a researcher
would fix them (the codebook, then each workshop, then the survey). It never raises on bad
input: a study that cannot even be loaded is one problem on ``study.yaml``.
"""

from __future__ import annotations

from hbomkb.config import Study
from hbomkb.problems import Problem


def validate(study: Study) -> list[Problem]:
    """Every problem in a study's raw input."""
    from hbomkb.process import build

    return build(study).problems
