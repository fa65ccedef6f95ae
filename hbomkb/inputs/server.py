"""The survey on a live LimeSurvey server: pull the responses, push the survey.

LimeSurvey's RemoteControl 2 API (JSON-RPC at ``SITE/index.php/admin/remotecontrol``) is spoken
through `citric <https://citric.readthedocs.io>`_. ``SITE`` is the LimeSurvey site root
(``https://host/`` or ``https://host/limesurvey/``); a survey's public link is
``SITE/index.php/SID``.

- :func:`pull` exports a survey's responses exactly as LimeSurvey writes them (CSV, question-code
  headings, answer codes, all responses, complete or not) and writes them to the study's
  ``survey/responses.csv`` atomically. It is the one command that rewrites an existing study's
  raw input, and its result says so; the export it replaces is kept as
  ``survey/.previous/responses-<time>.csv``, a hidden folder that raw-input hashing
  (:func:`hbomkb.files.raw_files`) ignores.
- :func:`push` imports the ``.lss`` the study builds now and returns the new survey id and its
  public link; ``activate=True`` activates it.

Every failure (login refused, unknown survey, inactive survey, a survey without responses, an
expired session, no connection, no answer in time) raises :class:`ServerError` with one line a
researcher can act on, before anything is written. The password is read by
:func:`password_from_env_or_terminal` (``HBOMKB_LIMESURVEY_PASSWORD`` or a prompt) and appears
in no message, result, file or log.
"""

from __future__ import annotations

import csv
import getpass
import io
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import citric
import requests
from citric.exceptions import (
    InvalidJSONResponseError,
    LimeSurveyApiError,
    LimeSurveyError,
    LimeSurveyStatusError,
    ResponseMismatchError,
    RPCInterfaceNotEnabledError,
)

from hbomkb.config import Study
from hbomkb.files import write_bytes_atomic
from hbomkb.inputs import limesurvey as ls
from hbomkb.inputs.build import build
from hbomkb.inputs.instrument import write_survey_lss
from hbomkb.problems import InputError

PASSWORD_ENV = "HBOMKB_LIMESURVEY_PASSWORD"
USER_ENV = "HBOMKB_LIMESURVEY_USER"
API_PATH = "index.php/admin/remotecontrol"
DEFAULT_TIMEOUT = (15.0, 300.0)  # seconds: to connect, and to wait for an answer
PREVIOUS_DIR = ".previous"

# LimeSurvey's status messages (RemoteControl 2, as LimeSurvey 6.14 sends them).
LOGIN_REFUSED = "Invalid user name or password"
NO_PERMISSION = "No permission"
INVALID_SURVEY = "Error: Invalid survey ID"
NOT_ACTIVE = "No Data, survey table does not exist."
NO_RESPONSES = "No Data, could not get max id."
INVALID_SESSION = "Invalid session key"
LANGUAGE_REFUSED = "Language code not found for this survey."


class ServerError(Exception):
    """The LimeSurvey server could not be used; the message (one line) says why and what to do.
    Nothing was written when it is raised."""


class TimeoutSession(requests.Session):
    """A ``requests`` session with a default timeout on every request (citric sets none).

    ``timeout`` is seconds, or ``(connect, read)`` as in ``requests``.
    """

    def __init__(self, timeout: float | tuple[float, float] = DEFAULT_TIMEOUT):
        super().__init__()
        self.timeout = timeout

    def request(self, method, url, **kwargs):  # noqa: D102 - requests' own signature
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().request(method, url, **kwargs)


@dataclass
class PullResult:
    """What :func:`pull` did. ``rewrote_raw_input`` is true when ``path`` got new content."""

    site: str
    survey_id: int
    path: Path
    size: int
    language: str
    responses: int | None = None
    complete: int | None = None
    previous: Path | None = None
    unchanged: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def rewrote_raw_input(self) -> bool:
        return not self.unchanged

    def lines(self, root: Path | None = None) -> list[str]:
        """What the command prints: one line per fact, paths relative to ``root``."""
        rel = _relative(self.path, root)
        counts = ""
        if self.responses is not None:
            counts = f": {self.responses} responses"
            if self.complete is not None:
                counts += (f" ({self.complete} complete, "
                           f"{self.responses - self.complete} incomplete)")
        if self.unchanged:
            out = [f"{rel} is already the current export of survey {self.survey_id} at "
                   f"{self.site}{counts}; nothing was rewritten"]
        else:
            out = [f"{rel} written from survey {self.survey_id} at {self.site}{counts}",
                   "this rewrote raw input of the study: process it again to use the new "
                   "responses"]
            if self.previous is not None:
                out.append(f"the previous export is kept as {_relative(self.previous, root)} "
                           "(a hidden folder that raw-input hashing ignores)")
        return out + self.notes


@dataclass
class PushResult:
    """What :func:`push` did: the new survey, its public link, whether it is active."""

    site: str
    survey_id: int
    link: str
    activated: bool
    size: int
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        state = "active" if self.activated else "not active yet (activate it to collect responses)"
        return [f"survey imported at {self.site} as survey {self.survey_id}, {state}",
                f"public link: {self.link}",
                f"pull its responses with: hbomkb survey pull --survey {self.survey_id} "
                f"--url {self.site}"] + self.notes


# ---------------------------------------------------------------------------------------------
# Addresses and the password
# ---------------------------------------------------------------------------------------------

def site_root(url: str) -> str:
    """The LimeSurvey site root ``scheme://host[/path]/`` of ``url``, which may also be the API
    address or a public survey link. Raises ServerError for what is not an http(s) address."""
    text = (url or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ServerError(f"'{text}' is not a LimeSurvey site address; give it as "
                          "https://host/ (the address before /index.php)")
    if parts.username or parts.password:
        raise ServerError("give the site address without a user name or password in it; "
                          f"use --user and {PASSWORD_ENV}")
    path = re.sub(r"/index\.php(/.*)?$", "", parts.path.rstrip("/"))
    return f"{parts.scheme}://{parts.netloc}{path}/"


def api_url(site: str) -> str:
    """The RemoteControl endpoint of a site root."""
    return site_root(site) + API_PATH


def survey_link(site: str, survey_id: int) -> str:
    """The public link of a survey."""
    return f"{site_root(site)}index.php/{int(survey_id)}"


def default_user() -> str:
    """The LimeSurvey user name when none is given: ``HBOMKB_LIMESURVEY_USER``, else the
    name the researcher is logged in with on this computer."""
    user = os.environ.get(USER_ENV)
    if not user:
        with suppress(OSError, KeyError):
            user = getpass.getuser()
    if not user:
        raise ServerError(f"no LimeSurvey user name: give --user NAME or set {USER_ENV}")
    return user


def password_from_env_or_terminal(prompt_fn: Callable[[str], str] = getpass.getpass,
                                  stdin_isatty: bool | None = None,
                                  prompt: str = "LimeSurvey password: ") -> str:
    """The LimeSurvey password: ``HBOMKB_LIMESURVEY_PASSWORD``, else asked on the terminal
    (not echoed). Without either, ServerError says how to give it. Never a command-line flag:
    flags end up in shell histories and process lists."""
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if stdin_isatty is None:
        stdin_isatty = sys.stdin is not None and sys.stdin.isatty()
    if not stdin_isatty:
        raise ServerError(f"no LimeSurvey password: set {PASSWORD_ENV}, or run the command in "
                          "a terminal to be asked for it")
    password = prompt_fn(prompt)
    if not password:
        raise ServerError("no LimeSurvey password given; nothing was done")
    return password


# ---------------------------------------------------------------------------------------------
# Pull
# ---------------------------------------------------------------------------------------------

def pull(study: Study, url: str, survey_id: int, user: str, password: str, *,
         session: requests.Session | None = None, now: datetime | None = None,
         language: str | None = None) -> PullResult:
    """Fetch all responses of survey ``survey_id`` and make them the study's responses file.

    The export is asked in the language of the study's ``survey.lss`` (``language`` overrides
    it); when LimeSurvey does not know that language for the survey, once more in the survey's
    own base language. The file gets exactly the bytes LimeSurvey exported. An existing file
    with other content is first copied to ``survey/.previous/responses-<now>.csv``. Raises
    ServerError (nothing written) when the server or the export cannot be used.
    """
    site = site_root(url)
    sid = _survey_id(survey_id)
    lang = language or _study_language(study)
    try:
        with _logged_in(site, user, password, session) as client:
            data, lang = _export(client, site, user, sid, lang)
        parsed = _parse_export(data, site, sid)
    except ServerError as exc:
        raise _scrubbed(exc, password) from None

    target = study.survey_responses_path
    result = PullResult(site=site, survey_id=sid, path=target, size=len(data), language=lang,
                        responses=parsed[0], complete=parsed[1])
    if site.startswith("http://") and not _local(site):
        result.notes.append("note: the connection was not encrypted (http://); use https:// "
                            "where the server offers it")
    if target.is_file() and target.read_bytes() == data:
        result.unchanged = True
        return result
    if target.is_file():
        result.previous = _keep_previous(target, now or datetime.now())
    write_bytes_atomic(target, data)
    return result


def _survey_id(value) -> int:
    try:
        sid = int(str(value).strip())
    except ValueError:
        sid = 0
    if sid <= 0:
        raise ServerError(f"'{value}' is not a survey id; expected the number in the survey's "
                          "link, as in SITE/index.php/123456")
    return sid


def _study_language(study: Study) -> str:
    """The base language of the study's survey structure, else the study's language."""
    path = study.survey_structure_path
    if path.is_file():
        with suppress(InputError):
            return ls.read_lss(path).language
    return study.language


def _export(client: citric.Client, site: str, user: str, sid: int, language: str
            ) -> tuple[bytes, str]:
    """The CSV export of every response (question codes, answer codes) and its language."""
    try:
        return client.export_responses(sid, file_format="csv", language=language,
                                       completion_status="all", heading_type="code",
                                       response_type="short"), language
    except LimeSurveyStatusError as exc:
        status = str(exc)
        if status == LANGUAGE_REFUSED:
            base = str(_properties(client, site, user, sid).get("language") or "")
            if base and base != language:
                return _export(client, site, user, sid, base)
        if status == NO_PERMISSION:
            # LimeSurvey checks permission before existence: ask which of the two it is.
            _properties(client, site, user, sid)
            raise ServerError(f"user '{user}' may not export the responses of survey {sid} at "
                              f"{site}: ask the survey's owner for the permission "
                              "'Responses: export'") from None
        raise ServerError(_export_refusal(status, site, sid)) from None


def _properties(client: citric.Client, site: str, user: str, sid: int) -> dict:
    try:
        return client.get_survey_properties(sid) or {}
    except LimeSurveyStatusError as exc:
        if str(exc) == INVALID_SURVEY:
            raise ServerError(f"survey {sid} does not exist at {site}: check the survey id "
                              "(the number in the survey's link, "
                              f"{site}index.php/{sid})") from None
        if str(exc) == NO_PERMISSION:
            raise ServerError(f"user '{user}' may not see survey {sid} at {site}: check the "
                              "survey id, or ask the survey's owner for access") from None
        raise ServerError(_status(exc, site)) from None


def _export_refusal(status: str, site: str, sid: int) -> str:
    if status == NOT_ACTIVE:
        return (f"survey {sid} at {site} is not active, so it has no responses: activate it in "
                "LimeSurvey (or push it with --activate), then pull again; nothing was written")
    if status == NO_RESPONSES:
        return (f"survey {sid} at {site} has no responses yet (LimeSurvey: \"{NO_RESPONSES}\"); "
                "nothing was written")
    if status == LANGUAGE_REFUSED:
        return (f"LimeSurvey at {site} refused the export of survey {sid}: \"{status}\" "
                "(the survey has no language the export could use)")
    return _status_text(status, site, f"refused the export of survey {sid}")


def _parse_export(data: bytes, site: str, sid: int) -> tuple[int | None, int | None]:
    """(responses, complete) of an export; ServerError when it is not a response CSV."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = ""
    first = text.split("\n", 1)[0]
    sep = max(";,\t|", key=first.count) if first else ";"
    rows = (r for r in csv.reader(io.StringIO(text, newline=""), delimiter=sep) if r)
    try:
        header = next(rows, None)
    except csv.Error:
        header = None
    if not header or header[0] != "id":
        raise ServerError(f"the export of survey {sid} from {site} is not a response CSV "
                          f"(it starts {data[:40]!r}); nothing was written")
    at = header.index("submitdate") if "submitdate" in header else None
    responses = complete = 0
    try:
        for r in rows:
            responses += 1
            complete += at is not None and len(r) > at and bool(r[at].strip())
    except csv.Error:  # counting is a courtesy; the reader reports what is wrong
        return None, None
    return responses, (complete if at is not None else None)


def _keep_previous(target: Path, now: datetime) -> Path:
    """Copy ``target`` to ``<its folder>/.previous/<stem>-<now><suffix>``, keeping its mtime."""
    folder = target.parent / PREVIOUS_DIR
    stamp = now.strftime("%Y%m%d-%H%M%S")
    keep = folder / f"{target.stem}-{stamp}{target.suffix}"
    k = 1
    while keep.exists():
        k += 1
        keep = folder / f"{target.stem}-{stamp}-{k}{target.suffix}"
    write_bytes_atomic(keep, target.read_bytes())
    stat = target.stat()
    os.utime(keep, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return keep


# ---------------------------------------------------------------------------------------------
# Push
# ---------------------------------------------------------------------------------------------

def push(study: Study, url: str, user: str, password: str, *, activate: bool = False,
         session: requests.Session | None = None,
         languages: tuple[str, ...] | None = None) -> PushResult:
    """Import the survey the study builds now (its ``.lss``) as a new survey; with
    ``activate``, activate it. ``languages`` default to those of the study's ``survey.lss``
    (Dutch when it has none). Raises InputError when the codebook has errors and ServerError
    when the server refuses; nothing is written to the study either way."""
    site = site_root(url)
    langs = languages or _study_languages(study)
    lss = built_lss(study, langs)
    notes = []
    current = study.survey_structure_path
    if current.is_file() and current.read_bytes() != lss:
        notes.append(f"note: {_relative(current, study.root)} differs from the survey just "
                     "pushed, and responses are read with it: write it again with "
                     f"hbomkb survey lss --study {study.root} --out {current}")
    try:
        with _logged_in(site, user, password, session) as client:
            sid = _import(client, site, user, lss)
            if activate:
                _activate(client, site, sid)
    except ServerError as exc:
        raise _scrubbed(exc, password) from None
    return PushResult(site=site, survey_id=sid, link=survey_link(site, sid), activated=activate,
                      size=len(lss), notes=notes)


def _study_languages(study: Study) -> tuple[str, ...]:
    path = study.survey_structure_path
    if path.is_file():
        with suppress(InputError):
            return ls.read_lss(path).languages
    return ("nl",)


def built_lss(study: Study, languages: tuple[str, ...] = ("nl",)) -> bytes:
    """The bytes of the ``.lss`` the study builds now (as ``hbomkb survey lss`` writes it).
    Raises InputError when the codebook has errors."""
    built = build(study)
    problems = [p for p in built.problems if p.is_error and p.file == "codebook.xlsx"]
    if problems:
        raise InputError(problems)
    with tempfile.TemporaryDirectory(prefix="hbomkb-push-") as tmp:
        path = write_survey_lss(study, built.tables["codebook_clusters"],
                                Path(tmp) / "survey.lss", languages=tuple(languages))
        return path.read_bytes()


def _import(client: citric.Client, site: str, user: str, lss: bytes) -> int:
    try:
        sid = client.import_survey(io.BytesIO(lss), "lss")
    except LimeSurveyStatusError as exc:
        if str(exc) == NO_PERMISSION:
            raise ServerError(f"user '{user}' may not create surveys at {site}: ask an "
                              "administrator for the permission 'Surveys: create'") from None
        raise ServerError(_status(exc, site, "refused the survey")) from None
    try:
        return int(sid)
    except (TypeError, ValueError):
        raise ServerError(f"LimeSurvey at {site} answered the import with {sid!r} instead of "
                          "a survey id") from None


def _activate(client: citric.Client, site: str, sid: int) -> None:
    try:
        client.activate_survey(sid)
    except LimeSurveyStatusError as exc:
        raise ServerError(_status(exc, site, f"imported survey {sid} but did not activate "
                                             f"it ({survey_link(site, sid)})")) from None


# ---------------------------------------------------------------------------------------------
# One RemoteControl session, and what can go wrong with it
# ---------------------------------------------------------------------------------------------

_DEAD_CONNECTION = (requests.RequestException, RPCInterfaceNotEnabledError,
                    InvalidJSONResponseError, ResponseMismatchError)


@contextmanager
def _logged_in(site: str, user: str, password: str,
               session: requests.Session | None) -> Iterator[citric.Client]:
    """A citric client logged in as ``user``; the session key is released afterwards unless
    the connection itself failed (a release would only wait for the same timeout again)."""
    http = session if session is not None else TimeoutSession()
    try:
        try:
            client = citric.Client(api_url(site), user, password, requests_session=http)
        except LimeSurveyStatusError as exc:
            raise ServerError(f"LimeSurvey at {site} refused the login of user '{user}': "
                              f"{_login_reason(str(exc))}") from None
        alive = True
        try:
            yield client
        except _DEAD_CONNECTION:
            alive = False
            raise
        finally:
            if alive:
                with suppress(Exception):
                    client.session.release_session_key()
    except _DEAD_CONNECTION as exc:
        raise ServerError(_connection_message(exc, site, http)) from None
    except LimeSurveyError as exc:
        raise ServerError(_status(exc, site)) from None
    finally:
        if session is None:
            http.close()


def _login_reason(status: str) -> str:
    if status == LOGIN_REFUSED:
        return ("wrong user name or password (after 3 failed logins LimeSurvey locks this "
                "computer out for 10 minutes)")
    return status


def _status(exc: Exception, site: str, what: str = "refused the request") -> str:
    text = str(exc)
    if isinstance(exc, LimeSurveyApiError):
        return f"LimeSurvey at {site} failed: {text}"
    return _status_text(text, site, what)


def _status_text(status: str, site: str, what: str) -> str:
    if status == INVALID_SESSION:
        return (f"LimeSurvey at {site} ended the session before the work was done "
                f"(\"{status}\"); run the command again; nothing was written")
    return f"LimeSurvey at {site} {what}: \"{status}\""


def _connection_message(exc: Exception, site: str, http: requests.Session) -> str:
    api = api_url(site)
    if isinstance(exc, requests.Timeout):
        timeout = getattr(http, "timeout", None)
        wait = timeout[-1] if isinstance(timeout, tuple) else timeout
        within = f" within {wait:g} seconds" if isinstance(wait, int | float) else " in time"
        if isinstance(exc, requests.ConnectTimeout) and isinstance(timeout, tuple):
            within = f" within {timeout[0]:g} seconds"
        return (f"{site} did not answer{within}; check the address, or try again later; "
                "nothing was written")
    if isinstance(exc, requests.exceptions.SSLError):
        return f"no secure connection to {site}: {_reason(exc)}"
    if isinstance(exc, requests.ConnectionError):
        return (f"cannot connect to {site}: {_reason(exc)}; check the address and that the "
                "server is running")
    if isinstance(exc, requests.HTTPError) and exc.response is not None:
        return (f"{api} answered HTTP {exc.response.status_code} {exc.response.reason}: check "
                f"that {site} is the LimeSurvey site (the address before /index.php) and that "
                "its JSON-RPC interface is on (Configuration > Global settings > Interfaces)")
    if isinstance(exc, RPCInterfaceNotEnabledError | InvalidJSONResponseError):
        return (f"{api} did not answer as LimeSurvey's RemoteControl API: check the address, "
                "and that JSON-RPC is on (Configuration > Global settings > Interfaces)")
    if isinstance(exc, ResponseMismatchError):
        return f"{api} answered with another request's id: is something between us and it?"
    return f"cannot use {api}: {exc}"


def _reason(exc: Exception) -> str:
    """The operating system's words for a failed connection, without requests' wrapping."""
    text = str(exc)
    m = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if m:
        return m.group(1).strip().rstrip(".").lower()
    m = re.search(r"\[SSL[^\]]*\] ([^'\")]+)", text)
    return m.group(1).strip() if m else "no connection"


def _scrubbed(exc: ServerError, password: str) -> ServerError:
    """The same error with the password blanked, should any server text have echoed it."""
    text = str(exc)
    if password and password in text:
        text = text.replace(password, "***")
    return ServerError(text)


def _local(site: str) -> bool:
    return (urlsplit(site).hostname or "") in ("localhost", "127.0.0.1", "::1")


def _relative(path: Path, root: Path | None) -> str:
    if root is not None:
        with suppress(ValueError):
            return path.relative_to(root).as_posix()
    return str(path)
