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
    byte a cell and freed in turn.
    """
    path = Path(csv_path)
    if path.is_dir():
        raise InputError([_problem(path, "is a folder; expected a LimeSurvey response export "
                                         "(a CSV file)")])
    if not path.is_file():
        raise InputError([_problem(path, "file not found; expected a LimeSurvey response "
                                         "export (CSV)")])
    sep, header = sniff(read_head(path))
    if not header or header == [""]:
        raise InputError([_problem(path, "empty file; expected a LimeSurvey response export "
                                         "with a header line")])
    plan, heading_mode, language = _plan_columns(path, header, structure)

    names = [f"c{i}" for i in range(len(header))]
    keep = [i for i, (kind, _) in enumerate(plan) if kind != "drop"]
    coded = {names[i] for i in keep if plan[i][0] == "col" and plan[i][1].kind == "code"}
    table = _parse(path, sep, names, keep, coded)

    problems: list[Problem] = []
    data: dict[str, object] = {}
    cols = [(names[i], plan[i]) for i in keep]
    answer_mode = _answer_mode(table, cols)
    for cname, (kind, spec) in cols:
        # Column by column, each dropped from the table once taken: memory goes down as the
        # frame grows.
        arr, table = table.column(cname), table.drop_columns([cname])
        if kind == "meta":
            data[spec] = _convert_meta(path, spec, arr, problems)
        elif kind == "timing":
            data[spec] = pd.to_numeric(arr.to_pandas(), errors="coerce").astype("Float64")
        elif spec.kind == "code":
            data[spec.name] = _convert_codes(path, spec, arr.combine_chunks(), answer_mode,
                                             problems)
        else:
            data[spec.name] = _convert(path, spec, arr, problems)
    df = pd.DataFrame(data, copy=False)
    # pyarrow's allocator keeps the pages its parse threads freed, where numpy cannot reuse
    # them; handed back, the tables built next do not add to them (measured: the peak of a
    # read varied from 2.6 to 3.6 times the file without this, 2.6 to 2.7 with it).
    pa.default_memory_pool().release_unused()
    df.attrs.update({"survey_id": structure.survey_id, "separator": sep,
                     "headings": heading_mode, "language": language, "answers": answer_mode,
                     "problems": problems, "source": str(path)})
    return df


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


def _parse(path: Path, sep: str, names: list[str], keep: list[int], coded: set[str]
           ) -> pa.Table:
    """The kept columns of an export as pyarrow parses them: answer columns (``coded``)
    dictionary-encoded, every other column as text; an unquoted empty field is NULL, a quoted
    one ``""``.

    ``pyarrow.csv.read_csv`` parses blocks of :data:`BLOCK_SIZE` bytes on all cores. Measured
    with ``bench/bench_survey_read.py`` (100,000 responses): see docs/survey.md.
    """
    types = {names[i]: pa.dictionary(pa.int32(), pa.string()) if names[i] in coded
             else pa.string() for i in keep}
    block_size = BLOCK_SIZE
    while True:
        try:
            return pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                               block_size=block_size),
                parse_options=pacsv.ParseOptions(delimiter=sep, quote_char='"',
                                                 double_quote=True, newlines_in_values=True,
                                                 ignore_empty_lines=True),
                convert_options=pacsv.ConvertOptions(
                    column_types=types, include_columns=[names[i] for i in keep],
                    strings_can_be_null=True, quoted_strings_can_be_null=False,
                    null_values=[""]))
        except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
            msg = str(e).splitlines()[0]
            if "block size" in msg and block_size < path.stat().st_size:
                block_size *= 16  # a record (or the header) longer than a block: try again
                continue
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


def _convert_codes(path: Path, spec: Column, arr: pa.DictionaryArray, mode: str,
                   problems: list[Problem]) -> pd.Categorical:
    """An answer column as a categorical of the question's answer codes (in answer order);
    values that are no answer code become missing and one problem row each."""
    values = [*arr.dictionary.to_pylist(), None]  # the extra last entry: NULL
    idx = arr.indices.fill_null(len(values) - 1).to_numpy()
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
    series = arr.to_pandas()
    if name in ("submitdate", "startdate", "datestamp"):
        out = pd.to_datetime(series.replace("", None), errors="coerce", format="ISO8601")
        _flag_unparsed(path, name, series, out, "a date and time", problems)
        return out
    return series
