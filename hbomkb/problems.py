"""Problems found in a study's input, reported all at once.

A :class:`Problem` names where (file, sheet, row, column) and what: "what is wrong; what was
expected". Readers collect problems instead of raising, so a researcher sees every mistake in
one run.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"

# Characters that reorder text on a terminal (or in an editor) without showing themselves.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                  "\u2066\u2067\u2068\u2069")


def printable(text: object, newlines: bool = False) -> str:
    """``text`` safe to print on a terminal: every control character (escape sequences, a
    carriage return that would overwrite the line, a backspace, a bell, C1 controls) and every
    bidirectional override shows as its escape (``\\x1b``, ``\\r``, ``\\u202e``) instead of
    acting. Line breaks stay only with ``newlines``: a problem is always one line."""
    s = str(text)
    if s.isprintable():
        return s
    out = []
    for ch in s:
        if ch == "\n" and newlines:
            out.append(ch)
        elif ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs"):
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class Problem:
    file: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    message: str = ""
    severity: str = ERROR

    def __str__(self) -> str:
        """``file:sheet:row:column: message``, one line, safe to print (:func:`printable`):
        a file name, sheet name or cell value quoted in it cannot move the cursor, colour the
        terminal or break the line."""
        row = "" if self.row is None else str(self.row)
        text = printable(f"{self.file}:{self.sheet}:{row}:{self.column}: {self.message}")
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
