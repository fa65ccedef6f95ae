"""Redaction of personal data in free text.

Workshop notes and open survey answers are typed by people and sometimes carry a name, an
e-mail address, a phone number or a link. Those never reach processed data: each is replaced by
a bracketed tag saying what was there, so a reader still sees that something was removed.
"""

from __future__ import annotations

import re

import pandas as pd

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:nl|com|org|net|eu|be|de)\b(?:/\S*)?",
                 re.IGNORECASE)
# Dutch and international phone numbers: 06-12345678, 010 123 4567, +31 (0)6 1234 5678, 0031...
PHONE = re.compile(r"(?<![\w])(?:\+|00)?(?:31[\s-]?(?:\(0\))?[\s-]?|0)\d(?:[\s-]?\d){7,9}(?![\w])")
_TUSSEN = r"(?:(?:van|de|der|den|ter|ten|te|het|'t|in|op)\s+){0,3}"
_NAME = r"[A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?"
# A title or an introduction followed by one or more capitalised words is a name.
TITLED_NAME = re.compile(
    r"\b((?i:(?:dhr|mevr|mr|mw|dr|ir|drs|ing|prof)\.?|meneer|mevrouw|collega|lector|docent|"
    r"contactpersoon|naam is|ik ben|vraag naar|bel|mail))\s+"
    rf"(?:[A-Z]\.\s*)*{_TUSSEN}{_NAME}(?:\s+{_TUSSEN}{_NAME})?",
)
# Common Dutch given names, followed by a capitalised surname (with tussenvoegsels).
_GIVEN = (
    "Jan|Piet|Kees|Henk|Gerrit|Johan|Willem|Peter|Mark|Thomas|Daan|Sander|Bas|Tim|Ruud|Erik|Hans|"
    "Anna|Maria|Linda|Sanne|Lisa|Eva|Femke|Anouk|Marieke|Ingrid|Petra|Esther|Sophie|Emma|Julia|"
    "Karin|Monique|Sandra|Annemarie|Joost|Niels|Jeroen|Martijn|Wouter|Maarten|Frank|Paul|Rob"
)
GIVEN_NAME = re.compile(rf"\b(?:{_GIVEN})(?:\s+{_TUSSEN}{_NAME})?\b")

TAGS = {"email": "[e-mail]", "url": "[link]", "phone": "[telefoon]", "name": "[naam]"}


def redact_text(text: str) -> str:
    """One text with e-mail addresses, links, phone numbers and names replaced by tags."""
    if not isinstance(text, str) or not text:
        return text
    out = EMAIL.sub(TAGS["email"], text)
    out = URL.sub(TAGS["url"], out)
    out = PHONE.sub(TAGS["phone"], out)
    # Keep the cue ("bel", "dhr.") so the sentence still reads; replace the name after it.
    out = TITLED_NAME.sub(lambda m: f"{m.group(1)} {TAGS['name']}", out)
    out = GIVEN_NAME.sub(TAGS["name"], out)
    return out


def redact(texts: pd.Series) -> pd.Series:
    """A series of free texts with personal data replaced; missing values stay missing."""
    texts = pd.Series(texts)
    mask = texts.notna()
    out = texts.astype("object").copy()
    if mask.any():
        uniq = pd.unique(texts[mask].astype(str))
        mapping = {t: redact_text(t) for t in uniq}
        out[mask] = texts[mask].astype(str).map(mapping)
    return out.astype("string")
