"""A moto S3 server on 127.0.0.1 that counts the requests it answers (shared by the lab
tests and ``bench/bench_lab.py``)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterable
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

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()

    def taken(self) -> list[tuple[str, str]]:
        """The requests since the last :meth:`reset` (and clears them)."""
        with self._lock:
            got, self.requests = self.requests, []
        return got
