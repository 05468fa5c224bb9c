"""A moto S3 server on 127.0.0.1 that counts the requests it answers (shared by the lab
tests and ``bench/bench_lab.py``)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class CountingS3Server:
    """moto's S3 app behind a WSGI middleware that records each request as
    ``(method, path?query)``: what a command costs, counted at the server."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.endpoint = ""
        #: (method, path) -> True: let moto apply the request, then answer 500 (an answer lost
        #: after the store acted on it)
        self.fail_after: Callable[[str, str], bool] | None = None

    def _counting(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            query = environ.get("QUERY_STRING", "")
            request = (environ["REQUEST_METHOD"], environ["PATH_INFO"] + (f"?{query}" if query else ""))
            with self._lock:
                self.requests.append(request)
            if self.fail_after is not None and self.fail_after(*request):
                b"".join(app(environ, lambda status, headers, exc_info=None: None))  # applied...
                body = b"<Error><Code>InternalError</Code><Message>lost answer</Message></Error>"
                start_response(
                    "500 Internal Server Error",
                    [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))],
                )
                return [body]  # ...and answered as failed
            return app(environ, start_response)

        return wrapped

    def start(self) -> str:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        from werkzeug.serving import WSGIRequestHandler, make_server

        class Quiet(WSGIRequestHandler):
            def log(self, type: str, message: str, *args: Any) -> None:
                pass

        port = free_port()
        app = DomainDispatcherApplication(create_backend_app)
        self._server = make_server(
            "127.0.0.1", port, self._counting(app), threaded=True, request_handler=Quiet
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.endpoint = f"http://127.0.0.1:{port}"
        return self.endpoint

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join()

    def halt(self) -> None:
        """Stop answering and close the port (from any thread but the server's own: call it
        from a new thread inside a request), without waiting for the thread."""
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()

    def taken(self) -> list[tuple[str, str]]:
        """The requests since the last :meth:`reset` (and clears them)."""
        with self._lock:
            got, self.requests = self.requests, []
        return got


def use_server(monkeypatch: Any, endpoint: str, keys: dict[str, str], cache: Any) -> None:
    """Point this process's AWS settings at ``endpoint`` with ``keys`` (nothing from the
    machine's own AWS settings leaks in) and the lab cache at ``cache``."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**keys, "AWS_ENDPOINT_URL": endpoint}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("JOURNAL_CACHE", str(cache))


def serving() -> Iterator[CountingS3Server]:
    """A started CountingS3Server, stopped when the generator closes (a fixture's body)."""
    s = CountingS3Server()
    s.start()
    yield s
    s.stop()
