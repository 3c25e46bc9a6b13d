"""The one way to fetch a URL that came from a payload or a setting: guarded against SSRF.

A platform payload (an attachment's CDN link) is data an attacker can shape, so a fetch of it
must not reach our own network: the scheme and host must be on the platform's allow-list,
every address the host resolves to must be public, redirects are followed by hand with the
same checks on every hop, and the connection goes to the address that was checked (no second
DNS lookup to rebind). Size and time are capped. Errors say what was refused, never how a
connection failed (refused / timed out / reset would map open ports).

Sandboxes and self-hosted test servers are allowed only by configuration: FETCH_ALLOW_HOSTS
lists `host`, `host:port` or `host:port/path-prefix` entries that may use http and private
addresses.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3

from connectors.addresses import host_is_public, is_public_address, resolve_host
from connectors.base import PermanentSendError, RetryableSendError

__all__ = ["FetchRefused", "GuardedFetcher", "host_is_public", "is_public_address"]

# Hosts (and their subdomains) that serve the platforms' attachment files.
META_CDN_HOSTS = ("fbcdn.net", "fbsbx.com", "cdninstagram.com", "facebook.com", "fb.com")
X_CDN_HOSTS = ("twimg.com", "ton.twitter.com")

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
DEFAULT_TIMEOUT = 20.0
MAX_REDIRECTS = 3

Resolver = Callable[[str, int], list[str]]


class FetchRefused(PermanentSendError):
    """The URL may not be fetched (scheme, host, address, size); retrying cannot help."""


def allowed_hosts_setting(settings: Mapping[str, str]) -> frozenset[str]:
    """FETCH_ALLOW_HOSTS: comma-separated `host`, `host:port` or `host:port/path-prefix`."""
    raw = settings.get("FETCH_ALLOW_HOSTS", "")
    return frozenset(item.strip().lower() for item in raw.split(",") if item.strip())


def _sandboxed(entries: frozenset[str], host: str, port: int, path: str) -> bool:
    """Whether an entry allows this URL: a path prefix, when given, must match too (the demo
    allows its emulator's files, not the rest of its own server)."""
    for entry in entries:
        where, slash, prefix = entry.partition("/")
        if where in (host, f"{host}:{port}") and (not slash or path.startswith("/" + prefix)):
            return True
    return False


def _host_matches(host: str, suffixes: Iterable[str]) -> bool:
    return any(host == s or host.endswith("." + s) for s in suffixes)


@dataclass(frozen=True)
class GuardedFetcher:
    """Fetch URLs from the hosts of one platform; see the module docstring for the rules."""

    hosts: tuple[str, ...]
    sandbox_hosts: frozenset[str] = frozenset()
    max_bytes: int = DEFAULT_MAX_BYTES
    timeout: float = DEFAULT_TIMEOUT
    resolve: Resolver = resolve_host

    @classmethod
    def for_platform(cls, hosts: tuple[str, ...], settings: Mapping[str, str]) -> GuardedFetcher:
        return cls(
            hosts=hosts,
            sandbox_hosts=allowed_hosts_setting(settings),
            max_bytes=int(settings.get("ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES),
            timeout=float(settings.get("FETCH_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT),
        )

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> bytes:
        """The body of `url`, following at most MAX_REDIRECTS checked redirects.

        `headers` (e.g. a platform token for authenticated downloads) go to the checked
        first URL only, never to where it redirects.
        """
        deadline = time.monotonic() + self.timeout
        for hop in range(MAX_REDIRECTS + 1):
            response = self._request(url, deadline, headers if hop == 0 else None)
            try:
                if response.status in (301, 302, 303, 307, 308):
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchRefused("redirect without a Location")
                    url = urljoin(url, location)
                    continue
                if response.status >= 500 or response.status == 429:
                    raise RetryableSendError(f"attachment download HTTP {response.status}")
                if response.status >= 400:
                    raise PermanentSendError(
                        f"attachment download HTTP {response.status} (URL expired?)"
                    )
                return self._body(response, deadline)
            finally:
                response.release_conn()
        raise FetchRefused("too many redirects")

    def check(self, url: str) -> tuple[str, str, int, str]:
        """(scheme, host, port, address to connect to) for an allowed URL, else FetchRefused."""
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError as exc:
            raise FetchRefused("the attachment URL has a bad port") from exc
        if parts.username or parts.password:
            raise FetchRefused("the attachment URL carries credentials")
        sandbox = _sandboxed(self.sandbox_hosts, host, port, parts.path or "/")
        if scheme not in (("http", "https") if sandbox else ("https",)):
            raise FetchRefused(f"scheme {scheme!r} is not allowed for attachments")
        if not sandbox and not _host_matches(host, self.hosts):
            raise FetchRefused(f"host {host!r} is not an allowed attachment host")
        addresses = self.resolve(host, port)
        if not addresses:
            raise RetryableSendError("the attachment host could not be resolved")
        if not sandbox and not all(is_public_address(a) for a in addresses):
            raise FetchRefused(f"host {host!r} resolves to a private address")
        return scheme, host, port, addresses[0]

    def _request(
        self, url: str, deadline: float, extra: Mapping[str, str] | None = None
    ) -> urllib3.BaseHTTPResponse:
        scheme, host, port, address = self.check(url)
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        left = max(deadline - time.monotonic(), 0.1)
        timeout = urllib3.Timeout(connect=min(left, 10.0), read=left)
        pool: urllib3.HTTPConnectionPool
        if scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                port,
                timeout=timeout,
                retries=False,
                server_hostname=host,
                assert_hostname=host,
                cert_reqs="CERT_REQUIRED",
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
        try:
            return pool.urlopen(
                "GET",
                path,
                headers={
                    **dict(extra or {}),
                    "Host": parts.netloc.rsplit("@", 1)[-1],
                    "Accept-Encoding": "identity",
                },
                redirect=False,
                preload_content=False,
                assert_same_host=False,
            )
        except urllib3.exceptions.HTTPError as exc:
            # One message for refused, reset, timed out and TLS failures alike.
            raise RetryableSendError("the attachment host could not be reached") from exc

    def _body(self, response: urllib3.BaseHTTPResponse, deadline: float) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchRefused(f"attachment larger than {self.max_bytes} bytes")
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.stream(64 * 1024):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchRefused(f"attachment larger than {self.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise RetryableSendError("the attachment download took too long")
                chunks.append(chunk)
        except urllib3.exceptions.HTTPError as exc:
            raise RetryableSendError("the attachment download was interrupted") from exc
        return b"".join(chunks)
