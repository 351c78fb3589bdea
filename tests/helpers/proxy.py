"""A loopback HTTP proxy in front of a real server, with faults to order.

The sync tests put it between newsreader and FreshRSS: each request is passed on
unchanged, unless a fault is set for its path (a substring of it): an error
status, a garbage or cut-off body, a delay. It counts the requests it saw.
"""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Fault:
    """What the proxy does instead of passing a request on."""

    status: int | None = None
    """Answer this status with a short body."""
    body: bytes | None = None
    """Answer 200 with this body."""
    truncate: bool = False
    """Pass the answer on, but cut off halfway (its length says more)."""
    delay: float = 0.0
    """Wait this long first (bounded by the test's own timeouts)."""
    times: int | None = None
    """Apply this many times, then pass requests on again (None: always)."""


class FaultProxy:
    """A threaded proxy on a free loopback port to ``target`` (a base URL)."""

    def __init__(self, target: str) -> None:
        self.target = target.rstrip("/")
        self.faults: dict[str, Fault] = {}
        self.paths: list[str] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else None
                with proxy._lock:
                    proxy.paths.append(self.path)
                    fault = next((f for key, f in proxy.faults.items() if key in self.path), None)
                    if fault is not None and fault.times is not None:
                        fault.times -= 1
                        if fault.times < 0:
                            fault = None
                if fault is not None and fault.delay:
                    time.sleep(fault.delay)
                if fault is not None and fault.status is not None:
                    self._send(fault.status, b"proxy fault\n", {})
                    return
                if fault is not None and fault.body is not None:
                    self._send(200, fault.body, {"Content-Type": "application/json"})
                    return
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")
                }
                request = urllib.request.Request(
                    proxy.target + self.path, data=data, headers=headers, method=self.command
                )
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:
                        status, body = response.status, response.read()
                        kept = dict(response.headers.items())
                except urllib.error.HTTPError as error:
                    status, body, kept = error.code, error.read(), dict(error.headers.items())
                if fault is not None and fault.truncate:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                passed = {
                    k: v
                    for k, v in kept.items()
                    if k.lower() not in ("content-length", "transfer-encoding", "connection")
                }
                self._send(status, body, passed)

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            do_GET = _forward
            do_POST = _forward

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def base(self) -> str:
        """The proxy's address standing for the target's."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def count(self, fragment: str = "") -> int:
        """How many requests whose path holds ``fragment`` the proxy saw."""
        with self._lock:
            return sum(fragment in path for path in self.paths)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
