"""TLS settings shared by the IMAP and SMTP sides of a mailbox."""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any


def context_for(options: Mapping[str, Any]) -> ssl.SSLContext:
    """Return a verifying client context; `tls_ca_file` adds a private CA (self-hosted mail).

    `tls_verify = false` turns verification off for servers with self-signed certificates;
    the admin page should warn when it is set.
    """
    ca_file = options.get("tls_ca_file")
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    if str(options.get("tls_verify", "true")).lower() in ("false", "0", "no", "off"):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
