"""Problems found in a study's input, reported all at once.

A :class:`Problem` names where (file, sheet, row, column) and what: "what is wrong; what was
expected". Readers collect problems instead of raising, so a researcher sees every mistake in
one run.
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    message: str = ""
    severity: str = ERROR

    def __str__(self) -> str:
        row = "" if self.row is None else str(self.row)
        text = f"{self.file}:{self.sheet}:{row}:{self.column}: {self.message}"
        return text if self.severity == ERROR else f"{text} [warning]"

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


class InputError(Exception):
    """Raised when input has errors; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]
