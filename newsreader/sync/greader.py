"""The Google Reader API, as FreshRSS, Miniflux, Inoreader and The Old Reader serve it.

One :class:`GReaderClient` per sync: a login token (``ClientLogin``) kept by the
caller between syncs and renewed when the server refuses it, a write token
(``/token``) for every POST, renewed likewise. Requests go one at a time with a
timeout and a cap on each answer's size; a redirect is refused rather than
followed (the login token would go with it). Every failure is a
:class:`SyncError` with a one-line reason that never holds the password.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any

from newsreader import __version__
from newsreader.sanitize import clean_line, display_url

USER_AGENT = f"newsreader/{__version__} (terminal news reader)"
MAX_ANSWER_BYTES = 64 * 1024 * 1024
"""The largest answer taken (a page of items with their content is a few MB)."""
READ_STATE = "user/-/state/com.google/read"
STARRED_STATE = "user/-/state/com.google/starred"
READING_LIST = "user/-/state/com.google/reading-list"
LABEL_PREFIX = "user/-/label/"
ITEM_ID_PREFIX = "tag:google.com,2005:reader/item/"
READ_CHUNK = 64 * 1024
MAX_ID_ANSWER_BYTES = 8 * 1024 * 1024
"""The largest page of item ids taken (10,000 ids are about 300 KB)."""
MAX_STREAM_IDS = 2_000_000
"""The most item ids one stream is read for (a server that sends ids without end)."""
EDIT_BATCH = 250
"""Items named in one ``edit-tag`` (servers cap a form's fields)."""


class SyncError(Exception):
    """A sync could not go on; the message is one line for the user."""


class LoginRefused(SyncError):
    """The server refused the user name or password."""


class SyncStopped(SyncError):
    """The sync was asked to stop (the reader quitting)."""


class ServerRefused(SyncError):
    """The server answered a call with an error status (``status``)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Subscription:
    """One subscription as the server lists it."""

    stream_id: str
    title: str
    url: str | None
    html_url: str | None
    labels: tuple[str, ...]


def decimal_item_id(item_id: object) -> str | None:
    """An item's id as the id streams give it (decimal), from either form; None if it is
    neither (``tag:google.com,2005:reader/item/<16 hex digits>`` or digits)."""
    if not isinstance(item_id, str):
        return None
    if item_id.startswith(ITEM_ID_PREFIX):
        digits = item_id[len(ITEM_ID_PREFIX) :]
        if 0 < len(digits) <= 16 and all(c in "0123456789abcdefABCDEF" for c in digits):
            return str(int(digits, 16))
        return None
    if item_id.isascii() and item_id.isdigit() and len(item_id) <= 20:
        return str(int(item_id))
    return None


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class GReaderClient:
    """Calls on one account's API, logged in as needed.

    Args:
        base: The API's address (``https://host/api/greader.php``).
        user: The login name.
        password: Called for the password when a login is needed (it may run a command).
        token: A login token kept from an earlier sync, if any.
        timeout: Seconds for each request.
        on_token: Called with each new login token, to keep it for the next sync.
        stop: Set from another thread to end the sync at the next read (:class:`SyncStopped`).
    """

    def __init__(
        self,
        base: str,
        user: str,
        password: Callable[[], str],
        *,
        token: str | None = None,
        timeout: float = 30.0,
        on_token: Callable[[str], None] | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        self.base = base.rstrip("/") + "/"
        self._user = user
        self._password = password
        self._token = token
        self._write_token: str | None = None
        self._timeout = timeout
        self._on_token = on_token
        self._stop = stop
        self._opener = urllib.request.build_opener(_NoRedirects)
        self.requests = 0
        """How many requests this client has made."""

    # -- the calls --------------------------------------------------------------

    def subscriptions(self) -> list[Subscription]:
        """Every subscription with its labels."""
        answer = self._json("GET", "reader/api/0/subscription/list", {"output": "json"})
        found: list[Subscription] = []
        for entry in _list(answer, "subscriptions"):
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
                continue
            labels = []
            categories = entry.get("categories")
            for category in categories if isinstance(categories, list) else []:
                label = _label_name(category)
                if label:
                    labels.append(label)
            found.append(
                Subscription(
                    stream_id=entry["id"],
                    title=clean_line(_text(entry.get("title"))) or entry["id"],
                    url=_text(entry.get("url")) or None,
                    html_url=_text(entry.get("htmlUrl")) or None,
                    labels=tuple(dict.fromkeys(labels)),
                )
            )
        return found

    def item_id_pages(
        self,
        stream: str,
        *,
        exclude: str | None = None,
        newer_than: int | None = None,
        page: int = 10_000,
    ) -> Iterator[list[str]]:
        """A stream's item ids (decimal), newest first, a page at a time; ``exclude``
        a state (``xt``), e.g. the reading list without the read items; ``newer_than``
        seconds (``ot``)."""
        continuation: str | None = None
        total = 0
        for _ in range(MAX_STREAM_IDS // page + 2):
            params = {"s": stream, "n": str(page), "output": "json"}
            if exclude:
                params["xt"] = exclude
            if newer_than is not None:
                params["ot"] = str(newer_than)
            if continuation:
                params["c"] = continuation
            answer = self._json(
                "GET", "reader/api/0/stream/items/ids", params, limit=MAX_ID_ANSWER_BYTES
            )
            ids = []
            for ref in _list(answer, "itemRefs")[:page]:
                item = decimal_item_id(ref.get("id") if isinstance(ref, dict) else None)
                if item is not None:
                    ids.append(item)
            total += len(ids)
            if total > MAX_STREAM_IDS:
                raise SyncError(
                    f"{self._where()}: the stream {stream} holds over {MAX_STREAM_IDS:,} items"
                )
            yield ids
            next_page = answer.get("continuation") if isinstance(answer, dict) else None
            if not ids or not isinstance(next_page, str) or not next_page:
                return
            if len(ids) >= 2 and next_page == ids[-1]:
                # FreshRSS's continuation is the page's last id, and its next page leaves
                # out its first id, taking it for that one: if that item left the stream
                # meanwhile (read elsewhere), a real item would be left out. Going on
                # from the id before the last makes the pages overlap by one instead.
                next_page = ids[-2]
            if next_page == continuation:
                return
            continuation = next_page
        raise SyncError(f"{self._where()}: the item id stream of {stream} did not end")

    def item_ids(self, stream: str, *, exclude: str | None = None) -> set[str]:
        """Every item id of a stream (see :meth:`item_id_pages`)."""
        ids: set[str] = set()
        for page in self.item_id_pages(stream, exclude=exclude):
            ids.update(page)
        return ids

    def items_by_id(self, item_ids: Sequence[str]) -> list[dict[str, Any]]:
        """These items with their content (at most a few hundred at once)."""
        answer = self._json(
            "POST", "reader/api/0/stream/items/contents", [("i", item) for item in item_ids]
        )
        return [item for item in _list(answer, "items") if isinstance(item, dict)]

    def edit_tag(self, item_ids: Sequence[str], tag: str, *, add: bool) -> None:
        """Set (``add``) or clear a tag on items, in batches; each must answer ``OK``."""
        for start in range(0, len(item_ids), EDIT_BATCH):
            fields = [("i", item) for item in item_ids[start : start + EDIT_BATCH]]
            fields.append(("a" if add else "r", tag))
            self._expect_ok("reader/api/0/edit-tag", fields)

    def mark_all_read(self, stream: str, older_than_usec: int) -> None:
        """Mark a stream's items read, those the server got before the given time only."""
        self._expect_ok(
            "reader/api/0/mark-all-as-read", [("s", stream), ("ts", str(older_than_usec))]
        )

    def quickadd(self, url: str) -> str:
        """Subscribe to a feed; its stream id."""
        answer = self._json("POST", "reader/api/0/subscription/quickadd", [("quickadd", url)])
        stream = answer.get("streamId") if isinstance(answer, dict) else None
        if not isinstance(stream, str) or not stream:
            error = answer.get("error") if isinstance(answer, dict) else None
            reason = clean_line(str(error))[:200] if error else "no subscription was made"
            raise SyncError(f"{self._where()}: cannot subscribe to {display_url(url)}: {reason}")
        return stream

    def edit_subscription(
        self, stream: str, action: str, *, add_label: str | None = None, title: str | None = None
    ) -> None:
        """``subscribe``, ``unsubscribe`` or ``edit`` a subscription (adding a label)."""
        fields = [("ac", action), ("s", stream)]
        if add_label:
            fields.append(("a", LABEL_PREFIX + add_label))
        if title:
            fields.append(("t", title))
        self._expect_ok("reader/api/0/subscription/edit", fields)

    # -- the plumbing -----------------------------------------------------------

    def login(self) -> None:
        """Log in afresh (``ClientLogin``): a new login token."""
        fields = [("Email", self._user), ("Passwd", self._password())]
        status, body, _ = self._request("POST", "accounts/ClientLogin", fields, auth=False)
        if status in (401, 403):
            raise LoginRefused(
                f"{self._where()}: the server refused the login of user {self._user!r}"
            )
        if status != 200:
            raise SyncError(f"{self._where()}: login failed: {_status_reason(status, body)}")
        for line in body.decode("utf-8", "replace").splitlines():
            if line.startswith("Auth="):
                token = line[len("Auth=") :].strip()
                if token and token.isprintable() and len(token) < 1000:
                    self._token = token
                    self._write_token = None
                    if self._on_token:
                        self._on_token(token)
                    return
        raise SyncError(f"{self._where()}: login failed: the answer held no Auth token")

    def _json(
        self,
        method: str,
        path: str,
        params: dict[str, str] | list[tuple[str, str]],
        *,
        limit: int = MAX_ANSWER_BYTES,
    ) -> Any:
        body = self._call(method, path, params, limit=limit)
        try:
            return json.loads(body)
        except (ValueError, RecursionError):
            shown = clean_line(body[:40].decode("utf-8", "replace"))
            raise SyncError(
                f"{self._where()}: the answer to {path.split('/')[-1] or path} was not JSON"
                + (f" ({shown!r})" if shown else " (empty)")
            ) from None

    def _expect_ok(self, path: str, fields: list[tuple[str, str]]) -> None:
        body = self._call("POST", path, fields)
        if body.strip() != b"OK":
            shown = clean_line(body[:80].decode("utf-8", "replace"))
            raise SyncError(f"{self._where()}: {path.split('/')[-1]} answered {shown!r}, not OK")

    def _call(
        self,
        method: str,
        path: str,
        params: dict[str, str] | list[tuple[str, str]],
        *,
        limit: int = MAX_ANSWER_BYTES,
    ) -> bytes:
        """A request with the login token (logging in first, or again once when the
        server refuses it) and, for a POST, the write token."""
        fields = list(params.items()) if isinstance(params, dict) else list(params)
        for attempt in range(3):
            if self._token is None:
                self.login()
            sent = fields
            if method == "POST":
                sent = [*fields, ("T", self._write())]
            status, body, headers = self._request(method, path, sent, limit=limit)
            if status == 401 and headers.get("x-reader-google-bad-token", "").lower() == "true":
                self._write_token = None
                continue
            if status in (401, 403) and attempt < 2:
                self._token = None
                continue
            if status != 200:
                raise ServerRefused(f"{self._where()}: {_status_reason(status, body)}", status)
            return body
        raise SyncError(f"{self._where()}: the server refused the login token again")

    def _write(self) -> str:
        if self._write_token is None:
            status, body, _ = self._request("GET", "reader/api/0/token", [])
            if status in (401, 403):
                self._token = None
                self.login()
                status, body, _ = self._request("GET", "reader/api/0/token", [])
            if status != 200:
                raise SyncError(f"{self._where()}: no write token: {_status_reason(status, body)}")
            token = body.decode("utf-8", "replace").strip()
            if not token or not token.isprintable() or len(token) > 1000:
                raise SyncError(f"{self._where()}: no write token in the server's answer")
            self._write_token = token
        return self._write_token

    def _request(
        self,
        method: str,
        path: str,
        fields: list[tuple[str, str]],
        *,
        auth: bool = True,
        limit: int = MAX_ANSWER_BYTES,
    ) -> tuple[int, bytes, dict[str, str]]:
        """One request, its whole answer read within the timeout (a server that trickles
        its answer is cut off like one that sends nothing) and at most ``limit`` bytes."""
        if self._stop is not None and self._stop.is_set():
            raise SyncStopped(f"{self._where()}: stopped")
        url = self.base + path
        data = None
        if method == "GET" and fields:
            url += "?" + urllib.parse.urlencode(fields)
        elif method == "POST":
            data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("User-Agent", USER_AGENT)
        request.add_header("Accept-Encoding", "gzip")
        if auth and self._token:
            request.add_header("Authorization", f"GoogleLogin auth={self._token}")
        self.requests += 1
        deadline = time.monotonic() + self._timeout
        try:
            try:
                response: Any = self._opener.open(request, timeout=self._timeout)
            except urllib.error.HTTPError as error:
                response = error
                if 300 <= error.code < 400:
                    error.close()
                    target = display_url(error.headers.get("location", "?"))
                    raise SyncError(
                        f"{self._where()}: the server redirects to {target}; "
                        "set the account's url to where it redirects"
                    ) from None
            with response:
                headers = {k.lower(): v for k, v in response.headers.items()}
                status = int(getattr(response, "status", None) or response.code)
                body = self._read(response, headers, deadline, limit)
                return status, body, headers
        except SyncError as problem:
            if str(problem).startswith(self._where()):
                raise
            raise type(problem)(f"{self._where()}: {problem}") from None
        except (urllib.error.URLError, OSError, HTTPException, ValueError, zlib.error) as error:
            raise SyncError(f"{self._where()}: {_network_reason(error)}") from None

    def _read(self, response: Any, headers: dict[str, str], deadline: float, limit: int) -> bytes:
        """The answer's body, decompressed, within ``limit`` bytes and the deadline."""
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > deadline:
                raise SyncError("the server did not answer in time")
            if self._stop is not None and self._stop.is_set():
                raise SyncStopped("stopped")
            chunk = response.read1(READ_CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise SyncError(f"an answer was over {limit // (1024 * 1024)} MB")
        raw = b"".join(chunks)
        declared = headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and len(raw) < int(declared):
            raise SyncError(f"the answer was cut off ({len(raw)} of {declared} bytes)")
        if headers.get("content-encoding", "").strip().lower() == "gzip":
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            try:
                body = inflater.decompress(raw, limit + 1)
            except zlib.error:
                raise SyncError("an answer's gzip data was broken") from None
            if len(body) > limit:
                raise SyncError(f"an answer was over {limit // (1024 * 1024)} MB")
            return body
        return raw

    def _where(self) -> str:
        return display_url(self.base.rstrip("/"))


def _status_reason(status: int, body: bytes) -> str:
    shown = clean_line(body[:100].decode("utf-8", "replace"))
    return f"HTTP {status}" + (f" ({shown})" if shown and len(shown) < 100 else "")


def _network_reason(error: BaseException) -> str:
    reason: object = getattr(error, "reason", None) or error
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "the server did not answer in time"
    if isinstance(reason, ConnectionRefusedError):
        return "cannot connect: connection refused"
    if isinstance(reason, socket.gaierror):
        return "cannot find the server's host"
    if isinstance(reason, ssl.SSLError):
        return f"TLS failed: {clean_line(str(reason))[:200]}"
    if isinstance(error, HTTPException):
        return f"the answer was cut off or broken ({type(error).__name__})"
    return f"cannot connect: {clean_line(str(reason))[:200]}"


def _list(answer: object, key: str) -> list[Any]:
    if not isinstance(answer, dict):
        raise SyncError(f"the server's answer is not a JSON object with {key!r}")
    value = answer.get(key, [])
    return value if isinstance(value, list) else []


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _label_name(category: object) -> str | None:
    """A subscription's category as a label name (``user/-/label/NAME`` or its label)."""
    if isinstance(category, dict):
        given = category.get("id")
        label = category.get("label")
    else:
        given, label = category, None
    if isinstance(given, str) and LABEL_PREFIX in given:
        name = given.split(LABEL_PREFIX, 1)[1]
    elif isinstance(label, str):
        name = label
    else:
        return None
    return clean_line(name)[:200] or None
