"""LimeSurvey files, with no knowledge of the study: the survey structure (.lss) in and out,
response exports (CSV) in.

- :mod:`~hbomkb.inputs.limesurvey.structure`: :class:`Structure` and its parts,
  :func:`read_lss`, :func:`write_lss`;
- :mod:`~hbomkb.inputs.limesurvey.columns`: :func:`response_columns`, the columns an export of
  a structure has;
- :mod:`~hbomkb.inputs.limesurvey.export`: :func:`read_responses`;
- :mod:`~hbomkb.inputs.limesurvey.dialect`: :func:`export_dialect`, how an export is written;
- :mod:`~hbomkb.inputs.limesurvey.headings`: headings that are question texts (full,
  abbreviated, code + text) mapped to columns;
- :mod:`~hbomkb.inputs.limesurvey.words`: LimeSurvey's fixed words in its languages.

The names callers use are importable from here (``from hbomkb.inputs import limesurvey as ls``).
"""

from hbomkb.inputs.limesurvey.columns import META_COLUMNS, Column, response_columns
from hbomkb.inputs.limesurvey.dialect import export_dialect
from hbomkb.inputs.limesurvey.export import read_responses
from hbomkb.inputs.limesurvey.structure import (
    WRITE_DBVERSION,
    Answer,
    Group,
    Question,
    Structure,
    Subquestion,
    read_lss,
    write_lss,
)

__all__ = ["META_COLUMNS", "WRITE_DBVERSION", "Answer", "Column", "Group", "Question",
           "Structure", "Subquestion", "export_dialect", "read_lss", "read_responses",
           "response_columns", "write_lss"]
