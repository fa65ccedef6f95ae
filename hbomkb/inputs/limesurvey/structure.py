"""A LimeSurvey survey structure: what a .lss file holds, read and written.

:func:`read_lss` reads both generations of the file (legacy inline texts, DBVersion < 400;
l10n tables, DBVersion >= 400) into a :class:`Structure`; :func:`write_lss` writes one in the
l10n layout LimeSurvey 6 imports. The rules followed are in /work/shared/limesurvey/FORMAT.md.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from hbomkb.files import write_text_atomic
from hbomkb.problems import InputError, Problem

L10N_DBVERSION = 400
# The DBVersion written: LimeSurvey 6.14's own (its export survey_206848.lss). A file that claims
# a newer one (the 6.x sample's 638) imports into 6.14 with a warning for each setting 6.14 does
# not have; the sections and fields written here are exactly those of 6.14's own export.
WRITE_DBVERSION = 630


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


def _unreadable(path: Path, message: str) -> InputError:
    return InputError([Problem(file=str(path), message=message)])


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


def whole_number(v, default: int = 0) -> int:
    """``v`` as an int; ``default`` when it is missing or not a whole number."""
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


def read_lss(path) -> Structure:
    """Read a LimeSurvey survey structure file (.lss), legacy inline or l10n layout."""
    path = Path(path)
    if path.is_dir():
        raise _unreadable(path, "is a folder; expected a LimeSurvey .lss survey structure file "
                                "(Survey > Export > Survey structure (.lss))")
    try:
        root = ET.parse(path).getroot()
    except FileNotFoundError:
        raise _unreadable(path, "file not found; expected a LimeSurvey .lss survey structure "
                                "file") from None
    except OSError as e:
        raise _unreadable(path, f"cannot be read ({e.strerror or e}); expected a LimeSurvey .lss "
                                "survey structure file") from None
    except ET.ParseError as e:
        raise _unreadable(path, f"not readable as XML ({e}); expected a LimeSurvey .lss survey "
                                "structure file") from None
    doctype = (root.findtext("LimeSurveyDocType") or "").strip()
    if root.tag != "document" or doctype != "Survey":
        raise _unreadable(path, f"not a LimeSurvey survey structure (root <{root.tag}>, "
                                f"LimeSurveyDocType '{doctype}'); expected a .lss file from "
                                "Survey > Export > Survey structure (.lss)")
    db_version = whole_number(root.findtext("DBVersion"))
    languages = tuple(x.text.strip() for x in root.findall("languages/language") if x.text)
    surveys = _section_rows(root, "surveys")
    settings = {k: v for k, v in (surveys[0] if surveys else {}).items() if v is not None}
    base = settings.get("language") or (languages[0] if languages else "en")
    if base not in languages:
        languages = (base, *languages)
    survey_id = whole_number(settings.get("sid"))
    titles = {r.get("surveyls_language", base): r.get("surveyls_title") or ""
              for r in _section_rows(root, "surveys_languagesettings")}

    legacy = db_version < L10N_DBVERSION
    groups = _read_groups(root, legacy)
    questions = _read_questions(root, legacy)
    if not survey_id:
        survey_id = whole_number(next((r.get("sid") for r in _section_rows(root, "questions")), 0))
    return Structure(survey_id=survey_id, db_version=db_version, language=base,
                     languages=languages, groups=groups, questions=questions, titles=titles,
                     settings=settings, source=str(path))


def _read_groups(root, legacy: bool) -> list[Group]:
    groups: dict[int, Group] = {}
    for r in _section_rows(root, "groups"):
        gid = whole_number(r.get("gid"))
        g = groups.setdefault(gid, Group(gid=gid, order=whole_number(r.get("group_order")),
                                         relevance=r.get("grelevance") or "1"))
        if legacy:
            lang = r.get("language") or ""
            g.names[lang] = r.get("group_name") or ""
            g.descriptions[lang] = r.get("description") or ""
    for r in _section_rows(root, "group_l10ns"):
        g = groups.get(whole_number(r.get("gid")))
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
        qid, parent = whole_number(r.get("qid")), whole_number(r.get("parent_qid"))
        lang = r.get("language") or ""
        if parent == 0:
            q = top.get(qid)
            if q is None:
                q = top[qid] = Question(
                    qid=qid, gid=whole_number(r.get("gid")), type=r.get("type") or "",
                    code=r.get("title") or "", other=(r.get("other") == "Y"),
                    order=whole_number(r.get("question_order")),
                    relevance=r.get("relevance") or "1", mandatory=r.get("mandatory") or "N",
                    theme=r.get("question_theme_name") or "")
            if legacy:
                q.texts[lang] = r.get("question") or ""
                q.help[lang] = r.get("help") or ""
        else:
            s = subs.get(qid)
            if s is None:
                s = subs[qid] = Subquestion(qid=qid, code=r.get("title") or "",
                                            scale_id=whole_number(r.get("scale_id")),
                                            order=whole_number(r.get("question_order")),
                                            relevance=r.get("relevance") or "1")
                parent_of[qid] = parent
            if legacy:
                s.texts[lang] = r.get("question") or ""
    for r in _section_rows(root, "question_l10ns"):
        qid, lang = whole_number(r.get("qid")), r.get("language") or ""
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
        key = (whole_number(r.get("qid")), r.get("code") or "", whole_number(r.get("scale_id")))
        a = answers.get(key)
        if a is None:
            a = answers[key] = Answer(code=key[1], scale_id=key[2],
                                      sortorder=whole_number(r.get("sortorder")),
                                      assessment_value=whole_number(r.get("assessment_value")))
        if legacy or "answer" in r:
            a.texts[r.get("language") or ""] = r.get("answer") or ""
        if r.get("aid"):
            by_aid[whole_number(r.get("aid"))] = a
    for r in _section_rows(root, "answer_l10ns"):
        a = by_aid.get(whole_number(r.get("aid")))
        if a is not None:
            a.texts[r.get("language") or ""] = r.get("answer") or ""
    for (qid, _, _), a in answers.items():
        if qid in top:
            top[qid].answers.append(a)

    for r in _section_rows(root, "question_attributes"):
        q = top.get(whole_number(r.get("qid")))
        if q is None:
            continue
        name, value, lang = r.get("attribute") or "", r.get("value"), r.get("language")
        if lang:
            q.l10n_attributes.setdefault(name, {})[lang] = value or ""
        else:
            q.attributes[name] = value if value is not None else ""
    return list(top.values())


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

_FIELDS = {
    "answers": ["aid", "qid", "code", "sortorder", "assessment_value", "scale_id"],
    "answer_l10ns": ["id", "aid", "answer", "language"],
    "groups": ["gid", "sid", "group_order", "randomization_group", "grelevance"],
    "group_l10ns": ["id", "gid", "group_name", "description", "language", "sid", "group_order",
                    "randomization_group", "grelevance"],
    "questions": ["qid", "parent_qid", "sid", "gid", "type", "title", "preg", "other",
                  "mandatory", "encrypted", "question_order", "scale_id", "same_default",
                  "relevance", "question_theme_name", "modulename", "same_script"],
    "question_l10ns": ["id", "qid", "question", "help", "script", "language"],
    "question_attributes": ["qid", "attribute", "value", "language"],
    "surveys": ["sid", "gsid", "admin", "expires", "startdate", "adminemail", "anonymized",
                "format", "savetimings", "template", "language", "additional_languages",
                "datestamp", "usecookie", "allowregister", "allowsave", "autonumber_start",
                "autoredirect", "allowprev", "printanswers", "ipaddr", "ipanonymize", "refurl",
                "showsurveypolicynotice", "publicstatistics", "publicgraphs", "listpublic",
                "htmlemail", "sendconfirmation", "tokenanswerspersistence", "assessments",
                "usecaptcha", "usetokens", "bounce_email", "attributedescriptions",
                "emailresponseto", "emailnotificationto", "tokenlength", "showxquestions",
                "showgroupinfo", "shownoanswer", "showqnumcode", "bouncetime",
                "bounceprocessing", "bounceaccounttype", "bounceaccounthost",
                "bounceaccountpass", "bounceaccountencryption", "bounceaccountuser",
                "showwelcome", "showprogress", "questionindex", "navigationdelay", "nokeyboard",
                "alloweditaftercompletion", "googleanalyticsstyle", "googleanalyticsapikey",
                "tokenencryptionoptions"],
    "surveys_languagesettings": [
        "surveyls_survey_id", "surveyls_policy_error", "surveyls_email_invite_subj",
        "surveyls_email_invite", "surveyls_email_remind_subj", "surveyls_email_remind",
        "surveyls_email_register_subj", "surveyls_email_register", "surveyls_email_confirm_subj",
        "surveyls_email_confirm", "surveyls_dateformat", "surveyls_attributecaptions",
        "surveyls_alias", "email_admin_notification_subj", "email_admin_notification",
        "email_admin_responses_subj", "email_admin_responses", "surveyls_numberformat",
        "attachments", "surveyls_language", "surveyls_title", "surveyls_description",
        "surveyls_welcometext", "surveyls_endtext", "surveyls_policy_notice",
        "surveyls_policy_notice_label", "surveyls_url", "surveyls_urldescription"],
}

# Survey settings written; "I" means "inherit from the survey group" as in the real sample.
# Anonymised, no IP address, no referrer URL: personal data never reach the responses.
SURVEY_DEFAULTS = {
    "gsid": "1", "admin": "inherit", "adminemail": "inherit", "anonymized": "Y", "format": "G",
    "savetimings": "N", "template": "inherit", "datestamp": "Y", "usecookie": "N",
    "allowregister": "N", "allowsave": "N", "autonumber_start": "0", "autoredirect": "N",
    "allowprev": "Y", "printanswers": "N", "ipaddr": "N", "refurl": "N",
    "showsurveypolicynotice": "0", "publicstatistics": "N", "publicgraphs": "N",
    "listpublic": "N", "htmlemail": "Y",
    "sendconfirmation": "N", "tokenanswerspersistence": "N", "assessments": "N",
    "usecaptcha": "N", "usetokens": "N", "bounce_email": "inherit", "emailresponseto": "inherit",
    "emailnotificationto": "inherit", "tokenlength": "15", "showxquestions": "I",
    "showgroupinfo": "I", "shownoanswer": "N", "showqnumcode": "I", "bounceprocessing": "N",
    "showwelcome": "Y", "showprogress": "Y", "questionindex": "0", "navigationdelay": "0",
    "nokeyboard": "N", "alloweditaftercompletion": "N", "ipanonymize": "Y",
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
            "surveyls_policy_notice_label": "", "surveyls_policy_error": ""})

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
    return write_text_atomic(path, "\n".join(lines) + "\n")
