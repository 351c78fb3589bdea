"""A real HTTP server on 127.0.0.1 for tests: routes, recorded requests, faults.

Each route is a function of the request that returns a :class:`Reply`; the server
records every request (path and headers) so tests can assert what was sent.
"""

from __future__ import annotations

import gzip
import hashlib
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    """What a route answers."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering."""
    drip: float = 0.0
    """Seconds between body bytes (a slow server), bounded by ``drip_limit``."""
    drip_limit: int = 0
    reset_after: int | None = None
    """Send this many body bytes, then reset the connection (TCP RST)."""
    endless_for: float = 0.0
    """Stream chunks without end for up to this many seconds (or until the client leaves)."""
    reason: str | None = None
    """The status line's reason phrase (None: the standard one)."""


@dataclass(frozen=True)
class Request:
    """A request the server saw."""

    path: str
    headers: dict[str, str]


Route = Callable[[Request], Reply]


class LoopbackServer:
    """A threaded HTTP server on a free loopback port."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
                with server._lock:
                    server.requests.append(request)
                route = server.routes.get(self.path.split("?")[0])
                reply = route(request) if route else Reply(404, b"not found")
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status, reply.reason)
                    headers = {"Content-Type": "application/xml", **reply.headers}
                    if reply.endless_for:
                        headers["Transfer-Encoding"] = "chunked"
                    elif "Content-Length" not in headers and not reply.drip:
                        headers["Content-Length"] = str(len(reply.body))
                    if reply.drip:
                        headers["Connection"] = "close"
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if reply.reset_after is not None:
                        self.wfile.write(reply.body[: reply.reset_after])
                        self.wfile.flush()
                        # Linger 0: close() sends RST instead of FIN.
                        self.connection.setsockopt(
                            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                        )
                        self.connection.close()
                        self.close_connection = True
                    elif reply.endless_for:
                        deadline = time.monotonic() + reply.endless_for
                        while time.monotonic() < deadline:
                            chunk = b"<item><title>more</title></item>" * 32
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                            self.wfile.flush()
                            time.sleep(0.005)
                        self.close_connection = True
                    elif reply.drip:
                        for byte in reply.body[: reply.drip_limit]:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(reply.drip)
                        self.close_connection = True
                    elif reply.status != 304:
                        self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True

            def handle(self) -> None:
                try:
                    super().handle()
                except ConnectionError:
                    # A client that stops at an error status resets the kept-alive
                    # connection; socketserver would print that on the test's stderr.
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        """The server's base URL, ending in a slash."""
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/"

    def url(self, path: str) -> str:
        """The full URL of a path on this server."""
        return self.base + path.lstrip("/")

    def requests_to(self, path: str) -> list[Request]:
        """The requests the server saw for one path."""
        with self._lock:
            return [r for r in self.requests if r.path.split("?")[0] == path]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def static(body: bytes, content_type: str = "application/xml", status: int = 200) -> Route:
    """A route that always answers the same, without validators."""
    return lambda _request: Reply(status, body, {"Content-Type": content_type})


def conditional(body: bytes, content_type: str = "application/rss+xml") -> Route:
    """A route with ETag and Last-Modified that answers 304 when they match."""
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    modified = formatdate(1_700_000_000, usegmt=True)

    def route(request: Request) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag, "Last-Modified": modified})
        return Reply(
            200, body, {"ETag": etag, "Last-Modified": modified, "Content-Type": content_type}
        )

    return route


def gzipped(body: bytes) -> Route:
    """A route that sends the body gzip-encoded."""
    packed = gzip.compress(body)
    return lambda _request: Reply(200, packed, {"Content-Encoding": "gzip"})


def redirect(location: str, status: int = 301) -> Route:
    """A route that redirects."""
    return lambda _request: Reply(status, b"", {"Location": location})


def rss(title: str, items: list[tuple[str, str, str]], encoding: str = "utf-8") -> bytes:
    """A small RSS 2.0 feed: items are (guid, title, html description)."""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{item_title}</title>"
        f"<link>https://example.org/{guid}</link>"
        f"<pubDate>Tue, 02 Apr 2024 1{index % 10}:00:00 GMT</pubDate>"
        f"<description><![CDATA[{html}]]></description></item>"
        for index, (guid, item_title, html) in enumerate(items)
    )
    document = (
        f'<?xml version="1.0" encoding="{encoding}"?>'
        f'<rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://example.org/</link>{entries}</channel></rss>"
    )
    return document.encode(encoding)


def article_page(title: str, paragraphs: list[str]) -> bytes:
    """A web page with navigation around one article (for extraction tests)."""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a> | About</nav>"
        f"<article><h1>{title}</h1>{body}</article><footer>Copyright</footer></body></html>"
    ).encode()
