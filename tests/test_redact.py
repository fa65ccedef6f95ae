"""Redaction of personal data in free text."""

from __future__ import annotations

import pandas as pd
import pytest

from hbomkb.inputs.redact import redact, redact_text


@pytest.mark.parametrize("text, expected", [
    ("mail p.jansen@bedrijf.nl graag", "mail [e-mail] graag"),
    ("zie https://www.hr.nl/onderzoek voor meer", "zie [link] voor meer"),
    ("kijk op innovatiewerkplaats-noord.nl", "kijk op [link]"),
    ("bel 06-12345678", "bel [telefoon]"),
    ("bel 010 123 4567 of +31 (0)6 1234 5678", "bel [telefoon] of [telefoon]"),
    ("contact via dhr. K. van den Berg", "contact via dhr. [naam]"),
    ("Mevrouw De Groot weet het", "Mevrouw [naam] weet het"),
    ("mijn naam is Sanne Bakker", "mijn naam is [naam]"),
    ("samen met Jan de Vries", "samen met [naam]"),
])
def test_personal_data_is_replaced(text, expected):
    assert redact_text(text) == expected


@pytest.mark.parametrize("text", [
    "bel de klant vaker",
    "Frankrijk als nieuwe markt",
    "15 studenten in 2024, 3 dagen per week",
    "Centres of Expertise en RAAK-mkb",
    "Meer stageplekken bij kleine bedrijven",
])
def test_ordinary_text_is_left_alone(text):
    assert redact_text(text) == text


def test_series_keeps_missing_values():
    out = redact(pd.Series(["Jan de Vries belt", None, "gewoon"]))
    assert out.tolist()[0] == "[naam] belt"
    assert pd.isna(out.iloc[1]) and out.iloc[2] == "gewoon"
