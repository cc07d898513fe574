"""python-telegram-bot's Bot API calls over aiohttp instead of httpx.

python-telegram-bot sends its calls through a ``BaseRequest``, and httpx is only its default
one. Profiles of a paid broadcast (1,000 calls a second) and of busy inbound traffic put
httpx and httpcore at the top: the connection pool looks at every connection for every
request, and each call builds request, response and timeout objects in pure Python over
anyio. aiohttp, already here under aiogram, does a call for a fraction of that. Everything
above the transport stays python-telegram-bot's: the Bot's methods and defaults, how a
refused call is read (``BaseRequest.post`` turns the HTTP status and Telegram's description
into the same exceptions), and long polling.

The wire format is the one python-telegram-bot sends through httpx: form fields, each value
JSON where it is not a string, and multipart when a file is uploaded.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

CONNECTIONS = 256  # python-telegram-bot's own pool size for its calls
TIMEOUT = 5.0  # seconds: python-telegram-bot's defaults for reading, writing and connecting
MEDIA_WRITE_TIMEOUT = 20.0  # an upload is given longer, as python-telegram-bot gives it
DEFAULT = BaseRequest.DEFAULT_NONE  # a timeout the caller left to the request
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class AiohttpRequest(BaseRequest):
    """One aiohttp session for a Bot's calls (or, with ``connections=1``, its long polls)."""

    __slots__ = (
        "_connections", "_default_timeout", "_proxies", "_proxy_of", "_read_timeout", "_session",
    )  # fmt: skip

    def __init__(self, connections: int = CONNECTIONS, read_timeout: float = TIMEOUT) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._default_timeout = self._timeout(DEFAULT, DEFAULT, DEFAULT, DEFAULT)
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str] = {}  # by URL scheme, from the environment
        self._proxy_of: dict[str, str | None] = {}  # by scheme and host: through which proxy

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """The session, and the proxies the environment names (``HTTPS_PROXY``, ``NO_PROXY``
        and the others), read once by urllib's rules (``NO_PROXY`` lists hosts and domains,
        not address ranges). aiohttp's own ``trust_env`` reads them and the netrc file again
        for every call, in two trips to a worker thread each: that was more than half of
        what a call cost (bench/README.md, issue 17)."""
        if self._session is None or self._session.closed:
            self._proxies = _http_proxies(getproxies())
            self._proxy_of.clear()
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        data: Any = None
        headers = None
        uploading = False
        if request_data is not None and request_data.contains_files:
            data, uploading = _form(request_data), True
        elif request_data is not None:  # encoded here: aiohttp's FormData costs more than the call
            data, headers = request_data.url_encoded_parameters().encode(), FORM
        if uploading or not all(
            _default(t) for t in (read_timeout, write_timeout, connect_timeout, pool_timeout)
        ):
            timeout = self._timeout(
                read_timeout, write_timeout, connect_timeout, pool_timeout, uploading
            )
        else:
            timeout = self._default_timeout
        try:
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout, proxy=self._proxy(url)
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}: {error}") from error

    def _proxy(self, url: str) -> str | None:
        """The proxy a call to ``url`` goes through, None to go direct (``NO_PROXY``)."""
        origin = url.split("/", 3)[:3]  # scheme, "", host: the calls of a bot share a few
        key = "/".join(origin)
        if key not in self._proxy_of:
            parts = urlsplit(url)
            host = parts.hostname or ""
            proxy = self._proxies.get(parts.scheme) or self._proxies.get("all")
            self._proxy_of[key] = None if proxy is None or proxy_bypass(host) else proxy
        return self._proxy_of[key]

    def _timeout(
        self, read: Any, write: Any, connect: Any, pool: Any, uploading: bool = False
    ) -> aiohttp.ClientTimeout:
        """aiohttp's timeouts for python-telegram-bot's four (a default where not given).
        aiohttp's connect timeout includes waiting for a free connection of the pool, so the
        pool timeout is added to it; it has no write timeout, and a write that does not
        finish shows as an answer not read in time, so the write timeout is added to the
        read timeout."""
        read = self._read_timeout if _default(read) else read
        write = (MEDIA_WRITE_TIMEOUT if uploading else TIMEOUT) if _default(write) else write
        connect = TIMEOUT if _default(connect) else connect
        pool = TIMEOUT if _default(pool) else pool
        return aiohttp.ClientTimeout(
            total=None,
            connect=_sum(connect, pool),
            sock_connect=connect,
            sock_read=_sum(read, write),
        )


def _http_proxies(named: dict[str, str]) -> dict[str, str]:
    """The environment's proxies by URL scheme (``all`` for any), as aiohttp can use them:
    HTTP and HTTPS ones. "no" is ``NO_PROXY``'s list, not a proxy; a proxy written without a
    scheme is an HTTP one. Another kind (``ALL_PROXY=socks5://…``) aiohttp cannot speak: it
    is left out with a warning, and the calls go direct as they did with ``trust_env``."""
    proxies = {}
    for scheme, proxy in named.items():
        if scheme == "no":
            continue
        address = proxy if "://" in proxy else f"http://{proxy}"
        kind = urlsplit(address).scheme.lower()
        if kind not in ("http", "https"):
            log.warning(
                "the %s proxy is a %s one, which this bot cannot use: ignored", scheme, kind
            )
            continue
        proxies[scheme] = address
    return proxies


def _default(value: Any) -> bool:
    """Whether python-telegram-bot left a timeout to the request's default."""
    return isinstance(value, type(DEFAULT))


def _sum(first: float | None, second: float | None) -> float | None:
    """Two timeouts one after the other; None (wait for ever) if either is."""
    return None if first is None or second is None else first + second


def _form(request_data: RequestData) -> aiohttp.FormData:
    """A call with files: its fields, then each file part under its name."""
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
