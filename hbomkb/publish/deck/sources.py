"""What the deck is assembled from: what the reports published, never a new computation.

:class:`Published` reads a study's published output: the tables the reports recorded
(``reports/<study>/tables/<report>/<table>.csv``), the figures (``figures/<study>/*.png``),
and, from each executed report notebook (``reports/<study>/<report>.ipynb``), the caption and n
each table was shown with, the provenance stamp (commit, raw-input hash, time) and the national
conclusions exactly as the national report words them. The researchers' own slides come from
an optional ``deck.md`` in the study folder (:func:`read_deck_md`).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from hbomkb.config import Study, report_name
from hbomkb.labels import label

DECK_MD = "deck.md"
NATIONAL = report_name(None)
# A caption line of a table output: "Caption text (n = 92 notities)".
_CAPTION = re.compile(r"^(?P<caption>.*) \(n = (?P<n>[^)]*)\)\s*$")
# Rows of a report's provenance block (read as plain text, see Published.stamp).
_COMMIT = re.compile(r"^\|\s*git[- ]commit\s*\|\s*(?P<v>[^|]*?)\s*\|", re.M)
_RAW_HASH = re.compile(r"^\|[^|\n]*SHA-256[^|\n]*\|\s*(?P<v>[0-9a-f]{64})\s*\|", re.M)
_RUN_AT = re.compile(r"^\|\s*(?:uitgevoerd op|run at|executed at)\s*\|\s*(?P<v>[^|]*?)\s*\|",
                     re.M)
# The code cell of the national notebook whose output is the conclusions.
CONCLUSIONS_CALL = "national_conclusions"
# The national report's sentence on whether the common ground survives other counting rules.
SENSITIVITY_CALL = "sensitivity_sentence"


class DeckError(Exception):
    """The published reports lack what the deck shows; the message says what and where."""


@dataclass(frozen=True)
class Stamp:
    """Where a report's numbers come from: its commit, raw-input hash and execution time."""

    commit: str = ""
    raw_hash: str = ""
    run_at: str = ""

    def line(self, language: object) -> str:
        return label("deck_note_provenance", language, commit=self.commit or "–",
                     raw_hash=self.raw_hash or "–", run_at=self.run_at or "–")


@dataclass(frozen=True)
class TableSource:
    """One published table: the report, its file stem, its caption and n as shown."""

    report: str
    stem: str
    path: Path
    caption: str = ""
    n: str = ""


@dataclass
class Published:
    """Everything the reports of one study published, read on demand and cached."""

    study: Study
    reports_dir: Path
    figures_dir: Path
    _notebooks: dict[str, dict] = field(default_factory=dict, repr=False)
    _captions: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict, repr=False)
    used: dict[str, Path] = field(default_factory=dict, repr=False)

    # -- tables --------------------------------------------------------------------------
    def table_path(self, report: str, stem: str) -> Path:
        return self.reports_dir / "tables" / report / f"{stem}.csv"

    def has_table(self, report: str, stem: str) -> bool:
        return self.table_path(report, stem).is_file()

    def table(self, report: str, stem: str) -> pd.DataFrame:
        """A published table as the report recorded it, every cell as its CSV text;
        :class:`DeckError` when missing."""
        path = self.table_path(report, stem)
        if not path.is_file():
            raise DeckError(f"{path}: table missing; the deck shows it, expected "
                            f"report '{report}' to publish tables/{report}/{stem}.csv "
                            "(run `hbomkb run` first)")
        self.used[str(path)] = path
        # as text: a cell is shown as the report showed it (whole numbers as whole numbers)
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")

    def source(self, report: str, stem: str) -> TableSource:
        """A table with the caption and n its report showed it with."""
        path = self.table_path(report, stem)
        if not path.is_file():
            self.table(report, stem)  # raises the DeckError naming the file
        self.used[str(path)] = path
        caption, n = self._caption_of(report, path)
        return TableSource(report, stem, path, caption, n)

    # -- figures -------------------------------------------------------------------------
    def figure(self, region: str | None, name: str) -> Path:
        """A published figure's PNG (``<region or nationaal>-<name>.png``)."""
        path = self.figures_dir / f"{region or 'nationaal'}-{name}.png"
        if not path.is_file():
            raise DeckError(f"{path}: figure missing; the deck shows it, expected the "
                            f"{'region' if region else 'national'} report to publish it "
                            "(run `hbomkb run` first)")
        self.used[str(path)] = path
        return path

    # -- notebooks -----------------------------------------------------------------------
    def notebook(self, report: str) -> dict:
        if report not in self._notebooks:
            path = self.reports_dir / f"{report}.ipynb"
            try:
                self._notebooks[report] = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as e:
                raise DeckError(f"{path}: executed report not readable ({type(e).__name__}); "
                                "expected the report `hbomkb run` publishes") from None
            self.used[str(path)] = path
        return self._notebooks[report]

    def _outputs(self, report: str):
        """(cell source, output data) of every rich output of a report, in order."""
        for cell in self.notebook(report).get("cells", []):
            if cell.get("cell_type") != "code":
                continue
            source = _text(cell.get("source", ""))
            for out in cell.get("outputs", []):
                data = out.get("data")
                if data:
                    yield source, data, out.get("metadata", {})

    def _caption_of(self, report: str, path: Path) -> tuple[str, str]:
        """The caption and n a report showed a table with.

        A table output names its file in its metadata (``hbomkb.table``) when the report
        records it; otherwise the output is the one whose header row and first row are the
        CSV's. Empty strings when no output matches (the notes then say so).
        """
        if report not in self._captions:
            found = []
            for _, data, meta in self._outputs(report):
                plain = _text(data.get("text/plain", ""))
                first, _, body = plain.partition("\n")
                m = _CAPTION.match(first)
                if m and body:
                    name = (meta.get("hbomkb") or {}).get("table", "")
                    found.append((name, m["caption"], m["n"], body))
            self._captions[report] = found
        found = self._captions[report]
        stem = path.stem
        for name, caption, n, _ in found:
            if name == stem:
                return caption, n
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        header = _squash(" ".join(str(c) for c in frame.columns))
        first_row = [v for v in (frame.iloc[0].tolist() if len(frame) else []) if v]
        for _, caption, n, body in found:
            head, _, rows = body.partition("\n")
            if _squash(head) == header and all(_squash(v) in _squash(rows.split("\n")[0])
                                               for v in first_row if not _is_number(v)):
                return caption, n
        return "", ""

    def stamp(self, report: str) -> Stamp:
        """The provenance stamp at the top of a report."""
        for _, data, _ in self._outputs(report):
            # the block's values as plain text: no code spans (<code> or backticks), no escapes
            md = re.sub(r"\\(.)", r"\1", re.sub(r"</?code>|`", "", _text(data.get("text/markdown",
                                                                                 ""))))
            commit, raw = _COMMIT.search(md), _RAW_HASH.search(md)
            if commit and raw:
                run_at = _RUN_AT.search(md)
                return Stamp(commit["v"].strip(), raw["v"], run_at["v"] if run_at else "")
        raise DeckError(f"{self.reports_dir / (report + '.ipynb')}: no provenance block found; "
                        "expected the report to show where it comes from")

    def _markdown_of(self, call: str, what: str) -> str:
        """The Markdown the national report showed from a cell calling ``narrative.call``."""
        for source, data, meta in self._outputs(NATIONAL):
            if (meta.get("hbomkb") or {}).get(what) or call in source:
                md = _text(data.get("text/markdown", ""))
                if md:
                    return md
        raise DeckError(f"{self.reports_dir / (NATIONAL + '.ipynb')}: no {what} found; "
                        f"expected the output of narrative.{call} in the national report")

    def conclusions(self) -> str:
        """The national conclusions as the national report shows them (Markdown)."""
        return self._markdown_of(CONCLUSIONS_CALL, "conclusions")

    def sensitivity(self) -> str:
        """The national report's sentence on whether its common ground holds under the other
        counting rules of a top 3 (Markdown)."""
        return self._markdown_of(SENSITIVITY_CALL, "sensitivity")

    def fingerprint(self, extra: bytes = b"") -> str:
        """A hash of every file read so far (name and bytes), plus ``extra``."""
        h = hashlib.sha256(extra)
        for name in sorted(self.used):
            h.update(name.encode() + b"\0" + self.used[name].read_bytes() + b"\n")
        return h.hexdigest()


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _squash(text: str) -> str:
    return " ".join(str(text).split())


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------------------------------
# deck.md: the researchers' own slides
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TextSlide:
    """A slide of text: a title and paragraphs (level 0 = bullet, 1 = sub-bullet, -1 = plain)."""

    title: str
    paragraphs: tuple[tuple[int, str], ...] = ()


def parse_deck_md(text: str) -> list[TextSlide]:
    """``deck.md`` as slides: each ``#`` heading starts one, ``-``/``*``/``1.`` lines below it
    are bullets (indented two spaces or more: one level deeper), other lines plain text.

    HTML comments (``<!-- … -->``) are left out; a heading with nothing under it makes no
    slide, so an unedited skeleton adds nothing to the deck.
    """
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    slides: list[TextSlide] = []
    title, paras = None, []

    def close():
        if title is not None and paras:
            slides.append(TextSlide(title, tuple(paras)))

    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        head = re.match(r"^#\s+(.*)$", line)
        if head:
            close()
            title, paras = head.group(1).strip(), []
            continue
        if title is None:
            continue  # text before the first heading belongs to no slide
        item = re.match(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$", line)
        if item:
            paras.append((1 if len(item.group(1).expandtabs(4)) >= 2 else 0, item.group(2)))
        else:
            paras.append((-1, line.strip()))
    close()
    return slides


def read_deck_md(study: Study) -> list[TextSlide]:
    """The researchers' slides from ``<study>/deck.md``; none when the file is absent."""
    path = study.root / DECK_MD
    if not path.is_file():
        return []
    return parse_deck_md(path.read_text(encoding="utf-8-sig"))


def deck_skeleton(language: object = "nl") -> str:
    """The ``deck.md`` that ``hbomkb init`` writes: the headings of the researchers' slides,
    with a comment under each saying what belongs there (comments never reach the deck)."""
    lines = [f"<!-- {label('deck_md_intro', language)} -->", ""]
    for key in ("deck_md_context", "deck_md_goal", "deck_md_questions", "deck_md_method",
                "deck_md_desk"):
        lines += [f"# {label(key, language)}", "",
                  f"<!-- {label(key + '_hint', language)} -->", ""]
    return "\n".join(lines)
