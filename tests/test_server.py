"""`survey pull` / `survey push` against recorded LimeSurvey 6.14 server behaviour.

Each test serves one scenario recorded from a real LimeSurvey 6.14 server with citric 2.3.0
(``../shared/limesurvey/rpc/``) on 127.0.0.1 through :mod:`rpc_replay`, and checks what
pull/push send (the request sequence, in recorded order) and what they write.
"""

from __future__ import annotations

import argparse
import base64
import io
import json
import logging
import shutil
import time
import traceback
from datetime import datetime
from pathlib import Path

import pytest
import requests
from conftest import SHARED, require_shared
from rpc_replay import BY_METHOD_ONLY, Replay, closed_port, load, silent_server

from hbomkb import cli, config
from hbomkb.config import load_study
from hbomkb.files import combined_hash, file_hashes, raw_files
from hbomkb.inputs import server
from hbomkb.inputs.build import build
from hbomkb.inputs.instrument import write_survey_lss

PASSWORD = "correct horse"  # what the recordings were sanitised to
USER = "researcher"
DEMO_SID = 206848
NOW = datetime(2026, 12, 2, 9, 30, 0)
LOGIN = ("get_session_key", [USER, PASSWORD, "Authdb"])


def _export(sid: int, language: str = "nl") -> tuple[str, list]:
    return ("export_responses", [sid, "csv", language, "all", "code", "short",
                                 None, None, None, None])


@pytest.fixture
def rpc() -> Path:
    return require_shared(SHARED / "limesurvey" / "rpc" / "README.md").parent


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    """requests would send 127.0.0.1 through a proxy set in the environment."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def study(tmp_path):
    """A private copy of the demo study (its survey id is 206848, as in the recordings)."""
    root = tmp_path / "demo"
    shutil.copytree(config.RAW_DIR / "demo", root)
    return load_study(root)


def _is_subsequence(sent: list, recorded: list) -> bool:
    """Whether ``sent`` is ``recorded`` with some requests left out; an ``import_survey`` is
    compared by its method only (its payload is the .lss built now, checked by the test)."""
    def same(a, b):
        return a[0] == b[0] and (a[0] in BY_METHOD_ONLY or a == b)
    it = iter(recorded)
    return all(any(same(item, r) for r in it) for item in sent)


def _check_sent(replay: Replay, expected: list) -> None:
    """The code under test sent exactly ``expected``, each a recorded request, in recorded
    order, every one after the login with the session key LimeSurvey issued."""
    assert replay.unmatched == []
    assert replay.sent() == expected
    assert _is_subsequence(replay.sent(), replay.recorded())
    for request in replay.requests[1:]:
        assert request["params"][0] == replay.keys_issued[0]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------------------------
# pull
# ---------------------------------------------------------------------------------------------

def test_pull_writes_the_export_byte_for_byte_and_keeps_the_previous_one(rpc, study):
    target = study.survey_responses_path
    old = target.read_bytes()
    old_mtime = target.stat().st_mtime_ns
    with Replay(rpc / "pull_ok.jsonl") as replay:
        result = server.pull(study, replay.site, DEMO_SID, USER, PASSWORD, now=NOW)
    _check_sent(replay, [LOGIN, _export(DEMO_SID), ("release_session_key", [])])

    assert target.read_bytes() == (rpc / "pull_ok.export_all.csv").read_bytes()
    kept = target.parent / ".previous" / "responses-20261202-093000.csv"
    assert result.previous == kept
    assert kept.read_bytes() == old
    assert kept.stat().st_mtime_ns == old_mtime
    assert result.rewrote_raw_input and not result.unchanged
    assert (result.responses, result.complete) == (30, 20)
    assert result.size == len(target.read_bytes())
    text = "\n".join(result.lines(study.root))
    assert "rewrote raw input" in text
    assert "survey/.previous/responses-20261202-093000.csv" in text
    assert "30 responses (20 complete, 10 incomplete)" in text


def test_the_kept_copy_is_not_raw_input(rpc, study, tmp_path):
    """Raw-input hashing sees the pulled file and nothing of the kept copy."""
    with Replay(rpc / "pull_ok.jsonl") as replay:
        server.pull(study, replay.site, DEMO_SID, USER, PASSWORD, now=NOW)
    assert (study.survey_dir / ".previous").is_dir()
    assert not any(".previous" in p.parts for p in raw_files(study.root))
    by_hand = tmp_path / "by_hand"
    shutil.copytree(config.RAW_DIR / "demo", by_hand)
    shutil.copy(rpc / "pull_ok.export_all.csv", by_hand / "survey" / "responses.csv")
    assert combined_hash(file_hashes(study.root)) == combined_hash(file_hashes(by_hand))


def test_pulling_the_same_export_again_rewrites_nothing(rpc, study):
    with Replay(rpc / "pull_ok.jsonl") as replay:
        server.pull(study, replay.site, DEMO_SID, USER, PASSWORD, now=NOW)
    before = _snapshot(study.root)
    with Replay(rpc / "pull_ok.jsonl") as replay:
        again = server.pull(study, replay.site, DEMO_SID, USER, PASSWORD,
                            now=datetime(2026, 12, 3))
    assert again.unchanged and not again.rewrote_raw_input and again.previous is None
    assert _snapshot(study.root) == before
    assert "nothing was rewritten" in again.lines(study.root)[0]


def test_first_pull_into_a_study_without_responses(rpc, study):
    study.survey_responses_path.unlink()
    with Replay(rpc / "pull_ok.jsonl") as replay:
        result = server.pull(study, replay.site, DEMO_SID, USER, PASSWORD, now=NOW)
    assert result.previous is None and result.rewrote_raw_input
    assert study.survey_responses_path.read_bytes() == \
        (rpc / "pull_ok.export_all.csv").read_bytes()
    assert not (study.survey_dir / ".previous").exists()


def test_pull_without_a_survey_lss_asks_in_the_study_language(rpc, study):
    study.survey_structure_path.unlink()
    with Replay(rpc / "pull_ok.jsonl") as replay:
        result = server.pull(study, replay.site, DEMO_SID, USER, PASSWORD, now=NOW)
    assert replay.sent()[1] == _export(DEMO_SID, "nl") and result.language == "nl"


def test_pull_falls_back_to_the_survey_language(rpc, study, tmp_path):
    """Asked in a language the survey lacks, LimeSurvey answers "Language code not found for
    this survey." (LimeSurvey 6's remotecontrol_handle; this one answer is constructed, not
    recorded); pull then asks get_survey_properties for the survey's language and exports
    again. Every other exchange is the recorded pull_ok one."""
    login, props, _, export_nl, _, _, release = load(rpc / "pull_ok.jsonl")
    assert [x["request"]["method"] for x in (login, props, export_nl, release)] == \
        ["get_session_key", "get_survey_properties", "export_responses", "release_session_key"]
    assert export_nl["request"]["params"][2:5] == ["csv", "nl", "all"]
    refused = json.loads(json.dumps(export_nl))
    refused["request"]["params"][3] = "en"
    refused["response"]["result"] = {"status": server.LANGUAGE_REFUSED}
    scenario = tmp_path / "language.jsonl"
    scenario.write_text("".join(json.dumps(x) + "\n"
                                for x in (login, refused, props, export_nl, release)))
    with Replay(scenario) as replay:
        result = server.pull(study, replay.site, DEMO_SID, USER, PASSWORD, now=NOW,
                             language="en")
    assert replay.unmatched == []
    assert [m for m, _ in replay.sent()] == ["get_session_key", "export_responses",
                                             "get_survey_properties", "export_responses",
                                             "release_session_key"]
    assert result.language == "nl"
    assert study.survey_responses_path.read_bytes() == \
        (rpc / "pull_ok.export_all.csv").read_bytes()


ERRORS = [
    # scenario, survey id, password, words of the message, what pull sends after the login
    ("bad_password", DEMO_SID, "wrong password", "wrong user name or password", []),
    ("unknown_survey", 999999, PASSWORD, "survey 999999 does not exist",
     [_export(999999), ("get_survey_properties", [999999, None]),
      ("release_session_key", [])]),
    ("inactive_survey", 152945, PASSWORD, "survey 152945 at {site} is not active",
     [_export(152945), ("release_session_key", [])]),
    ("no_responses", 433957, PASSWORD, "survey 433957 at {site} has no responses yet",
     [_export(433957), ("release_session_key", [])]),
    ("expired_session_citric", DEMO_SID, PASSWORD, "ended the session",
     [_export(DEMO_SID), ("release_session_key", [])]),
]


@pytest.mark.parametrize(("scenario", "sid", "password", "words", "after_login"), ERRORS,
                         ids=[e[0] for e in ERRORS])
def test_pull_errors_say_what_happened_and_write_nothing(rpc, study, scenario, sid, password,
                                                         words, after_login):
    before = _snapshot(study.root)
    with Replay(rpc / f"{scenario}.jsonl") as replay:
        with pytest.raises(server.ServerError) as info:
            server.pull(study, replay.site, sid, USER, password, now=NOW)
    message = str(info.value)
    assert words.format(site=replay.site) in message
    assert "\n" not in message
    _check_sent(replay, [("get_session_key", [USER, password, "Authdb"]), *after_login])
    assert _snapshot(study.root) == before


def test_a_refused_connection_is_one_line_and_writes_nothing(study):
    before = _snapshot(study.root)
    site = closed_port()
    with pytest.raises(server.ServerError) as info:
        server.pull(study, site, DEMO_SID, USER, PASSWORD)
    assert str(info.value) == (f"cannot connect to {site}: connection refused; check the "
                               "address and that the server is running")
    assert _snapshot(study.root) == before


def test_a_server_that_never_answers_times_out(study):
    before = _snapshot(study.root)
    with silent_server() as site:
        start = time.monotonic()
        with pytest.raises(server.ServerError) as info:
            server.pull(study, site, DEMO_SID, USER, PASSWORD,
                        session=server.TimeoutSession(timeout=0.5))
        took = time.monotonic() - start
    assert str(info.value).startswith(f"{site} did not answer within 0.5 seconds")
    assert took < 5  # one wait for the login; no second wait to release a session
    assert _snapshot(study.root) == before


def test_an_address_that_is_not_the_api_says_so(rpc, study):
    """A site root with a wrong path gets HTTP 404 from the server."""
    with Replay(rpc / "pull_ok.jsonl") as replay:
        with pytest.raises(server.ServerError) as info:
            server.pull(study, replay.site + "survey/", DEMO_SID, USER, PASSWORD)
    assert "answered HTTP 404" in str(info.value)
    assert "JSON-RPC interface is on" in str(info.value)


@pytest.mark.parametrize("sid", ["abc", "0", "-5", ""])
def test_a_survey_id_that_is_not_one_is_refused_before_connecting(study, sid):
    with pytest.raises(server.ServerError, match="is not a survey id"):
        server.pull(study, closed_port(), sid, USER, PASSWORD)


# ---------------------------------------------------------------------------------------------
# push
# ---------------------------------------------------------------------------------------------

def _built_now(study, tmp_path) -> bytes:
    """The .lss the study builds now, made here the way `hbomkb survey lss` makes it."""
    clusters = build(study).tables["codebook_clusters"]
    return write_survey_lss(study, clusters, tmp_path / "now.lss").read_bytes()


@pytest.mark.parametrize("activate", [False, True])
def test_push_imports_the_survey_the_study_builds_now(rpc, study, tmp_path, activate):
    before = _snapshot(study.root)
    with Replay(rpc / "push_ok.jsonl") as replay:
        result = server.push(study, replay.site, USER, PASSWORD, activate=activate)
    imported = [r for r in replay.requests if r["method"] == "import_survey"]
    assert len(imported) == 1
    payload = imported[0]["params"]
    assert payload[2:] == ["lss", None, None]
    assert base64.b64decode(payload[1]) == _built_now(study, tmp_path)
    expected = [LOGIN, ("import_survey", payload[1:])]
    if activate:
        expected.append(("activate_survey", [463493, None]))
    _check_sent(replay, [*expected, ("release_session_key", [])])
    assert (result.survey_id, result.activated) == (463493, activate)
    assert result.link == f"{replay.site}index.php/463493"
    text = "\n".join(result.lines())
    assert f"public link: {replay.site}index.php/463493" in text
    assert ("active" if activate else "not active yet") in text
    assert _snapshot(study.root) == before


def test_push_says_when_the_study_survey_lss_is_stale(rpc, study):
    lss = study.survey_structure_path
    lss.write_bytes(lss.read_bytes().replace(b"Over u", b"Over jou"))
    with Replay(rpc / "push_ok.jsonl") as replay:
        result = server.push(study, replay.site, USER, PASSWORD)
    assert any("survey/survey.lss differs from the survey just pushed" in n
               for n in result.notes)


def test_push_with_a_wrong_password(rpc, study):
    with Replay(rpc / "bad_password.jsonl") as replay:
        with pytest.raises(server.ServerError, match="wrong user name or password"):
            server.push(study, replay.site, USER, "wrong password")


# ---------------------------------------------------------------------------------------------
# The password
# ---------------------------------------------------------------------------------------------

def test_password_from_the_environment(monkeypatch):
    monkeypatch.setenv(server.PASSWORD_ENV, "s3cret")
    asked = []
    assert server.password_from_env_or_terminal(asked.append, stdin_isatty=True) == "s3cret"
    assert asked == []


def test_password_from_a_prompt_on_a_terminal(monkeypatch):
    monkeypatch.delenv(server.PASSWORD_ENV, raising=False)
    prompts = []

    def prompt(text):
        prompts.append(text)
        return "typed"

    assert server.password_from_env_or_terminal(prompt, stdin_isatty=True) == "typed"
    assert prompts == ["LimeSurvey password: "]


def test_no_password_without_a_terminal_is_one_line(monkeypatch):
    monkeypatch.delenv(server.PASSWORD_ENV, raising=False)
    with pytest.raises(server.ServerError) as info:
        server.password_from_env_or_terminal(lambda _: "never asked", stdin_isatty=False)
    assert str(info.value) == ("no LimeSurvey password: set HBOMKB_LIMESURVEY_PASSWORD, or "
                               "run the command in a terminal to be asked for it")
    with pytest.raises(server.ServerError, match="no LimeSurvey password given"):
        server.password_from_env_or_terminal(lambda _: "", stdin_isatty=True)


def test_the_password_appears_in_no_message_file_or_log(rpc, study, caplog):
    """Every scenario, pull and push: the password is in no exception text (traceback
    included), no result line, no file of the study and no log record."""
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    runs = [(s, sid, pw) for s, sid, pw, _, _ in ERRORS] + [("pull_ok", DEMO_SID, PASSWORD)]
    for scenario, sid, password in runs:
        with Replay(rpc / f"{scenario}.jsonl") as replay:
            try:
                result = server.pull(study, replay.site, sid, USER, password, now=NOW)
                seen += [*result.lines(study.root), repr(result)]
            except server.ServerError as exc:
                seen += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    with Replay(rpc / "push_ok.jsonl") as replay:
        result = server.push(study, replay.site, USER, PASSWORD, activate=True)
        seen += [*result.lines(), repr(result)]
    for password in (PASSWORD, "wrong password"):
        assert not [s for s in seen if password in s]
        assert password not in caplog.text
        for path in study.root.rglob("*"):
            assert not path.is_file() or password.encode() not in path.read_bytes(), path


def test_a_password_echoed_by_a_server_is_blanked():
    exc = server._scrubbed(server.ServerError('refused: "hunter2 is wrong"'), "hunter2")
    assert str(exc) == 'refused: "*** is wrong"'


# ---------------------------------------------------------------------------------------------
# Addresses
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "site"), [
    ("https://enquete.example.nl", "https://enquete.example.nl/"),
    ("https://enquete.example.nl/", "https://enquete.example.nl/"),
    (" https://host/limesurvey/ ", "https://host/limesurvey/"),
    ("https://host/index.php/admin/remotecontrol", "https://host/"),
    ("https://host/ls/index.php/206848", "https://host/ls/"),
    ("http://127.0.0.1:8090/index.php", "http://127.0.0.1:8090/"),
])
def test_site_root(url, site):
    assert server.site_root(url) == site
    assert server.api_url(url) == site + "index.php/admin/remotecontrol"
    assert server.survey_link(url, 206848) == site + "index.php/206848"


@pytest.mark.parametrize("url", ["enquete.example.nl", "ftp://host/", "", "https://"])
def test_an_address_that_is_not_a_site(url):
    with pytest.raises(server.ServerError, match="is not a LimeSurvey site address"):
        server.site_root(url)


def test_an_address_with_credentials_is_refused():
    with pytest.raises(server.ServerError, match="without a user name or password"):
        server.site_root("https://researcher:pw@host/")


def test_the_default_session_sets_a_timeout_on_every_request(monkeypatch):
    seen = {}

    def send(self, method, url, **kwargs):
        seen.update(kwargs)

    monkeypatch.setattr(requests.Session, "request", send)
    server.TimeoutSession().post("http://127.0.0.1:9/", data="{}")
    assert seen["timeout"] == server.DEFAULT_TIMEOUT
    server.TimeoutSession(timeout=3).post("http://127.0.0.1:9/", data="{}", timeout=7)
    assert seen["timeout"] == 7


# ---------------------------------------------------------------------------------------------
# hbomkb survey pull / push on the command line
# ---------------------------------------------------------------------------------------------

def test_the_pull_command_writes_the_export_and_says_it_rewrote_raw_input(rpc, study,
                                                                          monkeypatch, capsys):
    monkeypatch.setenv(server.PASSWORD_ENV, PASSWORD)
    with Replay(rpc / "pull_ok.jsonl") as replay:
        code = cli.main(["survey", "pull", "--study", str(study.root), "--url", replay.site,
                         "--survey", str(DEMO_SID), "--user", USER])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    _check_sent(replay, [LOGIN, _export(DEMO_SID), ("release_session_key", [])])
    assert study.survey_responses_path.read_bytes() == \
        (rpc / "pull_ok.export_all.csv").read_bytes()
    lines = out.splitlines()
    assert lines[0].startswith(f"survey/responses.csv written from survey {DEMO_SID} at "
                               f"{replay.site}: ")
    assert lines[1] == ("this rewrote raw input of the study: process it again to use the new "
                        "responses")
    assert lines[2].startswith("the previous export is kept as survey/.previous/responses-")
    assert PASSWORD not in out


def test_the_pull_command_with_a_wrong_password_is_one_line_and_exit_2(rpc, study,
                                                                      monkeypatch, capsys):
    monkeypatch.setenv(server.PASSWORD_ENV, "wrong password")
    before = _snapshot(study.root)
    with Replay(rpc / "bad_password.jsonl") as replay:
        code = cli.main(["survey", "pull", "--study", str(study.root), "--url", replay.site,
                         "--survey", str(DEMO_SID), "--user", USER])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err == (f"hbomkb survey pull: LimeSurvey at {replay.site} refused the login of user "
                   f"'{USER}': wrong user name or password (after 3 failed logins LimeSurvey "
                   "locks this computer out for 10 minutes)\n")
    assert _snapshot(study.root) == before


def test_the_pull_command_without_a_password_says_how_to_give_it(study, monkeypatch, capsys):
    monkeypatch.delenv(server.PASSWORD_ENV, raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))   # not a terminal: no prompt
    code = cli.main(["survey", "pull", "--study", str(study.root), "--url", closed_port(),
                     "--survey", str(DEMO_SID), "--user", USER])
    assert code == 2
    assert capsys.readouterr().err == (
        f"hbomkb survey pull: no LimeSurvey password: set {server.PASSWORD_ENV}, or run the "
        "command in a terminal to be asked for it\n")


def test_the_user_defaults_to_the_environment(rpc, study, monkeypatch, capsys):
    monkeypatch.setenv(server.PASSWORD_ENV, PASSWORD)
    monkeypatch.setenv(server.USER_ENV, USER)
    with Replay(rpc / "pull_ok.jsonl") as replay:
        assert cli.main(["survey", "pull", "--study", str(study.root), "--url", replay.site,
                         "--survey", str(DEMO_SID)]) == 0
    assert replay.sent()[0] == LOGIN


@pytest.mark.parametrize("activate", [False, True])
def test_the_push_command_prints_the_new_survey_and_its_link(rpc, study, monkeypatch, capsys,
                                                             activate):
    monkeypatch.setenv(server.PASSWORD_ENV, PASSWORD)
    before = _snapshot(study.root)
    with Replay(rpc / "push_ok.jsonl") as replay:
        code = cli.main(["survey", "push", "--study", str(study.root), "--url", replay.site,
                         "--user", USER, *(["--activate"] if activate else [])])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert [m for m, _ in replay.sent()] == ["get_session_key", "import_survey",
                                             *(["activate_survey"] if activate else []),
                                             "release_session_key"]
    state = "active" if activate else "not active yet (activate it to collect responses)"
    assert out.splitlines()[:2] == [
        f"survey imported at {replay.site} as survey 463493, {state}",
        f"public link: {replay.site}index.php/463493"]
    assert _snapshot(study.root) == before


def _subcommand(parser: argparse.ArgumentParser, *names: str) -> argparse.ArgumentParser:
    for name in names:
        subparsers = next(a for a in parser._actions
                          if isinstance(a, argparse._SubParsersAction))
        parser = subparsers.choices[name]
    return parser


@pytest.mark.parametrize("command,options", [
    ("pull", {"--study", "--url", "--user", "--survey"}),
    ("push", {"--study", "--url", "--user", "--activate"})])
def test_every_option_of_pull_and_push_has_help(command, options):
    p = _subcommand(cli.parser(), "survey", command)
    have = {o: a.help for a in p._actions for o in a.option_strings if o != "-h"}
    assert set(have) == options | {"--help"}
    assert all(have.values()), have
    assert "password" in have["--user"] and server.PASSWORD_ENV in have["--user"]
