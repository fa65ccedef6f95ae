"""A LimeSurvey RemoteControl server that replays one recorded scenario (a test helper).

The recordings are in ``../shared/limesurvey/rpc/`` (its README explains them): one JSON line per
real exchange between citric 2.3.0 and LimeSurvey 6.14. :class:`Replay` serves one scenario on
127.0.0.1 (a free port), following the README's rules:

- a request is matched on ``method`` + ``params[1:]`` (the session key in ``params[0]`` varies),
  ``get_session_key`` on all its params (so a wrong password gets the recorded refusal),
  ``import_survey`` on its method only (its base64 payload is checked by the test instead);
- when the same key repeats, the answers are served in recorded order;
- the answer is the recorded response body with the incoming request's ``id``, sent with the
  recorded HTTP status and content type.

Every request is kept in :attr:`Replay.requests`; a request without a recorded answer gets
HTTP 500 and is kept in :attr:`Replay.unmatched`, so a test can say exactly what was sent.
:func:`silent_server` accepts connections and never answers (for timeouts);
:func:`closed_port` is a port nobody listens on (for a refused connection).
"""

from __future__ import annotations

import json
import socket
import threading
from collections import defaultdict, deque
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

API_PATH = "/index.php/admin/remotecontrol"
BY_METHOD_ONLY = {"import_survey"}


def request_key(request: dict) -> tuple[str, str]:
    """How a request is matched to a recorded one (see the module docstring)."""
    method, params = request.get("method", ""), list(request.get("params") or [])
    if method in BY_METHOD_ONLY:
        return method, ""
    if method != "get_session_key":
        params = params[1:]
    return method, json.dumps(params, sort_keys=True)


def load(path: Path) -> list[dict]:
    """The exchanges of one scenario file, in recorded order."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


class Replay:
    """Serve one recorded scenario on ``127.0.0.1``; use as a context manager.

    ``site`` is the LimeSurvey site root to give the code under test (``http://127.0.0.1:PORT/``).
    """

    def __init__(self, scenario: Path):
        self.exchanges = load(scenario)
        self._answers: dict[tuple[str, str], deque] = defaultdict(deque)
        for exchange in self.exchanges:
            self._answers[request_key(exchange["request"])].append(exchange)
        self.requests: list[dict] = []
        self.unmatched: list[dict] = []
        self.keys_issued: list[str] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- what was recorded ----------------------------------------------------------------

    def recorded(self) -> list[tuple[str, list]]:
        """The recorded requests as (method, params after the session key); get_session_key
        with all its params."""
        return [_sent(x["request"]) for x in self.exchanges]

    def sent(self) -> list[tuple[str, list]]:
        """What the code under test sent, in the same form as :meth:`recorded`."""
        return [_sent(r) for r in self.requests]

    def answer(self, request: dict) -> tuple[int, str, bytes]:
        with self._lock:
            self.requests.append(request)
            queue = self._answers.get(request_key(request))
            if not queue:
                self.unmatched.append(request)
                return 500, "text/plain", b"no recorded exchange for this request"
            exchange = queue.popleft()
        response = dict(exchange["response"], id=request.get("id"))
        if request.get("method") == "get_session_key" and isinstance(response["result"], str):
            self.keys_issued.append(response["result"])
        body = json.dumps(response).encode("utf-8")
        return exchange["status"], exchange["content_type"], body

    # -- serving --------------------------------------------------------------------------

    @property
    def site(self) -> str:
        assert self._server is not None, "start the replay first (with Replay(...) as r)"
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def __enter__(self) -> Replay:
        replay = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path != API_PATH:
                    self._send(404, "text/plain", b"not found")
                    return
                try:
                    request = json.loads(body)
                except ValueError:
                    self._send(400, "text/plain", b"not JSON")
                    return
                self._send(*replay.answer(request))

            def _send(self, status: int, content_type: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _sent(request: dict) -> tuple[str, list]:
    method, params = request.get("method", ""), list(request.get("params") or [])
    return method, params if method == "get_session_key" else params[1:]


@contextmanager
def silent_server():
    """A site on 127.0.0.1 that accepts connections and never answers; yields its root."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)  # the kernel completes the handshake; nobody ever reads or answers
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    finally:
        sock.close()


def closed_port() -> str:
    """The root of a site on 127.0.0.1 where nobody listens (a connection is refused)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/"
