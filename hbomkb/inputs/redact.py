"""Redaction of personal data in free text.

Workshop notes, cluster labels, open survey answers and the other free-text fields are typed by
people and sometimes carry a name, an e-mail address, a phone number or a link. Those never
reach processed data: each is replaced by a tag saying what was there (``[naam]``,
``[e-mail]``, ``[telefoon]``, ``[link]``), so a reader still sees that something was removed.
Places, institutions, dates and ages are not personal data and stay.

Names come from ``deduce`` (a de-identification library for Dutch text, which knows Dutch
first names, surnames, their particles and titles); only its person annotators run, over
name lists this module copies into ``.cache/deduce/`` and has deduce turn into lookup
structures once (``python -m hbomkb.inputs.redact --warm``, run by ``make install``). Phone
numbers (Dutch and international), e-mail addresses, links and bare domains are this project's
own patterns. Every pattern is anchored so a match attempt starts only at the beginning of a
word and never rescans it: time grows linearly with the length of a text.

Results are kept on disk by the SHA-256 of each text (``.cache/redact/``), under a key that
changes with these rules and the deduce version, so an unchanged study is redacted without
loading deduce at all. Redaction happens once, in processing (:mod:`hbomkb.inputs.build`).
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import importlib.metadata
import importlib.util
import logging
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import pandas as pd

from hbomkb import config

TAGS = {"email": "[e-mail]", "url": "[link]", "phone": "[telefoon]", "name": "[naam]"}
# When two spans overlap, the one of the earlier kind here wins.
PRIORITY = ("email", "url", "phone", "name")

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)+")
# A link with a scheme or www., up to the next space (closing punctuation trimmed after).
URL = re.compile(r"(?<![\w/])(?i:https?://|ftp://|www\.)[^\s<>\"'`]++")
# A bare domain: labels and a known top-level domain, in lower case (so "werk.De" after a
# missing space is not a link), with an optional path (bit.ly/abc).
_TLDS = ("nl|be|de|eu|com|org|net|info|biz|io|ai|co|me|ly|to|tv|uk|fr|es|it|ch|at|lu|dk|se|"
         "no|fi|pl|us|ca|nu|app|dev|tech|online|site|edu|gov|frl|amsterdam")
DOMAIN = re.compile(rf"(?<![\w.@/-])(?:[^\W_][\w-]*+\.)+(?:{_TLDS})(?![\w-])(?:/[^\s<>\"'`]*+)?")
_SEP = r"[ \t]?[.\-/]?[ \t]?"
# Dutch numbers: ten digits; the area code (06, 010, 0111 …) written together, in brackets
# or not, the rest in any grouping. Dates such as 01-03-2026 have no area code and stay.
PHONE_NL = re.compile(
    r"(?<![\w+(])(?:\(?06\)?(?:" + _SEP + r"\d){8}|\(?0[1-9]\d\)?(?:" + _SEP + r"\d){7}"
    r"|\(?0[1-9]\d\d\)?(?:" + _SEP + r"\d){6})(?!\d)")
# International numbers: + or 00, a country code, then 6-12 digits in any grouping, with an
# optional (0) or area code in brackets.
PHONE_INTL = re.compile(r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}(?:[ \t]?[.\-/()]?[ \t]?\(?\d\)?){6,12}"
                        r"(?!\d)")
# A name after an introduction or a greeting, for names deduce's lists do not know; the words
# after the cue are checked for capitals in code (Python's re has no class for upper case).
_WORD = r"[^\W\d_][\w'’-]*+"
_PARTICLES = r"(?:(?:van|de|der|den|ter|ten|te|het|'t|in|op|el|al|bin|da|di|du|le)\s+){0,3}"
CUED_NAME = re.compile(
    r"(?<!\w)(?i:(?:mijn\s+)?naam\s+is|vraag\s+naar|spreek\s+met|contactpersoon:?|"
    r"groet(?:en|jes)?,?|gr\.,?)\s+"
    rf"({_WORD}(?:\s+{_PARTICLES}{_WORD})?)")
_TRAILING = ".,;:!?)]}'\"’"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# deduce reads a long text in windows of at most this many characters (see _windows).
WINDOW = 1000
_SENTENCE_END = re.compile(r"[.!?;\n]\s")
_COMMA = re.compile(r",\s")
_SPACE = re.compile(r"\s")
# deduce extends a name by its neighbours (initials, particles, a second name) in at most this
# many rounds; its own setting repeats until nothing changes, which with a long run of names
# costs time growing with the cube of its length.
NAME_ROUNDS = 5

log = logging.getLogger(__name__)


# -- finding spans ---------------------------------------------------------------------------
def _pattern_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every e-mail address, link and phone number in ``text``."""
    spans = [(m.start(), m.end(), "email") for m in EMAIL.finditer(text)]
    for pattern in (URL, DOMAIN):
        for m in pattern.finditer(text):
            end = m.end()
            while end > m.start() and text[end - 1] in _TRAILING:
                end -= 1
            spans.append((m.start(), end, "url"))
    for pattern in (PHONE_INTL, PHONE_NL):
        spans += [(m.start(), m.end(), "phone") for m in pattern.finditer(text)]
    for m in CUED_NAME.finditer(text):
        first = m.group(1)
        if first[:1].isupper():
            spans.append((m.start(1), m.end(1), "name"))
    return spans


# Words a note often starts with, or puts before a name, that deduce's lists (made for medical
# text) may take for part of a name at the start of a sentence ("Bel Jan de Vries").
COMMON_WORDS = frozenset("""
    bel bellen mail mailen app appen stuur vraag vragen zie kijk neem maak zoek regel plan check
    graag meer samen overleg afspraak contact contacten via met door voor bij naar namens dank
    bedankt beste geachte hoi hallo tel telefoon email groet groeten let ook vooral alleen
    belangrijk structureel echt nieuw goed beter wil moet kan gaat komt zegt vindt weet heeft
    lente zomer herfst winter januari februari maart april mei juni juli augustus september
    oktober november december
""".split())
# Institutions of higher education whose names the name lists would take for a person.
INSTITUTIONS = frozenset({"thomas more", "erasmus", "stenden", "marnix", "fontys", "avans"})
_TOKEN = re.compile(r"[^\W\d_][\w'’]*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n•*-])\s*$")
# A hyphen and a word in lower case that is no name particle ("-off", not "-de Jong").
_COMPOUND = re.compile(r"-(?!(?:de|van|der|den|ter|ten|te|het|'t)\b)[^\W\d_]*[a-z]")


class _Names:
    """deduce's person annotators, loaded once per process (:func:`names`), with this
    project's corrections: places and institutions are not persons, and a lone surname where
    capitals say nothing (at the start of a sentence, in a text in Title Case) is a word."""

    def __init__(self, model, lists: Path):
        self.model = model
        groups = set(model.processors.get_names(recursive=False))
        # Only the names group and deduce's own clean-up of overlapping and adjacent spans; the
        # patient-name annotator needs a patient we never have.
        self.disabled = (groups - {"names", "post_processing"}) | {"patient_name"}
        prefixes = sorted(model.lookup_structs["prefix"].items(), key=len, reverse=True)
        alternatives = "|".join(re.escape(p) for p in prefixes)
        # Titles deduce includes in the name ("mevrouw Yılmaz") stay, so the text reads on.
        self.title = re.compile(rf"(?:(?:{alternatives})\.?\s+)+")
        self.places = _items(lists / "locations" / "lst_placename") | INSTITUTIONS
        self.first_names = _items(lists / "names" / "lst_first_name")

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        found = []
        for offset, window in _windows(text):
            doc = self.model.deidentify(window, disabled=self.disabled)
            found += [(offset, window, a.start_char, a.end_char) for a in doc.annotations
                      if not a.tag.startswith("pseudo")]
        title_case = _title_case(text, [(o + a, o + b) for o, _, a, b in found])
        out = []
        for offset, window, start, end in found:
            span = self._person(window, start, end, title_case)
            if span:
                out.append((offset + span[0], offset + span[1], "name"))
        return out

    def _person(self, text: str, start: int, end: int, title_case: bool
                ) -> tuple[int, int] | None:
        """The part of deduce's span ``text[start:end]`` that names a person, or None."""
        m = self.title.match(text, start, end)
        titled = bool(m and m.end() < end)
        if titled:
            start = m.end()
        tokens = list(_TOKEN.finditer(text, start, end))
        while len(tokens) > 1 and tokens[0].group().lower() in COMMON_WORDS:
            tokens.pop(0)
            start = tokens[0].start()
        words = text[start:end].strip()
        if not tokens or words.lower() in self.places or words.lower() in COMMON_WORDS:
            return None
        lone = len(tokens) == 1 and not titled
        if lone and _COMPOUND.match(text, end):
            return None  # the first part of a compound word: Take-off, Jan-modaal
        surname = tokens[0].group().lower() not in self.first_names
        if lone and surname and (title_case or _SENTENCE_START.search(text, 0, start)):
            return None
        return start, end


def _items(folder: Path) -> frozenset[str]:
    """Every item of a deduce lookup list and its sub-lists, lower case."""
    out: set[str] = set()
    for f in folder.rglob("items.txt"):
        out.update(line.strip().lower() for line in f.read_text(encoding="utf-8").splitlines()
                   if line.strip())
    return frozenset(out)


def _title_case(text: str, names: list[tuple[int, int]]) -> bool:
    """Most words of ``text`` outside the ``names`` spans start with a capital (a label such as
    "Stage Bij Kleine Bedrijven"), so a capital does not mark a name there."""
    starts = sorted(names)
    words = []
    for m in _TOKEN.finditer(text):
        i = bisect.bisect_right(starts, (m.start(), len(text))) - 1
        if len(m.group()) > 3 and not (i >= 0 and starts[i][1] > m.start()):
            words.append(m.group())
    return bool(words) and sum(w[0].isupper() for w in words) * 2 > len(words)


def _windows(text: str, size: int = WINDOW) -> Iterable[tuple[int, str]]:
    """``text`` in pieces of at most ``size`` characters, with their offsets, cut after the
    last sentence end, else comma, else space in the second half of a piece (a hard cut only
    in a word longer than half a piece). deduce's cost grows faster than the length of what
    it reads when many names follow each other; pieces of bounded size keep the whole linear."""
    start, n = 0, len(text)
    while start < n:
        end = start + size
        if end < n:
            half = start + size // 2
            for cut in (_SENTENCE_END, _COMMA, _SPACE):
                found = [m.end() for m in cut.finditer(text, half, end)]
                if found:
                    end = found[-1]
                    break
        yield start, text[start:end]
        start = end


def _resolve(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Non-overlapping spans, sorted by start; of overlapping ones the earlier kind in
    :data:`PRIORITY` wins, then the longer."""
    rank = {k: i for i, k in enumerate(PRIORITY)}
    ordered = sorted(spans, key=lambda s: (rank[s[2]], -(s[1] - s[0]), s[0]))
    starts: list[int] = []
    kept: list[tuple[int, int, str]] = []
    for s in ordered:
        if s[1] <= s[0]:
            continue
        i = bisect.bisect_right(starts, s[0])
        if i and kept[i - 1][1] > s[0]:
            continue  # overlaps the kept span starting before it
        if i < len(kept) and kept[i][0] < s[1]:
            continue  # overlaps the kept span starting after it
        starts.insert(i, s[0])
        kept.insert(i, s)
    return kept


def _apply(text: str, names: _Names | None) -> str:
    spans = _pattern_spans(text)
    if names is not None:
        spans += names.spans(text)
    out, pos = [], 0
    for start, end, kind in _resolve(spans):
        out.append(text[pos:start])
        out.append(TAGS[kind])
        pos = end
    out.append(text[pos:])
    return "".join(out)


# -- deduce, loaded lazily -------------------------------------------------------------------
@cache
def deduce_version() -> str:
    """The installed deduce's version, read from its dist-info folder's name: asking
    importlib.metadata costs a scan of every installed package (0.1-0.2 s)."""
    spec = importlib.util.find_spec("deduce")
    if spec is not None and spec.origin:
        found = sorted(Path(spec.origin).parent.parent.glob("deduce-*.dist-info"))
        if len(found) == 1:
            return found[0].name[len("deduce-"):-len(".dist-info")]
    return importlib.metadata.version("deduce")


def lookup_dir() -> Path:
    """Where deduce's name lists and the lookup structures built from them are kept."""
    return config.CACHE_DIR / "deduce" / deduce_version()


def _quiet_import_deduce():
    # Deferred: deduce and its name lists take ~0.5 s and ~60 MB to load; a run whose texts
    # are all in the result cache never needs them.
    import deduce

    return deduce


def _deduce_module():
    """deduce, imported without the logging set-up it does on import (it points the root
    logger at standard output at DEBUG level, which would print every library's debugging)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        return _quiet_import_deduce()
    finally:
        for h in list(root.handlers):
            if h not in handlers:
                root.removeHandler(h)
        root.setLevel(level)


def _copy_lists(deduce, target: Path) -> None:
    """deduce's name and whitelist lists into ``target/src``; its place, street and
    institution lists as empty lists, since those are not personal here and would cost ~1 GB
    and minutes to build (deduce takes a copied lookup folder as ``lookup_data_path``)."""
    src = Path(deduce.__file__).parent / "data" / "lookup" / "src"
    for category in sorted(p for p in src.iterdir() if p.is_dir() and p.name != "__pycache__"):
        for lst in sorted(category.glob("lst_*")):
            dest = target / "src" / category.name / lst.name
            if category.name in ("names", "whitelist"):
                shutil.copytree(lst, dest, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                dest.mkdir(parents=True)
                (dest / "items.txt").write_text("", encoding="utf-8")


def _build_model(deduce, folder: Path):
    """deduce over the lists in ``folder``, its name context extended in bounded rounds."""
    model = deduce.Deduce(lookup_data_path=folder, cache_path=folder, config={
        "annotators": {"name_context": {"args": {"iterative": False}}}})
    group = model.processors["names"]
    group.add_processor("name_context", _rounds(group["name_context"], NAME_ROUNDS))
    return model


def _rounds(annotator, rounds: int):
    """``annotator`` applied until the annotations stop changing, at most ``rounds`` times."""
    from docdeid.process.doc_processor import DocProcessor  # deduce's framework, loaded by now

    class Rounds(DocProcessor):
        def process(self, doc, **kwargs) -> None:
            for _ in range(rounds):
                before = set(doc.annotations)
                annotator.process(doc)
                if set(doc.annotations) == before:
                    return

    return Rounds()


def load_model():
    """deduce with the name lists of :func:`lookup_dir`, built there first if needed."""
    deduce = _deduce_module()
    folder = lookup_dir()
    if (folder / "cache" / "lookup_structs.pickle").is_file():
        try:
            return _build_model(deduce, folder)
        except Exception:  # noqa: BLE001 - a damaged pickle raises anything; rebuild it below
            log.warning("redaction: lookup cache in %s unreadable, rebuilt", folder)
    shutil.rmtree(folder, ignore_errors=True)  # unreadable, or left incomplete
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=folder.parent))
    try:
        _copy_lists(deduce, tmp)
        model = _build_model(deduce, tmp)
        try:
            tmp.rename(folder)
        except OSError:
            pass  # another process built it at the same time; its copy is as good
        return model
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@cache
def names() -> _Names:
    """deduce's person annotators, loaded once per process."""
    model = load_model()
    return _Names(model, Path(_deduce_module().__file__).parent / "data" / "lookup" / "src")


# -- results on disk -------------------------------------------------------------------------
@cache
def rules_key() -> str:
    """Changes whenever these rules or deduce change: results are kept under it."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    h.update(deduce_version().encode())
    return h.hexdigest()[:16]


def cache_path() -> Path:
    return config.CACHE_DIR / "redact" / f"results-{rules_key()}.sqlite"


def _key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class _Results:
    """Redacted texts by the SHA-256 of the original. Best effort: a cache that cannot be
    read or written (locked, disk full, read-only) is simply not used."""

    def __init__(self, path: Path):
        self.path = path
        self.db = None
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # hashes of raw text
            if not path.exists():
                for old in path.parent.glob("results-*.sqlite"):
                    old.unlink(missing_ok=True)  # results under earlier rules
            self.db = sqlite3.connect(path, timeout=10)
            self.db.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, "
                            "text TEXT NOT NULL)")
        except (sqlite3.Error, OSError):
            self.close()

    def get(self, keys: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        if self.db is None:
            return found
        try:
            for i in range(0, len(keys), 500):
                chunk = keys[i:i + 500]
                marks = ",".join("?" * len(chunk))
                found.update(self.db.execute(
                    f"SELECT key, text FROM results WHERE key IN ({marks})", chunk))
        except sqlite3.Error:
            return {}
        return found

    def put(self, items: dict[str, str]) -> None:
        if self.db is None or not items:
            return
        try:
            with self.db:
                self.db.executemany("INSERT OR REPLACE INTO results VALUES (?, ?)",
                                    items.items())
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
        self.db = None


# -- the interface ---------------------------------------------------------------------------
def strip_control(text: str) -> str:
    """``text`` without control characters (a NUL or an escape can break a workbook or a
    terminal); tabs and line breaks stay."""
    return _CONTROL.sub("", text)


def redact_text(text: str) -> str:
    """One text with e-mail addresses, links, phone numbers and names replaced by tags."""
    if not isinstance(text, str) or not text:
        return text
    return _apply(strip_control(text), names())


def redact_many(texts: Iterable[str]) -> dict[str, str]:
    """Each distinct text of ``texts`` and its redacted form. Texts redacted before under the
    same rules come from the result cache; deduce is loaded only for the others."""
    distinct = list(dict.fromkeys(t for t in texts if isinstance(t, str) and t))
    if not distinct:
        return {}
    keys = {t: _key(t) for t in distinct}
    store = _Results(cache_path())
    try:
        known = store.get(list(keys.values()))
        out, new = {}, {}
        for t in distinct:
            k = keys[t]
            if k in known:
                out[t] = known[k]
            else:
                out[t] = new[k] = _apply(strip_control(t), names())
        store.put(new)
    finally:
        store.close()
    return out


def redact(texts: pd.Series) -> pd.Series:
    """A series of free texts with personal data replaced; missing values stay missing."""
    texts = pd.Series(texts)
    mask = texts.notna().to_numpy()
    out = texts.astype("object").copy()
    if mask.any():
        values = texts[mask].astype(str)
        out[mask] = values.map(redact_many(values))
    return out.astype("string")


def keep_distinct(originals: list[str], redacted: dict[str, str],
                  key: Callable[[str], str] = str) -> dict[str, str]:
    """``redacted`` changed so that originals which differ (by ``key``) stay different: a
    redacted text that would equal an earlier one gets " (2)", " (3)" … added, in the order
    of ``originals``. For labels that are join keys, such as cluster labels."""
    taken = {key(o) for o in originals if redacted[o] == o}
    out = {}
    for o in originals:
        new = redacted[o]
        if new != o:
            base, n = new, 1
            while key(new) in taken:
                n += 1
                new = f"{base} ({n})"
            taken.add(key(new))
        out[o] = new
    return out


def warm() -> Path:
    """Build deduce's lookup structures for the name lists now (``make install`` does)."""
    names()
    return lookup_dir()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m hbomkb.inputs.redact",
                                description="Redaction of personal data in free text.")
    p.add_argument("--warm", action="store_true",
                   help="build the name lookup structures in .cache/deduce now")
    p.add_argument("text", nargs="*", help="texts to redact and print")
    args = p.parse_args(argv)
    if args.warm:
        t = time.perf_counter()
        folder = warm()
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        print(f"redaction: name lookups ready in {folder} ({size / 1e6:.1f} MB, "
              f"{time.perf_counter() - t:.1f} s)")
    for text in args.text:
        print(redact_text(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
