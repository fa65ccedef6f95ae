"""Redaction of personal data in free text: what goes, what stays, and what it costs."""

from __future__ import annotations

import logging
import subprocess
import sys

import pandas as pd
import pytest

from hbomkb import config
from hbomkb.inputs import redact as R
from hbomkb.inputs.redact import keep_distinct, redact, redact_many, redact_text


@pytest.mark.parametrize("text, expected", [
    # the cases the issue found going through
    ("bel (010) 123 45 67", "bel [telefoon]"),
    ("mijn nummer: +32 470 12 34 56.", "mijn nummer: [telefoon]."),
    ("kijk op example.io", "kijk op [link]"),
    ("zie bit.ly/abc voor het filmpje", "zie [link] voor het filmpje"),
    ("Pieter de Vries komt ook", "[naam] komt ook"),
    ("vraag het mevrouw Yılmaz", "vraag het mevrouw [naam]"),
    ("samen met Anne-Marie van den Berg", "samen met [naam]"),
    ("Groet, Fatima", "Groet, [naam]"),
    ("+31 6 12345678 of 0031 6 1234 5678", "[telefoon] of [telefoon]"),
    # and the ones redaction always caught
    ("mail p.jansen@bedrijf.nl graag", "mail [e-mail] graag"),
    ("zie https://www.hr.nl/onderzoek voor meer", "zie [link] voor meer"),
    ("kijk op innovatiewerkplaats-noord.nl.", "kijk op [link]."),
    ("bel 06-12345678", "bel [telefoon]"),
    ("bel 010 123 4567 of +31 (0)6 1234 5678", "bel [telefoon] of [telefoon]"),
    ("contact via dhr. K. van den Berg", "contact via dhr. [naam]"),
    ("Mevrouw De Groot weet het", "Mevrouw [naam] weet het"),
    ("mijn naam is Sanne Bakker", "mijn naam is [naam]"),
    ("samen met Jan de Vries", "samen met [naam]"),
    ("Bel Jan de Vries", "Bel [naam]"),
    ("Kennis delen met Bakker en Visser", "Kennis delen met [naam] en [naam]"),
    ("mijn naam is Xiomara Qwertyuiop", "mijn naam is [naam]"),
    ("tel.0612345678", "tel.[telefoon]"),
    ("+1 (555) 123-4567", "[telefoon]"),
])
def test_personal_data_is_replaced_by_a_tag(text, expected):
    assert redact_text(text) == expected


@pytest.mark.parametrize("text", [
    # places, institutions, dates and ages are not personal data
    "Stages in Rotterdam, Den Haag en Eindhoven",
    "Binnen 5 jaar een eigen lab",
    "Start op 1 maart 2026, evaluatie 01-03-2027",
    "Hogeschool Rotterdam, Fontys, Avans, Saxion, Thomas More en Erasmus MC",
    "Samen met Limburg en Gelderland",
    # ordinary text
    "bel de klant vaker",
    "Frankrijk als nieuwe markt",
    "15 studenten in 2024, 3 dagen per week, 3.000 euro",
    "Centres of Expertise en RAAK-mkb",
    "Meer stageplekken bij kleine bedrijven",
    "Meer Stageplekken Bij Kleine Bedrijven",
    "Techniek en Bouw",
    "Zomer 2026: stage",
    "werk.De bedrijven",
    "groet, fatima",
    "versie 2.0 van het rapport.pdf",
])
def test_what_is_not_personal_stays(text):
    assert redact_text(text) == text


def test_control_characters_go_and_the_rest_of_the_text_stays():
    assert (redact_text("Stage\x00 bij\x1b[31m kleine\tbedrijven")
            == "Stage bij[31m kleine\tbedrijven")


def test_series_keeps_missing_values():
    out = redact(pd.Series(["Jan de Vries belt", None, "gewoon"]))
    assert out.tolist()[0] == "[naam] belt"
    assert pd.isna(out.iloc[1]) and out.iloc[2] == "gewoon"
    assert str(out.dtype) == "string"


def test_labels_that_differed_stay_distinct():
    originals = ["Stage bij Jan de Vries", "Stage bij Piet Jansen", "Stage bij [naam]",
                 "Netwerk"]
    done = redact_many(originals)
    assert done["Stage bij Jan de Vries"] == done["Stage bij Piet Jansen"] == "Stage bij [naam]"
    distinct = keep_distinct(originals, done, key=str.casefold)
    assert distinct == {"Stage bij Jan de Vries": "Stage bij [naam] (2)",
                        "Stage bij Piet Jansen": "Stage bij [naam] (3)",
                        "Stage bij [naam]": "Stage bij [naam]", "Netwerk": "Netwerk"}


def test_results_are_kept_on_disk_and_an_unchanged_text_never_loads_deduce(tmp_path,
                                                                           monkeypatch):
    monkeypatch.setattr(R, "cache_path", lambda: tmp_path / "results-x.sqlite")
    texts = ["Bel Jan de Vries", "Meer stages", "Bel Jan de Vries"]
    first = redact_many(texts)
    assert first == {"Bel Jan de Vries": "Bel [naam]", "Meer stages": "Meer stages"}

    def no_deduce():
        raise AssertionError("deduce loaded for a text already redacted")

    monkeypatch.setattr(R, "names", no_deduce)
    assert redact_many(texts) == first
    with pytest.raises(AssertionError, match="deduce loaded"):
        redact_many(["Een nieuwe tekst"])


def test_a_cache_that_cannot_be_written_is_not_used(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    monkeypatch.setattr(R, "cache_path", lambda: ro / "sub" / "results-x.sqlite")
    try:
        assert redact_many(["bel 06-12345678"]) == {"bel 06-12345678": "bel [telefoon]"}
    finally:
        ro.chmod(0o700)


def test_results_of_earlier_rules_are_dropped(tmp_path, monkeypatch):
    old = tmp_path / "results-old.sqlite"
    old.write_bytes(b"")
    monkeypatch.setattr(R, "cache_path", lambda: tmp_path / "results-new.sqlite")
    redact_many(["x"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results-new.sqlite"]


def test_the_rules_key_follows_the_rules_and_deduce():
    assert R.cache_path().name == f"results-{R.rules_key()}.sqlite"
    assert R.cache_path().parent == config.CACHE_DIR / "redact"


def test_deduce_reads_a_long_text_in_bounded_windows(monkeypatch):
    names = R.names()
    seen = []
    real = names.model.deidentify

    def recording(text, **kwargs):
        seen.append(len(text))
        return real(text, **kwargs)

    monkeypatch.setattr(names.model, "deidentify", recording)
    sentence = "Meer stageplekken, zegt Pieter de Vries op 06-12345678 in Rotterdam. "
    text = sentence * (100_000 // len(sentence))
    out = redact_text(text)
    assert max(seen) <= R.WINDOW and sum(seen) == len(text)
    assert out.count("[naam]") == out.count("[telefoon]") == text.count("Pieter")
    assert "Rotterdam" in out and "Vries" not in out


def test_a_name_at_a_window_edge_is_found_whole():
    text = "x" * (R.WINDOW - 20) + ". Stage bij Anne-Marie van den Berg en Jan de Vries. " * 3
    assert "Anne" not in redact_text(text) and "Vries" not in redact_text(text)


def test_deduce_loads_once_per_process_and_leaves_logging_alone():
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    assert R.names() is R.names()
    assert root.handlers == handlers and root.level == level


def test_processing_modules_load_deduce_only_when_a_text_needs_it():
    code = ("import sys; import hbomkb.inputs.build, hbomkb.notebook; "
            "print('deduce' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_warm_builds_the_name_lookups_in_the_project_cache(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(config, "CACHE_DIR", tmp_path)
    R.names.cache_clear()
    try:
        assert R.main(["--warm", "Groet, Fatima"]) == 0
        out = capsys.readouterr().out
        folder = tmp_path / "deduce" / R.deduce_version()
        assert f"name lookups ready in {folder}" in out and out.endswith("Groet, [naam]\n")
        pickle = folder / "cache" / "lookup_structs.pickle"
        assert pickle.is_file() and pickle.stat().st_size < 10_000_000
        # the street and institution lists are left out: only names and the whitelist remain
        assert (folder / "src" / "locations" / "lst_street" / "items.txt").read_text() == ""
        assert (folder / "src" / "names" / "lst_surname" / "items.txt").stat().st_size > 10_000
        R.names.cache_clear()
        assert R.redact_text("Pieter de Vries") == "[naam]"  # loads from what warm built
        pickle.write_bytes(b"kapot")  # a damaged cache is built anew
        R.names.cache_clear()
        assert R.redact_text("Pieter de Vries") == "[naam]"
        assert pickle.stat().st_size > 1000
    finally:
        R.names.cache_clear()
