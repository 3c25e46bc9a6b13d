"""Whether a host is on the public internet: the SSRF rule shared by connectors/fetch.py and
the outgoing webhooks' URL check.

Apart from fetch.py so the domain can check a subscription's URL without importing urllib3
(the HTTP client every process would then load: issue 12, a mail poll's start-up).
"""

from __future__ import annotations

import ipaddress
import socket

from connectors.base import RetryableSendError


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def host_is_public(host: str) -> bool:
    """True unless `host` is, or resolves to, a private, loopback or link-local address (a
    name that does not resolve now is not refused here: connecting to it fails anyway)."""
    try:
        addresses = resolve_host(host, 0)
    except RetryableSendError:
        return True
    return all(is_public_address(a) for a in addresses)


def resolve_host(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise RetryableSendError("the attachment host could not be resolved") from exc
    return [str(info[4][0]) for info in infos]
