"""The fixed words LimeSurvey writes in its exports, in the languages of its own translations.

A *full question text* or *abbreviated* heading export names the metadata columns in the export
language (``Respons-id``, ``Datum verzonden``…) and marks scales, ranking places, "other" and
comment columns with fixed words (``[Schaal 1]``, ``[Rang 1]``, ``[Overige]``); a *full answers*
export writes fixed answers as words (``Ja``/``Nee``, ``Oui``/``Non``). The words are those of
LimeSurvey 6.14's translation catalogues (/work/shared/limesurvey/export-words.tsv). A language
not listed here (or a regional variant such as ``de-informal`` that has no entry of its own)
falls back to its base language, then to English.
"""

from __future__ import annotations

LANGUAGES = ("en", "nl", "nl-informal", "fr", "de", "es", "it")

# English text -> its translation per language of LANGUAGES, in that order.
_TABLE = {
    "Response ID": ("Response ID", "Respons-id", "Respons-id", "ID de la réponse", "Antwort ID",
                    "ID de respuesta", "ID risposta"),
    "Date submitted": ("Date submitted", "Datum verzonden", "Datum verzonden",
                       "Date de soumission", "Datum Abgeschickt", "Fecha de envío",
                       "Data invio"),
    "Last page": ("Last page", "Laatste pagina", "Laatste pagina", "Dernière page",
                  "Letzte Seite", "Última página", "Ultima pagina"),
    "Start language": ("Start language", "Begin taal", "Begin taal", "Langue de départ",
                       "Start-Sprache", "Lenguaje inicial", "Lingua iniziale"),
    "Seed": ("Seed", "Plaats", "Plaats", "Tête de série", "Zufallsstartwert", "Semilla", "Seme"),
    "Date started": ("Date started", "Startdatum", "Startdatum", "Date de lancement",
                     "Datum gestartet", "Fecha de inicio", "Data di inizio"),
    "Date last action": ("Date last action", "Datum laatste actie", "Datum laatste actie",
                         "Date de la dernière action", "Datum letzte Aktivität",
                         "Fecha de la última acción", "Data dell'ultima azione"),
    "IP address": ("IP address", "IP-adres", "IP-adres", "Adresse IP", "IP-Adresse",
                   "Dirección IP", "Indirizzo IP"),
    "Referrer URL": ("Referrer URL", "Verwijzer URL", "Verwijzer-URL", "URL référente",
                     "Weiterleitungs-URL", "URL de referencia", "URL di riferimento"),
    "Yes": ("Yes", "Ja", "Ja", "Oui", "Ja", "Sí", "Sì"),
    "No": ("No", "Nee", "Nee", "Non", "Nein", "No", "No"),
    "Female": ("Female", "Vrouw", "Vrouw", "Féminin", "weiblich", "Femenino", "Femmina"),
    "Male": ("Male", "Man", "Man", "Masculin", "männlich", "Masculino", "Maschio"),
    "No answer": ("No answer", "Geen antwoord", "Geen antwoord", "Sans réponse", "Keine Antwort",
                  "Sin respuesta", "Nessuna risposta"),
    "Other": ("Other", "Overige", "Overige", "Autre", "Sonstiges", "Otro", "Altro"),
    "Other:": ("Other:", "Anders:", "Anders:", "Autre :", "Sonstiges:", "Otro:", "Altro:"),
    "Comment": ("Comment", "Opmerking", "Opmerking", "Commentaire", "Kommentar", "Comentario",
                "Commento"),
    "Scale 1": ("Scale 1", "Schaal 1", "Schaal 1", "Échelle 1", "Skala 1", "Eje 1", "Scala 1"),
    "Scale 2": ("Scale 2", "Schaal 2", "Schaal 2", "Échelle 2", "Skala 2", "Eje 2", "Scala 2"),
    "Rank %s": ("Rank %s", "Rang %s", "Rang %s", "Classement %s", "Rank %s", "Ranking %s",
                "Classifica %s"),
    "Uncertain": ("Uncertain", "Weet niet", "Weet niet", "Incertain", "Unsicher", "Dudoso",
                  "Non so"),
    "Increase": ("Increase", "Toenemend", "Toenemend", "Augmenter", "Zunahme", "Aumento",
                 "Aumenta"),
    "Same": ("Same", "Zelfde", "Zelfde", "Sans changement", "Unverändert", "Mismo", "Uguale"),
    "Decrease": ("Decrease", "Afnemend", "Afnemend", "Diminuer", "Abnahme", "Disminución",
                 "Diminuisce"),
}

# Words with no translation in the table: LimeSurvey's English (the "N/A" a full-answers export
# writes for an unanswered checkbox, yes/no or gender item; timing and file-count headings).
_ENGLISH_ONLY = ("N/A", "Access code", "Token", "Total time", "Group time", "Question time",
                 "File count")


def _language(language: str) -> str | None:
    """The column of ``language`` in the table: itself, its base language, or None."""
    lang = (language or "").strip()
    if lang in LANGUAGES:
        return lang
    base = lang.split("-")[0].split("_")[0].lower()
    return base if base in LANGUAGES else None


def word(english: str, language: str = "en") -> str:
    """LimeSurvey's word for ``english`` in ``language`` (English when it has none)."""
    lang = _language(language)
    row = _TABLE.get(english)
    if row is None or lang is None:
        return english
    return row[LANGUAGES.index(lang)]


def translations(english: str) -> set[str]:
    """Every language's word for ``english``, English included."""
    if english in _TABLE:
        return set(_TABLE[english])
    return {english} if english in _ENGLISH_ONLY else set()


def known_language(language: str) -> bool:
    """Whether the table has LimeSurvey's words for ``language`` (or its base language)."""
    return _language(language) is not None
