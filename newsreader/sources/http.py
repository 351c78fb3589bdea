"""HTTP done right for feeds: conditional GET, limits, redirects, Retry-After.

Built on aiohttp: one session for a whole refresh gives connection reuse, a
global connection limit plus a per-host limit (so a host serving many feeds is
never hammered), gzip, and streaming reads so a size cap holds. It was chosen
over httpx because on a 1000-feed refresh it used a sixth of the CPU to download
the same bytes, and the download competes with parsing for the same cores.
"""

from __future__ import annotations

import email.utils
import math
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType

import aiohttp

from newsreader import __version__
from newsreader.sanitize import display_url

USER_AGENT = f"newsreader/{__version__} (terminal news reader)"
MAX_REDIRECTS = 5
READ_CHUNK = 64 * 1024
PERMANENT_REDIRECTS = frozenset({301, 308})


@dataclass(frozen=True, slots=True)
class Validators:
    """What a server said about a response, to ask next time whether it changed."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Response:
    """A fetched resource.

    Attributes:
        url: The URL asked for.
        final_url: Where the content came from after redirects.
        status: 200, or 304 when the validators still hold (then ``body`` is empty).
        body: The (decompressed) body.
        headers: The response headers.
        validators: ETag and Last-Modified exactly as received.
        permanent_url: The new address when every redirect was permanent, else None.
    """

    url: str
    final_url: str
    status: int
    body: bytes
    headers: Mapping[str, str]
    validators: Validators
    permanent_url: str | None

    @property
    def not_modified(self) -> bool:
        """Whether the server said the resource did not change (304)."""
        return self.status == 304


class FetchError(Exception):
    """A failed fetch, with a reason fit for the user.

    Attributes:
        retry_after: When the server asked us to come back (epoch seconds), if it did.
        status: The HTTP status when the server answered with an error (404, 503 ...);
            None when no usable answer came (network, TLS, size, time, redirects).
    """

    def __init__(
        self, message: str, retry_after: float | None = None, *, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status


DEFAULT_MAX_RETRY_AFTER = 86_400.0
"""The longest a Retry-After defers a feed unless the config says otherwise: a day."""
_SECONDS = re.compile(r"[0-9]+")
_MAX_SECONDS_DIGITS = 12
"""More digits than this is over 30,000 years: not worth turning into an integer."""


def parse_retry_after(
    value: str | None, now: float | None = None, max_wait: float = DEFAULT_MAX_RETRY_AFTER
) -> float | None:
    """A Retry-After header (seconds or an HTTP date) as epoch seconds, at most
    ``max_wait`` seconds from ``now``.

    None when there is nothing to wait for: no header, one that is neither a
    number of seconds nor a date (a negative or fractional number, text), a
    date in the past, or a wait of 0. Never raises, however large the number
    or far the date.
    """
    if not value:
        return None
    now = time.time() if now is None else now
    value = value.strip()
    wait: float
    if _SECONDS.fullmatch(value):
        wait = int(value) if len(value) <= _MAX_SECONDS_DIGITS else math.inf
    else:
        try:
            wait = email.utils.parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError, IndexError, OverflowError, OSError):
            return None
    wait = min(wait, max_wait)
    return now + wait if wait > 0 else None


def local_time(seconds: float) -> str:
    """Epoch seconds as the local date and time, for messages (never raises)."""
    try:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(seconds))
    except (OverflowError, ValueError, OSError):
        return "an unknown time"


class Fetcher:
    """An HTTP client for one refresh (``async with Fetcher(...) as fetcher``)."""

    def __init__(
        self,
        *,
        concurrency: int = 64,
        per_host: int = 4,
        timeout: float = 20.0,
        connect_timeout: float = 10.0,
        max_bytes: int = 20 * 1024 * 1024,
        max_retry_after: float = DEFAULT_MAX_RETRY_AFTER,
    ) -> None:
        self._limits = (concurrency, per_host)
        self._max_retry_after = max_retry_after
        self._timeout = aiohttp.ClientTimeout(
            total=timeout, sock_connect=connect_timeout, connect=connect_timeout
        )
        self._total_timeout = timeout
        self._max_bytes = max_bytes
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Fetcher:
        concurrency, per_host = self._limits
        connector = aiohttp.TCPConnector(
            limit=concurrency, limit_per_host=per_host, ttl_dns_cache=300
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout,
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            auto_decompress=True,
            trust_env=False,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()

    async def fetch(
        self, url: str, validators: Validators | None = None, accept: str | None = None
    ) -> Response:
        """GET a URL, conditionally when validators are given.

        Raises:
            FetchError: any failure (network, HTTP status, too large, too slow).
        """
        if self._session is None:
            raise RuntimeError("Fetcher used outside 'async with'")
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        try:
            async with self._session.get(
                url, headers=headers, allow_redirects=True, max_redirects=MAX_REDIRECTS + 1
            ) as response:
                return await self._read(url, response)
        except FetchError:
            raise
        except aiohttp.TooManyRedirects as error:
            raise FetchError(f"more than {MAX_REDIRECTS} redirects") from error
        except TimeoutError as error:
            raise FetchError(f"timed out after {self._total_timeout:g} s") from error
        except aiohttp.ClientConnectorDNSError as error:
            raise FetchError(f"cannot resolve host {error.host}") from error
        except aiohttp.ClientConnectorCertificateError as error:
            raise FetchError("TLS certificate not trusted") from error
        except aiohttp.ClientSSLError as error:
            raise FetchError("TLS handshake failed") from error
        except aiohttp.ClientConnectorError as error:
            number = error.os_error.errno if error.os_error else None
            reason = os.strerror(number).lower() if number else str(error)
            raise FetchError(f"cannot connect to {error.host}: {reason}") from error
        except aiohttp.ServerDisconnectedError as error:
            raise FetchError("the server closed the connection") from error
        except aiohttp.ClientPayloadError as error:
            raise FetchError("the response was cut off") from error
        except aiohttp.InvalidURL as error:
            raise FetchError(f"invalid URL {display_url(url)}") from error
        except aiohttp.ClientError as error:
            raise FetchError(f"HTTP error: {type(error).__name__}") from error
        except (ConnectionError, OSError) as error:
            raise FetchError(f"network error: {error.strerror or error}") from error

    async def _read(self, url: str, response: aiohttp.ClientResponse) -> Response:
        status = response.status
        if status in (429, 503):
            retry_after = parse_retry_after(
                response.headers.get("Retry-After"), max_wait=self._max_retry_after
            )
            wait = f"; retry after {local_time(retry_after)}" if retry_after else ""
            raise FetchError(
                f"HTTP {status} {response.reason or ''}".strip() + wait,
                retry_after=retry_after,
                status=status,
            )
        if status != 304 and not 200 <= status < 300:
            raise FetchError(f"HTTP {status} {response.reason or ''}".strip(), status=status)
        body = b""
        if status != 304:
            declared = response.content_length
            if declared is not None and declared > self._max_bytes and not _compressed(response):
                raise FetchError(f"response too large (over {self._max_bytes // 1024} KiB)")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.content.iter_chunked(READ_CHUNK):
                size += len(chunk)
                if size > self._max_bytes:
                    raise FetchError(f"response too large (over {self._max_bytes // 1024} KiB)")
                chunks.append(chunk)
            body = b"".join(chunks)
        history = response.history
        permanent = bool(history) and all(r.status in PERMANENT_REDIRECTS for r in history)
        final_url = str(response.url)
        return Response(
            url=url,
            final_url=final_url,
            status=status,
            body=body,
            headers=dict(response.headers),
            validators=Validators(
                response.headers.get("ETag"), response.headers.get("Last-Modified")
            ),
            permanent_url=final_url if permanent and final_url != url else None,
        )


def _compressed(response: aiohttp.ClientResponse) -> bool:
    return response.headers.get("Content-Encoding", "identity").lower() != "identity"
