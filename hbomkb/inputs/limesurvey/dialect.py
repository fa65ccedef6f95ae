"""How a LimeSurvey response export (CSV) is written: its dialect, read from the file alone.

:func:`sniff` finds the separator and the headings; :func:`export_dialect` describes a file:
separator (LimeSurvey writes comma, semicolon or tab from the admin screen, ``;`` or any
character from the RemoteControl API, ``|`` included), BOM, line ending (CRLF; LF or CR-only
after a file went through another program), heading style, quoting, how NULL is written, the
date format and the trailing empty line. What LimeSurvey 6.14 writes is described in
/work/shared/limesurvey/ls6.14/README.md.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from hbomkb.inputs.limesurvey.columns import FULLTEXT_META
from hbomkb.inputs.limesurvey.headings import key, meta_word
from hbomkb.problems import InputError, Problem

SEPARATORS = (",", ";", "\t", "|")
HEAD_BYTES = 1 << 20
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T])\d{2}:\d{2}(:\d{2})?$")
_EXPRESSION = re.compile(r"^[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+$")
# LimeSurvey's ellipsis ".. " at the end of a cut text, before a part's "[" or "]" or the end.
_CUT = re.compile(r"[^.]\.\.(\[|\]|$)")


def sniff(text: str) -> tuple[str, list[str]]:
    """The separator (the one giving the most header fields) and the header fields."""
    best = (",", [])
    for sep in SEPARATORS:
        try:
            header = next(csv.reader(io.StringIO(text, newline=""), delimiter=sep,
                                     quotechar='"'))
        except (StopIteration, csv.Error):
            continue
        if len(header) > len(best[1]):
            best = (sep, header)
    return best


def read_head(path: Path) -> str:
    """The first megabyte of a file as text (without a BOM); InputError when not UTF-8."""
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
    full = len(head) == HEAD_BYTES
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as e:
        if not full or e.start < len(head) - 4:  # not just a character cut at 1 MB
            raise InputError([Problem(file=str(path), message=(
                "not UTF-8 text; expected a LimeSurvey CSV export (always UTF-8)"))]) from None
        return head[: e.start].decode("utf-8")


def heading_style(header: list[str]) -> str:
    """"code" (``Q1[SQ001]``), "expression" (``Q1_SQ001``), "full" (question texts),
    "abbreviated" (texts cut short with ``..``) or "codetext" (code, separator, text)."""
    if not header:
        return "code"
    first = header[0].strip()
    if first != "id" and first.startswith("id") and any(
            key(first[2:]).endswith(key(w)) for w in meta_word("id")):
        return "codetext"
    if first == "id" or "id" in header or (first not in FULLTEXT_META and " " not in first):
        if any("[" in h for h in header):
            return "code"
        return "expression" if any(_EXPRESSION.match(h.strip()) for h in header) else "code"
    return "abbreviated" if any(_CUT.search(key(h)) for h in header) else "full"


def _records(text: str, sep: str, limit: int = 200):
    """Records of ``text`` as lists of (value, quoted), at most ``limit``; an unfinished last
    record (cut by the head) is left out."""
    i, n = 0, len(text)
    records = []
    record: list[tuple[str, bool]] = []
    unquoted = re.compile(f"[^{re.escape(sep)}\r\n]*")
    while i < n and len(records) < limit:
        if text[i] == '"':
            j, parts = i + 1, []
            while True:
                k = text.find('"', j)
                if k < 0:
                    return records
                parts.append(text[j:k])
                if text[k + 1: k + 2] == '"':
                    parts.append('"')
                    j = k + 2
                    continue
                break
            record.append(("".join(parts), True))
            i = k + 1
        else:
            m = unquoted.match(text, i)
            record.append((m.group(0), False))
            i = m.end()
        if i >= n:
            break
        if text[i] == sep:
            i += 1
            continue
        end = 2 if text.startswith("\r\n", i) else 1
        if record != [("", False)]:  # an empty line is no record
            records.append(record)
        record = []
        i += end
    return records


def export_dialect(csv_path) -> dict:
    """How a CSV export is written.

    Keys: ``separator``; ``bom``; ``line_ending`` (``"\\r\\n"``, ``"\\n"`` or ``"\\r"``);
    ``headings`` (the header fields); ``heading_style`` (see :func:`heading_style`);
    ``quoting`` ("all" when every non-empty value is in quotes, else "minimal"); ``null``
    ("unquoted" when some empty values are written without quotes, the way LimeSurvey 6.14
    writes NULL; "quoted" when every empty value is ``""``; "none" when no value is empty);
    ``date_format`` (``"%Y-%m-%d %H:%M:%S"`` as LimeSurvey writes it, with ``T`` when the
    dates have one, "" when no date was seen); ``trailing_empty_line`` (the file ends with an
    empty record, as LimeSurvey's CSV writer leaves it). Read from the first megabyte and the
    last bytes of the file.
    """
    path = Path(csv_path)
    with open(path, "rb") as f:
        head = f.read(HEAD_BYTES)
        f.seek(max(0, path.stat().st_size - 4))
        tail = f.read()
    text = read_head(path)
    sep, header = sniff(text)
    crlf, lf, cr = head.find(b"\r\n"), head.find(b"\n"), head.find(b"\r")
    if crlf >= 0 and crlf == cr:
        ending = "\r\n"
    elif cr >= 0 and (lf < 0 or cr < lf):
        ending = "\r"
    else:
        ending = "\n"
    records = _records(text, sep)
    values = [v for r in records[1:] for v in r]
    empties = [q for v, q in values if v == ""]
    null = "none" if not empties else ("quoted" if all(empties) else "unquoted")
    quoting = "all" if all(q for v, q in values if v != "") and all(
        q for _, q in (records[0] if records else [])) else "minimal"
    dates = {m.group(1) for v, _ in values if (m := _DATE.match(v))}
    date_format = "%Y-%m-%dT%H:%M:%S" if dates == {"T"} else ("%Y-%m-%d %H:%M:%S" if dates
                                                              else "")
    double = ending * 2
    return {"separator": sep, "bom": head.startswith(b"\xef\xbb\xbf"), "line_ending": ending,
            "headings": header, "heading_style": heading_style(header), "quoting": quoting,
            "null": null, "date_format": date_format,
            "trailing_empty_line": tail.endswith(double.encode())}
