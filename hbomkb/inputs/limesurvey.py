"""LimeSurvey files: survey structure (.lss) in and out, response exports (CSV) in.

Generic LimeSurvey I/O with no knowledge of the study. :func:`read_lss` reads both generations
of the structure file (legacy inline texts, DBVersion < 400; l10n tables, DBVersion >= 400),
:func:`write_lss` writes the l10n layout LimeSurvey 6 imports, and :func:`read_responses`
reads a response export into one typed row per response, checked against the structure.

The rules followed here are in /work/shared/limesurvey/FORMAT.md (facts read from LimeSurvey
6.1.8's exporter and from real files). Response column names in the returned frame are always
the *question code* headings (``Q1[SQ001]``, ``Q3[SQ001][1]``, ``R[1]``), whatever heading mode
the export used.
"""

from __future__ import annotations

import csv
import io
import queue
import re
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from hbomkb.problems import ERROR, InputError, Problem

L10N_DBVERSION = 400
WRITE_DBVERSION = 638  # the DBVersion of the real 6.x sample this writer follows

EXPORT_ADVICE = ('export the responses again in LimeSurvey (Responses > Export > CSV) with '
                 '"Headings: Question code" (or "ExpressionScript code") and '
                 '"Responses: Answer codes"')

# Metadata columns LimeSurvey writes before the questions, in order.
META_COLUMNS = ("id", "submitdate", "lastpage", "startlanguage", "seed", "token", "startdate",
                "datestamp", "ipaddr", "refurl")
PERSONAL_COLUMNS = ("token", "ipaddr", "refurl")
FULLTEXT_META = {"Response ID", "Date submitted", "Last page", "Start language", "Seed",
                 "Date started", "Date last action", "Token", "IP address", "Referrer URL"}

# Fixed answer lists of types without answer rows; texts as written with "full answers" (en).
FIXED_ANSWERS = {
    "5": {str(i): str(i) for i in range(1, 6)},
    "A": {str(i): str(i) for i in range(1, 6)},
    "B": {str(i): str(i) for i in range(1, 11)},
    "C": {"Y": "Yes", "N": "No", "U": "Uncertain"},
    "E": {"I": "Increase", "S": "Same", "D": "Decrease"},
    "Y": {"Y": "Yes", "N": "No"},
    "G": {"F": "Female", "M": "Male"},
}
NOT_ANSWERED = "N/A"  # what "full answers" writes for an unanswered checkbox, yes/no or gender
OTHER = "-oth-"
OTHER_TEXT = "Other"

TEXT_TYPES = set("STUQ;X*I")
NUMBER_TYPES = set("NK:")
ARRAY_TYPES = set("FABCEH")


# ---------------------------------------------------------------------------------------------
# Structure
# ---------------------------------------------------------------------------------------------

@dataclass
class Answer:
    """One answer option of a question (a ranking item in 2.x-6.x)."""

    code: str
    scale_id: int = 0
    sortorder: int = 0
    texts: dict[str, str] = field(default_factory=dict)
    assessment_value: int = 0


@dataclass
class Subquestion:
    """One row (scale 0) or column (scale 1) of an array; an item of a multiple choice."""

    qid: int
    code: str
    scale_id: int = 0
    order: int = 0
    texts: dict[str, str] = field(default_factory=dict)
    relevance: str = "1"


@dataclass
class Question:
    """One top-level question with its subquestions, answers and attributes."""

    qid: int
    gid: int
    type: str
    code: str
    other: bool = False
    order: int = 0
    relevance: str = "1"
    mandatory: str = "N"
    texts: dict[str, str] = field(default_factory=dict)
    help: dict[str, str] = field(default_factory=dict)
    subquestions: list[Subquestion] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)
    l10n_attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    theme: str = ""

    def subs(self, scale_id: int = 0) -> list[Subquestion]:
        return sorted((s for s in self.subquestions if s.scale_id == scale_id),
                      key=lambda s: (s.order, s.qid))

    def answer_list(self, scale_id: int = 0) -> list[Answer]:
        return sorted((a for a in self.answers if a.scale_id == scale_id),
                      key=lambda a: (a.sortorder, a.code))

    @property
    def ranking_items(self) -> list[Answer | Subquestion]:
        """Items of a ranking: answers (2.x-6.x) or, in the 7.x line, subquestions."""
        return self.answer_list(0) or self.subs(0)


@dataclass
class Group:
    gid: int
    order: int = 0
    relevance: str = "1"
    names: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)


@dataclass
class Structure:
    """A survey structure: what a .lss file holds that matters for reading responses."""

    survey_id: int
    db_version: int
    language: str
    languages: tuple[str, ...]
    groups: list[Group] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def text(self, texts: dict[str, str], language: str | None = None) -> str:
        """A text in ``language``, falling back to the base language, then to any language."""
        for lang in (language, self.language):
            if lang and texts.get(lang):
                return texts[lang]
        return next((t for t in texts.values() if t), "")

    def attribute(self, q: Question, name: str, language: str | None = None) -> str:
        """A question attribute; a per-language one in ``language`` or the base language."""
        if name in q.l10n_attributes:
            return self.text(q.l10n_attributes[name], language)
        return q.attributes.get(name, "")

    def ordered_questions(self) -> list[Question]:
        """Questions in survey order: by group order, then question order."""
        gorder = {g.gid: (g.order, g.gid) for g in self.groups}
        return sorted(self.questions,
                      key=lambda q: (gorder.get(q.gid, (10**9, q.gid)), q.order, q.qid))

    def question(self, code: str) -> Question:
        for q in self.questions:
            if q.code == code:
                return q
        raise KeyError(code)


def _problem(path, message, row=None, column="", severity=ERROR) -> Problem:
    return Problem(file=str(path), row=row, column=column, message=message, severity=severity)


def _section_rows(root: ET.Element, name: str) -> list[dict[str, str | None]]:
    """Rows of one section; a NULL is absent (None), an empty string an empty element ('')."""
    sec = root.find(name)
    if sec is None or sec.find("rows") is None:
        return []
    out = []
    for row in sec.find("rows"):
        rec = {}
        for col in row:
            tag = col.tag[1:] if re.match(r"_\d", col.tag) else col.tag
            rec[tag] = col.text if col.text is not None else ""
        out.append(rec)
    return out


def _int(v, default=0) -> int:
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def read_lss(path) -> Structure:
    """Read a LimeSurvey survey structure file (.lss), legacy inline or l10n layout."""
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except FileNotFoundError:
        raise InputError([_problem(path, "file not found; expected a LimeSurvey .lss "
                                         "survey structure file")]) from None
    except ET.ParseError as e:
        raise InputError([_problem(path, f"not readable as XML ({e}); expected a LimeSurvey "
                                         ".lss survey structure file")]) from None
    doctype = (root.findtext("LimeSurveyDocType") or "").strip()
    if root.tag != "document" or doctype != "Survey":
        raise InputError([_problem(path, f"not a LimeSurvey survey structure (root <{root.tag}>,"
                                         f" LimeSurveyDocType '{doctype}'); expected a .lss file "
                                         "from Survey > Export > Survey structure (.lss)")])
    db_version = _int(root.findtext("DBVersion"))
    languages = tuple(x.text.strip() for x in root.findall("languages/language") if x.text)
    surveys = _section_rows(root, "surveys")
    settings = {k: v for k, v in (surveys[0] if surveys else {}).items() if v is not None}
    base = settings.get("language") or (languages[0] if languages else "en")
    if base not in languages:
        languages = (base, *languages)
    survey_id = _int(settings.get("sid"))
    titles = {r.get("surveyls_language", base): r.get("surveyls_title") or ""
              for r in _section_rows(root, "surveys_languagesettings")}

    legacy = db_version < L10N_DBVERSION
    groups = _read_groups(root, legacy)
    questions = _read_questions(root, legacy)
    if not survey_id:
        survey_id = _int(next((r.get("sid") for r in _section_rows(root, "questions")), 0))
    return Structure(survey_id=survey_id, db_version=db_version, language=base,
                     languages=languages, groups=groups, questions=questions, titles=titles,
                     settings=settings, source=str(path))


def _read_groups(root, legacy: bool) -> list[Group]:
    groups: dict[int, Group] = {}
    for r in _section_rows(root, "groups"):
        gid = _int(r.get("gid"))
        g = groups.setdefault(gid, Group(gid=gid, order=_int(r.get("group_order")),
                                         relevance=r.get("grelevance") or "1"))
        if legacy:
            lang = r.get("language") or ""
            g.names[lang] = r.get("group_name") or ""
            g.descriptions[lang] = r.get("description") or ""
    for r in _section_rows(root, "group_l10ns"):
        g = groups.get(_int(r.get("gid")))
        if g is not None:
            lang = r.get("language") or ""
            g.names[lang] = r.get("group_name") or ""
            g.descriptions[lang] = r.get("description") or ""
    return sorted(groups.values(), key=lambda g: (g.order, g.gid))


def _read_questions(root, legacy: bool) -> list[Question]:
    rows = _section_rows(root, "questions") + _section_rows(root, "subquestions")
    top: dict[int, Question] = {}
    subs: dict[int, Subquestion] = {}
    parent_of: dict[int, int] = {}
    for r in rows:
        qid, parent = _int(r.get("qid")), _int(r.get("parent_qid"))
        lang = r.get("language") or ""
        if parent == 0:
            q = top.get(qid)
            if q is None:
                q = top[qid] = Question(
                    qid=qid, gid=_int(r.get("gid")), type=r.get("type") or "", code=r.get("title")
                    or "", other=(r.get("other") == "Y"), order=_int(r.get("question_order")),
                    relevance=r.get("relevance") or "1", mandatory=r.get("mandatory") or "N",
                    theme=r.get("question_theme_name") or "")
            if legacy:
                q.texts[lang] = r.get("question") or ""
                q.help[lang] = r.get("help") or ""
        else:
            s = subs.get(qid)
            if s is None:
                s = subs[qid] = Subquestion(qid=qid, code=r.get("title") or "",
                                            scale_id=_int(r.get("scale_id")),
                                            order=_int(r.get("question_order")),
                                            relevance=r.get("relevance") or "1")
                parent_of[qid] = parent
            if legacy:
                s.texts[lang] = r.get("question") or ""
    for r in _section_rows(root, "question_l10ns"):
        qid, lang = _int(r.get("qid")), r.get("language") or ""
        if qid in top:
            top[qid].texts[lang] = r.get("question") or ""
            top[qid].help[lang] = r.get("help") or ""
        elif qid in subs:
            subs[qid].texts[lang] = r.get("question") or ""
    for qid, s in subs.items():
        if parent_of[qid] in top:
            top[parent_of[qid]].subquestions.append(s)

    answers: dict[tuple[int, str, int], Answer] = {}
    by_aid: dict[int, Answer] = {}
    for r in _section_rows(root, "answers"):
        key = (_int(r.get("qid")), r.get("code") or "", _int(r.get("scale_id")))
        a = answers.get(key)
        if a is None:
            a = answers[key] = Answer(code=key[1], scale_id=key[2],
                                      sortorder=_int(r.get("sortorder")),
                                      assessment_value=_int(r.get("assessment_value")))
        if legacy or "answer" in r:
            a.texts[r.get("language") or ""] = r.get("answer") or ""
        if r.get("aid"):
            by_aid[_int(r.get("aid"))] = a
    for r in _section_rows(root, "answer_l10ns"):
        a = by_aid.get(_int(r.get("aid")))
        if a is not None:
            a.texts[r.get("language") or ""] = r.get("answer") or ""
    for (qid, _, _), a in answers.items():
        if qid in top:
            top[qid].answers.append(a)

    for r in _section_rows(root, "question_attributes"):
        q = top.get(_int(r.get("qid")))
        if q is None:
            continue
        name, value, lang = r.get("attribute") or "", r.get("value"), r.get("language")
        if lang:
            q.l10n_attributes.setdefault(name, {})[lang] = value or ""
        else:
            q.attributes[name] = value if value is not None else ""
    return list(top.values())


# ---------------------------------------------------------------------------------------------
# Writer
# ---------------------------------------------------------------------------------------------

_FIELDS = {
    "answers": ["aid", "qid", "code", "sortorder", "assessment_value", "scale_id"],
    "answer_l10ns": ["id", "aid", "answer", "language"],
    "groups": ["gid", "sid", "group_order", "randomization_group", "grelevance"],
    "group_l10ns": ["id", "gid", "group_name", "description", "language", "sid", "group_order",
                    "randomization_group", "grelevance"],
    "questions": ["qid", "parent_qid", "sid", "gid", "type", "title", "preg", "other",
                  "mandatory", "question_order", "scale_id", "same_default", "relevance",
                  "modulename", "encrypted", "question_theme_name", "same_script"],
    "question_l10ns": ["id", "qid", "question", "help", "language", "script"],
    "question_attributes": ["qid", "attribute", "value", "language"],
    "surveys": ["sid", "gsid", "admin", "expires", "startdate", "adminemail", "anonymized",
                "faxto", "format", "savetimings", "template", "language", "additional_languages",
                "datestamp", "usecookie", "allowregister", "allowsave", "autonumber_start",
                "autoredirect", "allowprev", "printanswers", "ipaddr", "refurl",
                "showsurveypolicynotice", "publicstatistics", "showdatapolicybutton",
                "showlegalnoticebutton", "publicgraphs", "listpublic", "htmlemail",
                "sendconfirmation", "tokenanswerspersistence", "assessments", "usecaptcha",
                "usetokens", "bounce_email", "attributedescriptions", "emailresponseto",
                "emailnotificationto", "tokenlength", "showxquestions", "showgroupinfo",
                "shownoanswer", "showqnumcode", "bouncetime", "bounceprocessing",
                "bounceaccounttype", "bounceaccounthost", "bounceaccountpass",
                "bounceaccountencryption", "bounceaccountuser", "showwelcome", "showprogress",
                "questionindex", "navigationdelay", "nokeyboard", "alloweditaftercompletion",
                "googleanalyticsstyle", "googleanalyticsapikey", "tokenencryptionoptions",
                "ipanonymize", "access_mode", "lastmodified"],
    "surveys_languagesettings": [
        "surveyls_survey_id", "surveyls_policy_error", "surveyls_legal_notice",
        "surveyls_email_invite_subj", "surveyls_email_invite", "surveyls_email_remind_subj",
        "surveyls_email_remind", "surveyls_email_register_subj", "surveyls_email_register",
        "surveyls_email_confirm_subj", "surveyls_email_confirm", "surveyls_dateformat",
        "surveyls_attributecaptions", "email_admin_notification_subj",
        "email_admin_notification", "email_admin_responses_subj", "email_admin_responses",
        "surveyls_numberformat", "attachments", "surveyls_alias", "surveyls_language",
        "surveyls_title", "surveyls_description", "surveyls_welcometext", "surveyls_endtext",
        "surveyls_policy_notice", "surveyls_policy_notice_label", "surveyls_url",
        "surveyls_urldescription"],
}

# Survey settings written; "I" means "inherit from the survey group" as in the real sample.
# Anonymised, no IP address, no referrer URL: personal data never reach the responses.
SURVEY_DEFAULTS = {
    "gsid": "1", "admin": "inherit", "adminemail": "inherit", "anonymized": "Y", "format": "G",
    "savetimings": "N", "template": "inherit", "datestamp": "Y", "usecookie": "N",
    "allowregister": "N", "allowsave": "N", "autonumber_start": "0", "autoredirect": "N",
    "allowprev": "Y", "printanswers": "N", "ipaddr": "N", "refurl": "N",
    "showsurveypolicynotice": "0", "publicstatistics": "N", "showdatapolicybutton": "0",
    "showlegalnoticebutton": "0", "publicgraphs": "N", "listpublic": "N", "htmlemail": "Y",
    "sendconfirmation": "N", "tokenanswerspersistence": "N", "assessments": "N",
    "usecaptcha": "N", "usetokens": "N", "bounce_email": "inherit", "emailresponseto": "inherit",
    "emailnotificationto": "inherit", "tokenlength": "15", "showxquestions": "I",
    "showgroupinfo": "I", "shownoanswer": "N", "showqnumcode": "I", "bounceprocessing": "N",
    "showwelcome": "Y", "showprogress": "Y", "questionindex": "0", "navigationdelay": "0",
    "nokeyboard": "N", "alloweditaftercompletion": "N", "ipanonymize": "Y", "access_mode": "O",
}

QUESTION_THEMES = {"L": "listradio", "!": "list_dropdown", "R": "ranking", "1": "arrays/dualscale",
                   "T": "longfreetext", "S": "shortfreetext", "U": "hugefreetext",
                   "M": "multiplechoice", "F": "arrays/array", "X": "boilerplate",
                   "Y": "yesno", "N": "numerical"}


def _cdata(value: str) -> str:
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _section(name: str, rows: list[dict]) -> list[str]:
    fields = _FIELDS["questions" if name == "subquestions" else name]
    out = [f" <{name}>", "  <fields>"]
    out += [f"   <fieldname>{f}</fieldname>" for f in fields]
    out += ["  </fields>", "  <rows>"]
    for r in rows:
        out.append("   <row>")
        for f in fields:
            if f not in r or r[f] is None:
                continue  # NULL: the element is left out
            tag = f"_{f}" if f[0].isdigit() else f
            v = r[f]
            out.append(f"    <{tag}/>" if v == "" else f"    <{tag}>{_cdata(v)}</{tag}>")
        out.append("   </row>")
    out += ["  </rows>", f" </{name}>"]
    return out


def write_lss(structure: Structure, path) -> Path:
    """Write ``structure`` as a .lss file in the l10n layout LimeSurvey 6 imports as-is."""
    s, sid = structure, str(structure.survey_id)
    langs = list(dict.fromkeys((s.language, *s.languages)))
    rows = {k: [] for k in (*_FIELDS, "subquestions")}
    aid = l10n_id = 0
    for g in s.groups:
        rows["groups"].append({"gid": g.gid, "sid": sid, "group_order": g.order,
                               "randomization_group": "", "grelevance": g.relevance})
        for lang in langs:
            l10n_id += 1
            rows["group_l10ns"].append({
                "id": l10n_id, "gid": g.gid, "group_name": s.text(g.names, lang),
                "description": s.text(g.descriptions, lang) if g.descriptions else "",
                "language": lang, "sid": sid, "group_order": g.order,
                "randomization_group": "", "grelevance": g.relevance})
    subquestion_rows = []
    for q in s.ordered_questions():
        rows["questions"].append({
            "qid": q.qid, "parent_qid": 0, "sid": sid, "gid": q.gid, "type": q.type,
            "title": q.code, "preg": "", "other": "Y" if q.other else "N",
            "mandatory": q.mandatory, "question_order": q.order, "scale_id": 0,
            "same_default": 0, "relevance": q.relevance, "modulename": "", "encrypted": "N",
            "question_theme_name": q.theme or QUESTION_THEMES.get(q.type, ""), "same_script": 0})
        for lang in langs:
            l10n_id += 1
            rows["question_l10ns"].append({
                "id": l10n_id, "qid": q.qid, "question": s.text(q.texts, lang),
                "help": s.text(q.help, lang) if q.help else "", "language": lang, "script": ""})
        for sq in sorted(q.subquestions, key=lambda x: (x.scale_id, x.order, x.qid)):
            subquestion_rows.append({
                "qid": sq.qid, "parent_qid": q.qid, "sid": sid, "gid": q.gid, "type": "T",
                "title": sq.code, "other": "N", "mandatory": "N", "question_order": sq.order,
                "scale_id": sq.scale_id, "same_default": 0, "relevance": sq.relevance,
                "encrypted": "N", "same_script": 0})
            for lang in langs:
                l10n_id += 1
                rows["question_l10ns"].append({"id": l10n_id, "qid": sq.qid,
                                               "question": s.text(sq.texts, lang), "help": "",
                                               "language": lang})
        for a in sorted(q.answers, key=lambda x: (x.scale_id, x.sortorder)):
            aid += 1
            rows["answers"].append({"aid": aid, "qid": q.qid, "code": a.code,
                                    "sortorder": a.sortorder,
                                    "assessment_value": a.assessment_value,
                                    "scale_id": a.scale_id})
            for lang in langs:
                l10n_id += 1
                rows["answer_l10ns"].append({"id": l10n_id, "aid": aid,
                                             "answer": s.text(a.texts, lang), "language": lang})
        for name in sorted(q.attributes):
            rows["question_attributes"].append({"qid": q.qid, "attribute": name,
                                                "value": q.attributes[name], "language": ""})
        for name in sorted(q.l10n_attributes):
            for lang in langs:
                rows["question_attributes"].append({
                    "qid": q.qid, "attribute": name,
                    "value": s.text(q.l10n_attributes[name], lang), "language": lang})
    rows["subquestions"] = subquestion_rows
    survey = {**SURVEY_DEFAULTS, **s.settings}
    survey.update({"sid": sid, "language": s.language,
                   "additional_languages": " ".join(x for x in langs if x != s.language)})
    rows["surveys"] = [survey]
    for lang in langs:
        rows["surveys_languagesettings"].append({
            "surveyls_survey_id": sid, "surveyls_language": lang,
            "surveyls_title": s.text(s.titles, lang), "surveyls_description": "",
            "surveyls_welcometext": "", "surveyls_endtext": "", "surveyls_dateformat": "5",
            "surveyls_numberformat": "1", "surveyls_alias": "", "surveyls_url": "",
            "surveyls_urldescription": "", "surveyls_policy_notice": "",
            "surveyls_policy_notice_label": "", "surveyls_policy_error": "",
            "surveyls_legal_notice": ""})

    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<document>",
             " <LimeSurveyDocType>Survey</LimeSurveyDocType>",
             f" <DBVersion>{WRITE_DBVERSION}</DBVersion>", " <languages>"]
    lines += [f"  <language>{escape(x)}</language>" for x in langs]
    lines.append(" </languages>")
    for name in ("answers", "answer_l10ns", "groups", "group_l10ns", "questions",
                 "subquestions", "question_l10ns", "question_attributes", "surveys",
                 "surveys_languagesettings"):
        if rows[name]:
            lines += _section(name, rows[name])
    lines.append("</document>")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# Response columns
# ---------------------------------------------------------------------------------------------

@dataclass
class Column:
    """One response column as the structure defines it."""

    name: str            # question-code heading: Q1[SQ001], Q3[SQ001][1], R[1]
    em: str              # ExpressionScript heading: Q1_SQ001, Q3_SQ001_0, R_1
    question: str        # question code
    qtype: str
    kind: str            # code | text | number | date
    sub: str = ""        # subquestion code, rank number, "other", "comment"…
    scale: int | None = None
    codes: dict[str, str] = field(default_factory=dict)        # code -> text (one language)
    texts: dict[str, str] = field(default_factory=dict)        # any-language text -> code


def _answer_maps(structure: Structure, q: Question, items) -> tuple[dict, dict]:
    codes = {a.code: structure.text(a.texts) for a in items}
    texts = {}
    for a in items:
        for t in a.texts.values():
            if t:
                texts.setdefault(_flat(t), a.code)
    return codes, texts


def _flat(text: str) -> str:
    """Answer text as LimeSurvey writes it with full answers: tags stripped, spaces squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", text)).strip()


def response_columns(structure: Structure) -> list[Column]:
    """Every question column of a response export, in LimeSurvey's order."""
    cols: list[Column] = []

    def add(q, suffix_code, suffix_em, kind, sub="", scale=None, codes=None, texts=None):
        cols.append(Column(name=q.code + suffix_code, em=q.code + suffix_em, question=q.code,
                           qtype=q.type, kind=kind, sub=sub, scale=scale, codes=codes or {},
                           texts=texts or {}))

    for q in structure.ordered_questions():
        t = q.type
        if t in ("L", "!", "O"):
            codes, texts = _answer_maps(structure, q, q.answer_list(0))
            if q.other and t != "O":
                codes[OTHER], texts[OTHER_TEXT] = OTHER_TEXT, OTHER
            add(q, "", "", "code", codes=codes, texts=texts)
            if t == "O":
                add(q, "[comment]", "_comment", "text", sub="comment")
            elif q.other:
                add(q, "[other]", "_other", "text", sub="other")
        elif t in FIXED_ANSWERS and t not in ARRAY_TYPES:
            codes = dict(FIXED_ANSWERS[t])
            add(q, "", "", "code", codes=codes, texts={v: k for k, v in codes.items()})
        elif t in ("M", "P"):
            for sq in q.subs(0):
                add(q, f"[{sq.code}]", f"_{sq.code}", "code", sub=sq.code,
                    codes={"Y": "Yes"}, texts={"Yes": "Y"})
                if t == "P":
                    add(q, f"[{sq.code}comment]", f"_{sq.code}comment", "text",
                        sub=sq.code + "comment")
            if q.other:
                add(q, "[other]", "_other", "text", sub="other")
                if t == "P":
                    add(q, "[othercomment]", "_othercomment", "text", sub="othercomment")
        elif t in ARRAY_TYPES:
            if t in FIXED_ANSWERS:
                codes = dict(FIXED_ANSWERS[t])
                texts = {v: k for k, v in codes.items()}
            else:
                codes, texts = _answer_maps(structure, q, q.answer_list(0))
            for sq in q.subs(0):
                add(q, f"[{sq.code}]", f"_{sq.code}", "code", sub=sq.code, codes=codes,
                    texts=texts)
        elif t == "1":
            maps = [_answer_maps(structure, q, q.answer_list(s)) for s in (0, 1)]
            for sq in q.subs(0):
                for s in (0, 1):
                    add(q, f"[{sq.code}][{s + 1}]", f"_{sq.code}_{s}", "code", sub=sq.code,
                        scale=s, codes=maps[s][0], texts=maps[s][1])
        elif t in (":", ";"):
            for y in q.subs(0):
                for x in q.subs(1):
                    add(q, f"[{y.code}_{x.code}]", f"_{y.code}_{x.code}",
                        "number" if t == ":" else "text", sub=f"{y.code}_{x.code}")
        elif t in ("K", "Q"):
            for sq in q.subs(0):
                add(q, f"[{sq.code}]", f"_{sq.code}", "number" if t == "K" else "text",
                    sub=sq.code)
        elif t == "R":
            items = q.ranking_items
            codes, texts = _answer_maps(structure, q, items)
            n = len(items)
            cap = _int(q.attributes.get("max_subquestions"))
            if cap > 0:
                n = min(n, cap)
            for k in range(1, n + 1):
                add(q, f"[{k}]", f"_{k}", "code", sub=str(k), codes=codes, texts=texts)
        elif t == "|":
            add(q, "", "", "text")
            add(q, "[filecount]", "_filecount", "number", sub="filecount")
        elif t == "N":
            add(q, "", "", "number")
        elif t == "D":
            add(q, "", "", "date")
        else:  # S T U X * I and anything newer: one text column
            add(q, "", "", "text")
    return cols


# ---------------------------------------------------------------------------------------------
# Response reader
# ---------------------------------------------------------------------------------------------

def _sniff(text: str) -> tuple[str, list[str]]:
    """The separator (comma, semicolon or tab) and the header fields of an export."""
    best = (",", [])
    for sep in (",", ";", "\t"):
        try:
            header = next(csv.reader(io.StringIO(text), delimiter=sep, quotechar='"'))
        except (StopIteration, csv.Error):
            continue
        if len(header) > len(best[1]):
            best = (sep, header)
    return best


def export_dialect(csv_path) -> dict:
    """How a CSV export is written: separator, BOM, line ending, headings, heading style."""
    path = Path(csv_path)
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    sep, header = _sniff(_read_head(path))
    first_end = head.find(b"\n")
    crlf = first_end > 0 and head[first_end - 1: first_end] == b"\r"
    fulltext = bool(header) and ("id" not in header and (header[0] in FULLTEXT_META))
    return {"separator": sep, "bom": head.startswith(b"\xef\xbb\xbf"),
            "line_ending": "\r\n" if crlf else "\n", "headings": header,
            "heading_style": "text" if fulltext else "code"}


def _read_head(path: Path) -> str:
    with open(path, "rb") as f:
        head = f.read(1 << 20)
    full = len(head) == 1 << 20
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as e:
        if not full or e.start < len(head) - 4:  # not just a character cut at 1 MB
            raise InputError([_problem(path, "not UTF-8 text; expected a LimeSurvey CSV "
                                             "export (always UTF-8)")]) from None
        return head[: e.start].decode("utf-8")


_TIMING = re.compile(r"^(interviewtime|groupTime\d+|\d+X\d+(X\d+)?time|.+Time)$")
_SGQA = re.compile(r"^(\d+)X(\d+)X(\d+)")
BLOCK_SIZE = 1 << 20  # bytes of the export parsed at a time
BLOCKS_AT_ONCE = 8  # parsed blocks converted together
PIECES = 2  # a large export is parsed in this many pieces at once, one thread each
SPLIT_MIN = 1 << 23  # bytes: a smaller export is parsed in one piece


def read_responses(csv_path, structure: Structure) -> pd.DataFrame:
    """Read a LimeSurvey response export (CSV) into one typed row per response.

    Accepts comma, semicolon or tab as separator, with or without BOM, CRLF or LF, quoted line
    breaks; headings as question codes or ExpressionScript codes; answers as codes or as full
    answers (translated back to codes through the structure). Token, IP address and referrer
    URL are never read. Columns: the metadata (``id`` Int64, ``submitdate``/``startdate``/
    ``datestamp`` datetimes, ``lastpage`` Int64, ``startlanguage``), then one column per
    response field named by its question-code heading: answer codes as categoricals, numbers
    as Float64, dates as datetimes, texts as strings (an unquoted empty field, NULL, is NA; a
    quoted empty one is ``""``). ``df.attrs`` holds ``survey_id``, ``headings``
    (``code``/``expression``), ``answers`` (``codes``/``full``), ``separator`` and
    ``problems`` (non-fatal :class:`Problem` rows: values that are no answer code). Raises
    :class:`InputError` when the file cannot be read or does not belong to the structure.

    The file is parsed block by block (see :func:`_read_parts`): besides the returned frame
    (about one byte per answer cell) only the blocks in flight take memory.
    """
    path = Path(csv_path)
    if not path.is_file():
        raise InputError([_problem(path, "file not found; expected a LimeSurvey response "
                                         "export (CSV)")])
    sep, header = _sniff(_read_head(path))
    if not header or header == [""]:
        raise InputError([_problem(path, "empty file; expected a LimeSurvey response export "
                                         "with a header line")])
    plan, heading_mode = _plan_columns(path, header, structure)

    names = [f"c{i}" for i in range(len(header))]
    keep = [i for i, (kind, _) in enumerate(plan) if kind != "drop"]
    coded = {i for i in keep if plan[i][0] == "col" and plan[i][1].kind == "code"}
    block_size, pieces = BLOCK_SIZE, PIECES
    while True:
        try:
            parts = _read_parts(path, sep, names, keep, coded, block_size, pieces)
            break
        except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
            msg = str(e).splitlines()[0]
            if pieces > 1:
                pieces = 1  # read in one piece, so that an error is not one of the cutting
                continue
            if "block size" in msg and block_size < path.stat().st_size:
                block_size *= 16  # a record (or the header) longer than a block: try again
                continue
            if "UTF8" in msg:
                raise InputError([_problem(path, "not UTF-8 text; expected a LimeSurvey CSV "
                                                 "export (always UTF-8)")]) from None
            raise InputError([_problem(path, f"not readable as CSV with separator {sep!r} "
                                             f"({msg}); expected a LimeSurvey response export "
                                             "with every record on the same number of "
                                             "fields")]) from None

    problems: list[Problem] = []
    data: dict[str, object] = {}
    cols = [(names[i], plan[i]) for i in keep]
    answer_mode = _answer_mode(parts, cols)
    for cname, (kind, spec) in cols:
        part = parts.pop(cname)  # each column's parts are freed once it is converted
        if kind == "meta":
            data[spec] = _convert_meta(path, spec, part.array(), problems)
        elif kind == "timing":
            data[spec] = pd.to_numeric(part.array().to_pandas(), errors="coerce"
                                       ).astype("Float64")
        elif spec.kind == "code":
            data[spec.name] = _convert_codes(path, spec, part, answer_mode, problems)
        else:
            data[spec.name] = _convert(path, spec, part.array(), problems)
    df = pd.DataFrame(data, copy=False)
    pa.default_memory_pool().release_unused()  # and the conversions' scratch memory
    df.attrs.update({"survey_id": structure.survey_id, "separator": sep,
                     "headings": heading_mode, "answers": answer_mode,
                     "problems": problems, "source": str(path)})
    return df


def _plan_columns(path: Path, header: list[str], structure: Structure):
    """For each CSV column ("meta"|"timing"|"drop", name) or ("col", Column); the heading mode."""
    problems = []
    m = re.search(r"survey_?(\d+)", path.name)
    if m and structure.survey_id and int(m.group(1)) != structure.survey_id:
        problems.append(_problem(path, f"the file name says survey {m.group(1)} but the "
                                       f"structure {Path(structure.source).name or ''} is survey "
                                       f"{structure.survey_id}; expected the export of the same "
                                       "survey"))
    cols = response_columns(structure)
    by_code = {c.name: c for c in cols}
    by_em = {c.em: c for c in cols}
    qcodes = {q.code for q in structure.questions}
    plan, unknown, seen, via_em = [], [], set(), 0
    for h in header:
        h0 = h.strip()
        if h0 in seen:
            problems.append(_problem(path, f"column '{h0}' appears twice; expected unique "
                                           "headings", column=h0))
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
    if "id" not in seen and (header[0].strip() in FULLTEXT_META
                             or len(unknown) > len(header) / 2):
        raise InputError([_problem(path, "the headings are question texts, not codes (a "
                                         "'full question text' or 'abbreviated' export); "
                                         + EXPORT_ADVICE)])
    sgqa = {int(mm.group(1)) for h in unknown if (mm := _SGQA.match(h))}
    for sid in sorted(sgqa - {structure.survey_id}):
        problems.append(_problem(path, f"columns are of survey {sid} but the structure is "
                                       f"survey {structure.survey_id}; expected the export of "
                                       "the same survey"))
    if unknown:
        shown = ", ".join(f"'{u}'" for u in unknown[:20])
        more = f" and {len(unknown) - 20} more" if len(unknown) > 20 else ""
        problems.append(_problem(path, f"{len(unknown)} column(s) not in survey "
                                       f"{structure.survey_id}: {shown}{more}; expected only "
                                       "columns of the survey structure given"))
    if "id" not in seen:
        problems.append(_problem(path, "no 'id' column; " + EXPORT_ADVICE, column="id"))
    if problems:
        raise InputError(problems)
    return plan, ("expression" if via_em else "code")


def _read_parts(path: Path, sep: str, names: list[str], keep: list[int], coded: set[int],
                block_size: int, pieces: int) -> dict:
    """The kept columns of an export, parsed ``block_size`` bytes at a time.

    The export is streamed: each group of :data:`BLOCKS_AT_ONCE` parsed blocks is turned
    into compact parts (an answer column into one byte a cell for a normal answer list)
    before more is parsed, so the parsed wide export never exists in memory as a whole. A
    large export is cut into ``pieces`` byte ranges at record boundaries (see
    :func:`_pieces`), each parsed by its own pyarrow reader in its own thread (parsing runs
    without the GIL, beside the conversion); the parts of the pieces are joined in file
    order, so record numbers stay those of the file.
    """
    types = {names[i]: pa.dictionary(pa.int32(), pa.string()) if i in coded else pa.string()
             for i in keep}
    spans = _pieces(path, sep, pieces)
    # The file is mapped, not read: a piece is a slice of the mapping, parsed in place (no
    # copy of the raw bytes; the pages are the operating system's file cache).
    mapped = pa.memory_map(str(path))
    streams = []
    try:
        whole = mapped.read_buffer()
        for k, (start, end) in enumerate(spans):
            reader = pacsv.open_csv(
                pa.BufferReader(whole.slice(start, end - start)),
                read_options=pacsv.ReadOptions(column_names=names, skip_rows=1 if k == 0 else 0,
                                               block_size=block_size),
                parse_options=pacsv.ParseOptions(delimiter=sep, quote_char='"',
                                                 double_quote=True, newlines_in_values=True,
                                                 ignore_empty_lines=True),
                convert_options=pacsv.ConvertOptions(
                    column_types=types, include_columns=[names[i] for i in keep],
                    strings_can_be_null=True, quoted_strings_can_be_null=False,
                    null_values=[""]))
            streams.append(_in_background(reader, 2 * BLOCKS_AT_ONCE))
        reader = None
        parts = [{names[i]: _CodedParts() if i in coded else _TextParts() for i in keep}
                 for _ in spans]
        pending: list[list[pa.RecordBatch]] = [[] for _ in spans]
        seen = [0] * len(spans)
        active = list(range(len(spans)))
        while active:  # round robin, so that every reader keeps parsing
            for k in list(active):
                batch = next(streams[k], None)
                if batch is None:
                    active.remove(k)
                    _add_batches(parts[k], pending[k])
                    pending[k] = []
                    continue
                if not seen[k]:  # room for the rows the piece probably holds
                    start, end = spans[k]
                    expect = batch.num_rows * max((end - start) / block_size, 1.0) * 1.05
                    for part in parts[k].values():
                        part.reserve(int(expect) + 16)
                seen[k] += 1
                pending[k].append(batch)
                if len(pending[k]) == BLOCKS_AT_ONCE:
                    _add_batches(parts[k], pending[k])
                    pending[k] = []
        batch = pending = whole = None
    finally:
        for stream in streams:
            stream.close()  # stops its thread if it still runs (after an error)
        streams = None
        mapped.close()
    pa.default_memory_pool().release_unused()  # hand the parse buffers back
    first, *rest = parts
    for other in rest:
        for cname, part in first.items():
            part.extend(other[cname])
    return first


_RECORD_START = {sep: re.compile(rb'"?\d+"?' + re.escape(sep.encode())) for sep in (",", ";", "\t")}


def _pieces(path: Path, sep: str, pieces: int) -> list[tuple[int, int]]:
    """Byte ranges that cut an export into about ``pieces`` equal parts at record boundaries.

    A cut is put after a line break outside quotes (an even number of ``"`` before it: in a
    CSV file quotes come in pairs, ``""`` inside quotes included) that is followed by what
    starts a LimeSurvey record, a response id and a separator. A file smaller than
    :data:`SPLIT_MIN` bytes, or one where no such place is found, stays one range.
    """
    size = path.stat().st_size
    if pieces < 2 or size < SPLIT_MIN:
        return [(0, size)]
    record = _RECORD_START[sep]
    cuts, quotes, pos = [0], 0, 0
    with open(path, "rb") as f:
        for k in range(1, pieces):
            target = size * k // pieces
            f.seek(pos)
            while pos < target:
                chunk = f.read(min(1 << 23, target - pos))
                if not chunk:
                    return [(0, size)]
                quotes += chunk.count(b'"')
                pos += len(chunk)
            window = f.read(1 << 20)
            at, q = 0, quotes
            while (nl := window.find(b"\n", at)) >= 0:
                q += window.count(b'"', at, nl + 1)
                at = nl + 1
                if q % 2 == 0 and record.match(window, at):
                    break
            else:
                return [(0, size)]
            quotes, pos = q, pos + at
            cuts.append(pos)
    cuts.append(size)
    return list(zip(cuts[:-1], cuts[1:], strict=True))


def _in_background(reader, ahead: int):
    """The batches of ``reader``, parsed in a second thread at most ``ahead`` batches ahead,
    so that parsing (pyarrow, without the GIL) overlaps with converting (mostly Python)."""
    batches: queue.Queue = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def offer(item) -> bool:
        while not stop.is_set():  # the consumer may have stopped: never block for good
            try:
                batches.put(item, timeout=0.1)
                return True
            except queue.Full:
                pass
        return False

    def parse():
        try:
            for batch in reader:
                if not offer(batch):
                    return
            offer(None)
        except BaseException as e:  # handed to the consumer, which raises it
            offer(e)

    worker = threading.Thread(target=parse, name="hbomkb-csv", daemon=True)
    worker.start()
    try:
        while (item := batches.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def _add_batches(parts: dict, batches: list[pa.RecordBatch]) -> None:
    if batches:
        for i, cname in enumerate(batches[0].schema.names):
            parts[cname].add([b.column(i) for b in batches])


class _CodedParts:
    """An answer column read block by block: the distinct raw values in order of appearance
    (``None`` first, for NULL) and each cell's index into them, written into one growing
    array of the smallest unsigned type that holds the indices so far (one array, not one
    per block, so that the heap is not left fragmented by thousands of small ones)."""

    def __init__(self):
        self.values: list[str | None] = [None]
        self._index: dict[str | None, int] = {None: 0}
        self._buf = np.empty(0, dtype=np.uint8)
        self._n = 0

    def reserve(self, rows: int) -> None:
        if rows > len(self._buf):
            buf = np.empty(rows, dtype=self._buf.dtype)
            buf[: self._n] = self._buf[: self._n]
            self._buf = buf

    def add(self, arrays: list[pa.DictionaryArray]) -> None:
        """Append the cells of consecutive blocks (one array per block)."""
        # One call for several blocks: the dictionaries are unified in C, and the Python work
        # per column is done once instead of once per block.
        arr = arrays[0] if len(arrays) == 1 else pa.concat_arrays(arrays)
        dictionary = arr.dictionary.to_pylist()
        lut = self._lut(dictionary + [None])  # the extra last entry: NULL
        indices = arr.indices.fill_null(len(dictionary)) if arr.null_count else arr.indices
        self._append(lut, indices.to_numpy())

    def extend(self, other: _CodedParts) -> None:
        """Append the cells of ``other`` (the same column, later in the file)."""
        self._append(self._lut(other.values), other.indices())

    def _lut(self, values: list[str | None]) -> np.ndarray:
        """Index into :attr:`values` of each of ``values``, new ones added."""
        lut = np.empty(len(values), dtype=np.int64)
        for i, v in enumerate(values):
            k = self._index.get(v)
            if k is None:
                k = self._index[v] = len(self.values)
                self.values.append(v)
            lut[i] = k
        if len(self.values) > 256 and self._buf.dtype == np.uint8 \
                or len(self.values) > 1 << 16 and self._buf.dtype == np.uint16:
            self._buf = self._buf.astype(np.uint16 if len(self.values) <= 1 << 16
                                         else np.int32)
        return lut.astype(self._buf.dtype)

    def _append(self, lut: np.ndarray, indices: np.ndarray) -> None:
        n = len(indices)
        if self._n + n > len(self._buf):
            self.reserve(max(self._n + n, len(self._buf) * 3 // 2))
        np.take(lut, indices, out=self._buf[self._n: self._n + n])
        self._n += n

    def indices(self) -> np.ndarray:
        """Every cell's index into :attr:`values`; the parts are released."""
        out, self._buf = self._buf[: self._n], np.empty(0, dtype=np.uint8)
        return out


class _TextParts:
    """A column kept as text, block by block, as the parser returned it."""

    def __init__(self):
        self._chunks: list[pa.Array] = []

    def reserve(self, rows: int) -> None:
        pass

    def add(self, arrays: list[pa.Array]) -> None:
        self._chunks.extend(arrays)

    def extend(self, other: _TextParts) -> None:
        self._chunks.extend(other._chunks)

    def array(self) -> pa.ChunkedArray:
        chunks, self._chunks = self._chunks, []
        return pa.chunked_array(chunks, type=pa.string())


def _answer_mode(parts: dict, cols) -> str:
    """'full' when some coded column holds answer texts instead of codes, else 'codes'."""
    for cname, (kind, spec) in cols:
        if kind != "col" or spec.kind != "code":
            continue
        for v in parts[cname].values:
            if v and v not in spec.codes and (v in spec.texts or v == NOT_ANSWERED):
                return "full"
    return "codes"


def _convert_codes(path: Path, spec: Column, part: _CodedParts, mode: str,
                   problems: list[Problem]) -> pd.Categorical:
    """An answer column as a categorical of the question's answer codes (in answer order);
    values that are no answer code become missing and one problem row each."""
    values = part.values
    idx = part.indices()
    allowed = list(spec.codes)
    target: list[str | None] = []
    bad = {}
    for i, v in enumerate(values):
        if v == "" or v is None:
            target.append(None)
        elif mode == "full" and v in spec.texts:
            target.append(spec.texts[v])
        elif mode == "full" and v == NOT_ANSWERED:
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
    return pd.Categorical.from_codes(new, categories=pd.Index(cats, dtype=object)
                                     if cats else pd.Index([], dtype=object))


def _convert(path: Path, spec: Column, arr: pa.ChunkedArray, problems: list[Problem]):
    """A text, number or date column."""
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
