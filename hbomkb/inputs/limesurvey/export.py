"""Reading a LimeSurvey response export (CSV) into one typed row per response.

:func:`read_responses` reads an export, checked against the survey structure it belongs to.
The rules followed are in /work/shared/limesurvey/FORMAT.md (facts read from LimeSurvey's
exporter and from real files of 6.1.8 and 6.14). Column names in the returned frame are always
the *question code* headings (``Q1[SQ001]``, ``Q3[SQ001][1]``, ``R[1]``), whatever heading mode
the export used: question codes, ExpressionScript codes, full question texts (the admin
screen's default), abbreviated texts or code + text (:mod:`~hbomkb.inputs.limesurvey.headings`).
How a file is written is :func:`~hbomkb.inputs.limesurvey.dialect.export_dialect`.

**Masked equations.** The admin screen's export has "Quote equations" on by default: a value
that starts with ``=`` gets an apostrophe in front (``'=SUM(A1:A2)``) so a spreadsheet does not
run it. The reader restores the value the respondent gave (drops that apostrophe), so every
export of the same responses reads the same; the one value it cannot tell apart is a text a
respondent typed starting with ``'=`` themselves, which comes back without its apostrophe.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from hbomkb.inputs.limesurvey.columns import (
    META_COLUMNS,
    NOT_ANSWERED_TEXTS,
    PERSONAL_COLUMNS,
    Column,
    response_columns,
)
from hbomkb.inputs.limesurvey.dialect import read_head, sniff
from hbomkb.inputs.limesurvey.headings import CODE_ADVICE, plan_text_headings
from hbomkb.inputs.limesurvey.structure import Structure
from hbomkb.problems import ERROR, InputError, Problem

EXPORT_ADVICE = ('export the responses again in LimeSurvey (Responses > Export > CSV) with '
                 '"Headings: Question code" (or "ExpressionScript code") and '
                 '"Responses: Answer codes"')
MASK = "'="  # how "Quote equations" writes a value that starts with "="


def _problem(path, message, row=None, column="", severity=ERROR) -> Problem:
    return Problem(file=str(path), row=row, column=column, message=message, severity=severity)


_TIMING = re.compile(r"^(interviewtime|groupTime\d+|\d+X\d+(X\d+)?time|.+Time)$")
_SGQA = re.compile(r"^(\d+)X(\d+)X(\d+)")
BLOCK_SIZE = 1 << 22  # bytes of the export pyarrow parses as one block (blocks go in parallel)
PIECE_BYTES = 1 << 25  # an export larger than this is parsed in pieces of about this size
SCAN_BYTES = 1 << 20  # bytes read at a time while looking for where a piece ends


def read_responses(csv_path, structure: Structure) -> pd.DataFrame:
    """Read a LimeSurvey response export (CSV) into one typed row per response.

    Accepts comma, semicolon, tab or ``|`` as separator, with or without BOM, CRLF, LF or
    CR-only line ends, quoted line breaks; headings as question codes, ExpressionScript codes,
    full question texts, abbreviated texts or code + text, in any of the survey's languages;
    answers as codes or as full answers (translated back to codes through the structure and
    LimeSurvey's fixed words); masked equations restored (see the module docstring). Token, IP
    address and referrer URL are never read. Columns: the metadata (``id`` Int64,
    ``submitdate``/``startdate``/``datestamp`` datetimes, ``lastpage`` Int64,
    ``startlanguage``), then one column per response field named by its question-code
    heading: answer codes as categoricals, numbers as Float64, dates as datetimes, texts as
    strings (an unquoted empty field, NULL, is NA; a quoted empty one is ``""``). ``df.attrs``
    holds ``survey_id``, ``headings`` (``code``/``expression``/``full``/``abbreviated``/
    ``codetext``), ``language`` (of text headings; "" for codes), ``answers``
    (``codes``/``full``), ``separator`` and ``problems`` (non-fatal :class:`Problem` rows:
    values that are no answer code). Raises :class:`InputError` when the file cannot be read
    or does not belong to the structure.

    The file is parsed by ``pyarrow.csv.read_csv`` (see :func:`_parse`), answer columns
    dictionary-encoded (four bytes a cell); each is then turned into a categorical of one
    byte a cell and freed in turn. An export larger than :data:`PIECE_BYTES` is parsed in
    pieces that end at record ends (:func:`_pieces`), so the parse holds one piece at a
    time; the result is the same.
    """
    path = Path(csv_path)
    if path.is_dir():
        raise InputError([_problem(path, "is a folder; expected a LimeSurvey response export "
                                         "(a CSV file)")])
    if not path.is_file():
        raise InputError([_problem(path, "file not found; expected a LimeSurvey response "
                                         "export (CSV)")])
    head = read_head(path)
    sep, header = sniff(head)
    if not header or header == [""]:
        raise InputError([_problem(path, "empty file; expected a LimeSurvey response export "
                                         "with a header line")])
    plan, heading_mode, language = _plan_columns(path, header, structure)

    names = [f"c{i}" for i in range(len(header))]
    cols = [(names[i], plan[i]) for i, (kind, _) in enumerate(plan) if kind != "drop"]
    coded = {c for c, (kind, spec) in cols if kind == "col" and spec.kind == "code"}
    pieces = _pieces(path, _line_end(head))
    try:
        data, problems, answer_mode = _read_columns(path, sep, names, cols, coded, pieces)
    except _PieceUnreadable:
        # a piece that does not parse on its own: the whole file, parsed at once, either
        # reads or says why it cannot
        whole = [(0, path.stat().st_size)]
        data, problems, answer_mode = _read_columns(path, sep, names, cols, coded, whole)
    df = pd.DataFrame(data, copy=False)
    df.attrs.update({"survey_id": structure.survey_id, "separator": sep,
                     "headings": heading_mode, "language": language, "answers": answer_mode,
                     "problems": problems, "source": str(path)})
    return df


_DICT32 = pa.dictionary(pa.int32(), pa.string())


class _PieceUnreadable(Exception):
    """A piece of a large export did not parse on its own."""


def _pieces(path: Path, newline: bytes) -> list[tuple[int, int]]:
    """The byte ranges of the export to parse one after the other: the whole file when it is
    at most :data:`PIECE_BYTES`, else pieces of about that size. Each piece ends where a
    record ends: at a line end with an even number of quotes before it in the file (inside a
    quoted value the count is odd; a quote within a value is written twice)."""
    size = path.stat().st_size
    n = -(-size // PIECE_BYTES)
    if n <= 1:
        return [(0, size)]
    cuts, pos, quotes = [0], 0, 0
    with open(path, "rb") as f:
        for k in range(1, n):
            target = size * k // n
            f.seek(pos)
            while pos < target:
                block = f.read(min(SCAN_BYTES, target - pos))
                quotes += block.count(b'"')
                pos += len(block)
            pos, quotes = _record_end(f, pos, quotes, newline)
            if pos >= size:
                break
            cuts.append(pos)
    cuts.append(size)
    return list(zip(cuts[:-1], cuts[1:], strict=True))


def _line_end(head: str) -> bytes:
    """How the export's records end, as the header's end shows: ``\\r`` for a file whose
    line ends became a bare CR, else ``\\n`` (CRLF or LF)."""
    m = re.search(r"\r\n?|\n", head)
    return b"\r" if m and m.group(0) == "\r" else b"\n"


def _record_end(f, pos: int, quotes: int, newline: bytes) -> tuple[int, int]:
    """The offset just after the first record end at or after ``pos`` (``quotes``: the
    quotes before ``pos``), with the quotes before it; the file's size if there is none."""
    f.seek(pos)
    while block := f.read(SCAN_BYTES):
        at = 0
        while (end := block.find(newline, at)) >= 0:
            quotes += block.count(b'"', at, end + 1)
            at = end + 1
            if quotes % 2 == 0:
                return pos + at, quotes
        quotes += block.count(b'"', at)
        pos += len(block)
    return pos, quotes


def _read_columns(path: Path, sep: str, names: list[str], cols, coded: set[str],
                  pieces: list[tuple[int, int]]):
    """The export's kept columns converted (heading -> array), the problems found and the
    answer mode, parsed piece by piece (see :func:`_pieces`; a small file is one piece).

    Each piece's answer columns are kept as their distinct values and a small id per cell
    (:func:`_keep_ids`), its other columns as parsed; everything is converted once the last
    piece is read, so the answer mode and the rows of problems are the whole file's. Raises
    :class:`_PieceUnreadable` when one of several pieces does not parse on its own.
    """
    problems: list[Problem] = []
    answer_mode = "codes"
    kept: dict[str, list] = {c: [] for c, _ in cols}  # per column: the pieces' parts
    for k, piece in enumerate(pieces):
        table = _parse(path, sep, names, [c for c, _ in cols], coded,
                       piece if len(pieces) > 1 else None, first=k == 0)
        if answer_mode == "codes":  # an export holds answer texts in every piece or in none
            answer_mode = _answer_mode(table, cols)
        if len(pieces) > 1:
            # one dictionary per column for all its blocks: taking the columns then costs a
            # third of the time (a whole file is not unified: that copies every index at once)
            table = table.unify_dictionaries()
        arr = None
        for cname, _ in cols:
            # Column by column, each dropped from the table once taken: memory goes down as
            # the kept parts grow.
            arr, table = table.column(cname), table.drop_columns([cname])
            if cname in coded:
                _keep_ids(kept[cname], arr.combine_chunks())
            else:
                kept[cname].append(arr)
        del table, arr
        # pyarrow's allocator keeps the pages its parse threads freed, where numpy cannot
        # reuse them; handed back, what is built next does not add to them.
        pa.default_memory_pool().release_unused()
    data: dict[str, object] = {}
    for cname, (kind, spec) in cols:
        parts = kept.pop(cname)
        if cname in coded:
            seen, ids = parts[0], parts[1:]
            data[spec.name] = _convert_codes(path, spec, [*seen, None], np.concatenate(ids),
                                             answer_mode, problems)
            continue
        arr = pa.chunked_array([c for a in parts for c in a.chunks], type=parts[0].type)
        if kind == "meta":
            data[spec] = _convert_meta(path, spec, arr, problems)
        elif kind == "timing":
            data[spec] = pd.to_numeric(arr.to_pandas(), errors="coerce").astype("Float64")
        else:
            data[spec.name] = _convert(path, spec, arr, problems)
    return data, problems, answer_mode


def _keep_ids(parts: list, arr: pa.DictionaryArray) -> None:
    """Add one piece of an answer column to ``parts``: ``parts[0]`` maps each distinct value
    seen so far to its id, the rest are the pieces' ids (one byte a cell while there are
    fewer than 127 values, as a question's answers nearly always are), -1 for NULL."""
    if not parts:
        parts.append({})
    seen = parts[0]
    ids = [seen.setdefault(v, len(seen)) for v in arr.dictionary.to_pylist()] + [-1]
    remap = np.array(ids, dtype=np.int8 if len(seen) < 127 else np.int32)
    parts.append(remap[arr.indices.fill_null(len(remap) - 1).to_numpy()])


def _plan_columns(path: Path, header: list[str], structure: Structure):
    """For each CSV column ("meta"|"timing"|"drop", name) or ("col", Column); the heading
    mode; the language of text headings ("" for codes)."""
    problems = []
    m = re.search(r"survey_?(\d+)", path.name)
    if m and structure.survey_id and int(m.group(1)) != structure.survey_id:
        problems.append(_problem(path, f"the file name says survey {m.group(1)} but the "
                                       f"structure {Path(structure.source).name or ''} is survey "
                                       f"{structure.survey_id}; expected the export of the same "
                                       "survey"))
    cols = response_columns(structure)
    plan, unknown, seen, via_em = _plan_codes(header, structure, cols)
    mode, language, text_advice = ("expression" if via_em else "code"), "", ""
    if "id" not in seen:
        placed = len(header) - len(unknown)
        text = plan_text_headings(header, structure, cols)
        if text.placed > placed or (text.ambiguous and text.placed + len(text.ambiguous)
                                    > placed):
            plan, unknown, problems_text = _plan_from_text(path, header, text)
            problems += problems_text
            mode, language = text.style, text.language
            seen = {name for kind, name in plan if kind == "meta"}
            text_advice = ("; the headings are question texts, so the survey structure must "
                           "have the texts the export was made with, or " + CODE_ADVICE)
        elif placed == 0:
            shown = ", ".join(f"'{_short(h.strip(), 60)}'" for h in header[:3])
            raise InputError([_problem(path, (
                f"not a LimeSurvey response export of survey {structure.survey_id}: none of "
                f"its {len(header)} headings ({shown}{', …' if len(header) > 3 else ''}) is a "
                "column of the survey, by question code or by question text; expected the CSV "
                "of Responses > Export > Export responses in LimeSurvey"), row=1)])
    else:
        problems += [_problem(path, f"column '{h}' appears twice; expected unique headings",
                              column=h) for h in _repeated(h.strip() for h in header)]
    sgqa = {int(mm.group(1)) for h in unknown if (mm := _SGQA.match(h))}
    for sid in sorted(sgqa - {structure.survey_id}):
        problems.append(_problem(path, f"columns are of survey {sid} but the structure is "
                                       f"survey {structure.survey_id}; expected the export of "
                                       "the same survey"))
    if unknown:
        shown = ", ".join(f"'{_short(u)}'" for u in unknown[:20])
        more = f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
        problems.append(_problem(path, f"{len(unknown)} column(s) not in survey "
                                       f"{structure.survey_id}: {shown}{more}; expected only "
                                       "columns of the survey structure given" + text_advice,
                                 row=1))
    if "id" not in seen:
        problems.append(_problem(path, "no 'id' column (the response id; 'Response ID' in a "
                                       "full-text export); " + EXPORT_ADVICE, column="id"))
    if problems:
        raise InputError(problems)
    return plan, mode, language


def _short(heading: str, limit: int = 80) -> str:
    return heading if len(heading) <= limit else heading[: limit - 1] + "…"


def _repeated(names) -> list[str]:
    seen, out = set(), []
    for name in names:
        if name in seen and name not in out:
            out.append(name)
        seen.add(name)
    return out


def _plan_codes(header: list[str], structure: Structure, cols: list[Column]):
    """The plan of code or ExpressionScript headings, the headings it does not know, the
    headings seen and how many were ExpressionScript codes."""
    by_code = {c.name: c for c in cols}
    by_em = {c.em: c for c in cols}
    qcodes = {q.code for q in structure.questions}
    plan, unknown, seen, via_em = [], [], set(), 0
    for h in header:
        h0 = h.strip()
        seen.add(h0)
        if h0 in PERSONAL_COLUMNS:
            plan.append(("drop", h0))
        elif h0 in META_COLUMNS:
            plan.append(("meta", h0))
        elif h0 in by_code:
            plan.append(("col", by_code[h0]))
        elif h0 in by_em:
            plan.append(("col", by_em[h0]))
            via_em += 1
        elif _TIMING.match(h0) and (not h0.endswith("Time") or h0[:-4] in qcodes
                                    or h0.startswith("groupTime")):
            plan.append(("timing", h0))
        else:
            unknown.append(h0)
            plan.append(("drop", h0))
    return plan, unknown, seen, via_em


AMBIGUOUS_SHOWN = 5


def _question_columns(question: str, targets) -> str:
    """"question Q" (its one column) or "question Q (columns Q[1], Q[2])"."""
    names = [t.name for t in targets]
    if names == [question]:
        return f"question {question}"
    return f"question {question} (column{'s' if len(names) > 1 else ''} {', '.join(names)})"


def _plan_from_text(path: Path, header: list[str], text):
    """The plan of text headings (see :func:`plan_text_headings`), the headings no column
    has, and the problems: a heading that fits columns of two questions, a column two
    headings fit."""
    plan, unknown, problems = [], [], []
    ambiguous = {i for i, _, _ in text.ambiguous}
    for i, (h, target) in enumerate(zip(header, text.targets, strict=True)):
        if target is None:
            plan.append(("drop", h.strip()))
            if i not in ambiguous:
                unknown.append(h.strip())
        elif target.kind == "col":
            plan.append(("col", target.column))
        else:
            plan.append((target.kind, target.name))
    groups: dict[str, tuple[list[int], list]] = {}
    for i, h, fits in text.ambiguous:
        groups.setdefault(h.strip(), ([], fits))[0].append(i + 1)
    for h, (where, fits) in list(groups.items())[:AMBIGUOUS_SHOWN]:
        questions = list(dict.fromkeys(t.question for t in fits))
        named = " and ".join(_question_columns(q, [t for t in fits if t.question == q])
                             for q in questions)
        at = (f"heading {where[0]} '{h}' matches" if len(where) == 1 else
              f"headings {', '.join(map(str, where[:-1]))} and {where[-1]} '{h}' match")
        problems.append(_problem(path, (
            f"{at} {len(questions)} questions, {named}; expected a heading "
            f"that names one question: {CODE_ADVICE}"), row=1, column=h))
    if len(groups) > AMBIGUOUS_SHOWN:
        problems.append(_problem(path, (
            f"{len(groups) - AMBIGUOUS_SHOWN} more headings match more than one question; "
            f"{CODE_ADVICE}"), row=1))
    placed = [p for p in plan if p[0] in ("col", "meta")]
    names = [p[1].name if p[0] == "col" else p[1] for p in placed]
    for name in _repeated(names):
        where = [str(i + 1) for i, p in enumerate(plan) if p[0] in ("col", "meta") and (
            p[1].name if p[0] == "col" else p[1]) == name]
        problems.append(_problem(path, (
            f"headings {', '.join(where)} are all column '{name}'; expected each column "
            "once"), row=1, column=name))
    return plan, unknown, problems


def _parse(path: Path, sep: str, names: list[str], keep: list[str], coded: set[str],
           piece: tuple[int, int] | None = None, first: bool = True) -> pa.Table:
    """The kept columns of an export as pyarrow parses them: answer columns (``coded``)
    dictionary-encoded, every other column as text; an unquoted empty field is NULL, a quoted
    one ``""``. ``piece``: the byte range to parse (read into memory first, so pyarrow's
    reader reads nothing ahead), else the whole file; only the ``first`` holds the header.

    ``pyarrow.csv.read_csv`` parses blocks of :data:`BLOCK_SIZE` bytes on all cores. Measured
    with ``bench/bench_survey_read.py`` (100,000 responses): see docs/survey.md.
    """
    types = {c: _DICT32 if c in coded else pa.string() for c in keep}
    if piece is None:
        source, size = path, path.stat().st_size
    else:
        with open(path, "rb") as f:
            f.seek(piece[0])
            raw = f.read(piece[1] - piece[0])
        source, size = pa.BufferReader(pa.py_buffer(raw)), len(raw)
        del raw  # the buffer holds it
    block_size = BLOCK_SIZE
    while True:
        try:
            return pacsv.read_csv(
                source,
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1 if first else 0,
                                               block_size=block_size),
                parse_options=pacsv.ParseOptions(delimiter=sep, quote_char='"',
                                                 double_quote=True, newlines_in_values=True,
                                                 ignore_empty_lines=True),
                convert_options=pacsv.ConvertOptions(
                    column_types=types, include_columns=keep,
                    strings_can_be_null=True, quoted_strings_can_be_null=False,
                    null_values=[""]))
        except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
            msg = str(e).splitlines()[0]
            if "block size" in msg and block_size < size:
                block_size *= 16  # a record (or the header) longer than a block: try again
                if piece is not None:
                    source.seek(0)
                continue
            if piece is not None:
                raise _PieceUnreadable from None
            if "UTF8" in msg:
                raise InputError([_problem(path, "not UTF-8 text; expected a LimeSurvey CSV "
                                                 "export (always UTF-8)")]) from None
            # pyarrow quotes the record it could not read, which may hold personal data:
            # only its count of fields goes into the message
            fields = re.search(r"Expected \d+ columns, got \d+", msg)
            detail = f" ({fields.group(0).lower()})" if fields else ""
            raise InputError([_problem(path, f"not readable as CSV with separator {sep!r}"
                                             f"{detail}; expected a LimeSurvey response export "
                                             "with every record on the same number of "
                                             "fields")]) from None


def _answer_mode(table: pa.Table, cols) -> str:
    """'full' when some answer column holds answer texts instead of codes, else 'codes'."""
    for cname, (kind, spec) in cols:
        if kind != "col" or spec.kind != "code":
            continue
        for chunk in table.column(cname).chunks:
            for v in chunk.dictionary.to_pylist():
                if v and v not in spec.codes and (v in spec.texts or v in NOT_ANSWERED_TEXTS):
                    return "full"
    return "codes"


def _convert_codes(path: Path, spec: Column, values: list, idx: np.ndarray, mode: str,
                   problems: list[Problem]) -> pd.Categorical:
    """An answer column as a categorical of the question's answer codes (in answer order);
    values that are no answer code become missing and one problem row each. ``values``: the
    column's distinct values, NULL (None) last; ``idx``: each cell's index into them (-1:
    NULL)."""
    allowed = list(spec.codes)
    target: list[str | None] = []
    bad = {}
    for i, v in enumerate(values):
        if mode == "full" and v and v.startswith(MASK) and v[1:] in spec.texts:
            v = v[1:]   # an answer text starting with "=", masked by "Quote equations"
        if v == "" or v is None:
            target.append(None)
        elif mode == "full" and v in spec.texts:
            target.append(spec.texts[v] or None)   # "" is a checkbox's "No": not checked
        elif mode == "full" and v in NOT_ANSWERED_TEXTS:
            target.append(None)
        elif v in spec.codes:
            target.append(v)
        else:
            target.append(None)
            bad[i] = v
    extra = sorted({v for v in target if v is not None and v not in spec.codes})
    cats = allowed + extra
    pos = {c: k for k, c in enumerate(cats)}
    lut = np.array([pos[t] if t is not None else -1 for t in target],
                   dtype=np.int8 if len(cats) < 127 else np.int32)
    new = lut[idx]
    for i, v in bad.items():
        rows = np.flatnonzero(idx == i)
        problems.append(_problem(
            path, f"value '{v}' is not an answer code of question {spec.question}; expected "
            f"one of {', '.join(allowed) or '(none)'}"
            + (f" (also in {len(rows) - 1} more rows: "
               f"{', '.join(str(r + 2) for r in rows[1:11])}{'…' if len(rows) > 11 else ''})"
               if len(rows) > 1 else ""),
            row=int(rows[0]) + 2, column=spec.name))
    return pd.Categorical.from_codes(new, dtype=_category_type(tuple(cats)))


@functools.lru_cache(maxsize=256)
def _category_type(cats: tuple[str, ...]) -> pd.CategoricalDtype:
    """One categorical type per list of answer codes: the many columns of an array question
    share it, so its categories are built and checked once."""
    return pd.CategoricalDtype(pd.Index(list(cats), dtype=object))


def _convert(path: Path, spec: Column, arr: pa.ChunkedArray, problems: list[Problem]):
    """A text, number or date column; a text masked by "Quote equations" restored."""
    if spec.kind == "text":
        masked = pc.starts_with(arr, MASK)
        if pc.any(masked).as_py():
            arr = pc.if_else(masked, pc.utf8_slice_codeunits(arr, 1), arr)
    series = arr.to_pandas()
    if spec.kind == "number":
        out = pd.to_numeric(series.replace("", None), errors="coerce").astype("Float64")
        _flag_unparsed(path, spec.name, series, out, "a number", problems)
        return out
    if spec.kind == "date":
        out = pd.to_datetime(series.replace("", None), errors="coerce", format="ISO8601")
        _flag_unparsed(path, spec.name, series, out, "a date", problems)
        return out
    return series


def _flag_unparsed(path, column, raw: pd.Series, parsed: pd.Series, what, problems) -> None:
    bad = raw.notna() & (raw != "") & parsed.isna()
    for r in np.flatnonzero(bad.to_numpy())[:10]:
        problems.append(_problem(path, f"'{raw.iloc[r]}' is not {what}; expected {what}",
                                 row=int(r) + 2, column=column))


def _whole_numbers(arr: pa.ChunkedArray) -> pd.Series | None:
    """Int64 values when every non-empty value is a plain whole number, else None: the fast
    path of ``id`` and ``lastpage`` (cast in pyarrow instead of parsed cell by cell)."""
    try:
        empty = pc.equal(arr, "")
        clean = pc.if_else(empty, pa.scalar(None, type=pa.string()), arr)
        return clean.cast(pa.int64()).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _convert_meta(path: Path, name: str, arr: pa.ChunkedArray, problems: list[Problem]):
    if name in ("id", "lastpage"):
        out = _whole_numbers(arr)
        if out is None:  # some value is not a plain whole number: parse and flag each
            series = arr.to_pandas()
            out = pd.to_numeric(series.replace("", None), errors="coerce").astype("Int64")
            _flag_unparsed(path, name, series, out, "a whole number", problems)
        if name == "id" and out.isna().any():
            raise InputError([_problem(path, "response without id; expected a number in every "
                                             "'id' field", row=int(np.flatnonzero(
                                                 out.isna().to_numpy())[0]) + 2, column="id")])
        return out
    if name in ("submitdate", "startdate", "datestamp"):
        out = _datetimes(arr)
        if out is None:  # some value is not a date and time pyarrow reads: parse and flag each
            series = arr.to_pandas()
            out = pd.to_datetime(series.replace("", None), errors="coerce", format="ISO8601")
            _flag_unparsed(path, name, series, out, "a date and time", problems)
        return out
    return arr.to_pandas()


def _datetimes(arr: pa.ChunkedArray) -> pd.Series | None:
    """Datetimes when every non-empty value is a date (and time) as LimeSurvey writes it,
    ``2026-03-01 09:10:30`` (cast in pyarrow, the fast path), else None. A time with a zone
    is not read this way: pandas reads it as it did before."""
    try:
        clean = pc.if_else(pc.equal(arr, ""), pa.scalar(None, type=pa.string()), arr)
        return clean.cast(pa.timestamp("us")).to_pandas()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
