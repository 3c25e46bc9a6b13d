"""Run a real SMTP server (aiosmtpd) on a free loopback port and keep what it receives.

Recipients can steer the answer, so error mapping is tested against real SMTP replies:
`reject-...@` gets 550 at RCPT, `defer-...@` gets 451, and a wrong password gets 535.
"""

from __future__ import annotations

import shutil
import ssl
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.dovecot import make_certificate
from tests.support.servers import free_port


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class SmtpServer:
    host: str
    port: int
    user: str
    password: str
    tls: str = "none"  # none | starttls | ssl
    ca_file: Path | None = None
    received: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def options(self, **extra: object) -> dict[str, object]:
        """AccountConfig options pointing at this server (plain SMTP with AUTH on loopback)."""
        return {
            "smtp_host": self.host,
            "smtp_port": self.port,
            "smtp_tls": self.tls,
            **({"tls_ca_file": str(self.ca_file)} if self.ca_file else {}),
            "smtp_user": self.user,
            **extra,
        }

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        """Wait until at least `count` messages arrived; return them all."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)
            return list(self.received)


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject-"):
            return "550 5.1.1 User unknown"
        if local.startswith("defer-"):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        item = Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
        with self.server.arrived:
            self.server.received.append(item)
            self.server.arrived.notify_all()
        return "250 Message accepted"


@contextmanager
def running_smtp(
    user: str = "help@seoulsupps.example", password: str = "smtp-secret", *, tls: str = "none"
) -> Iterator[SmtpServer]:
    """Start aiosmtpd on 127.0.0.1 with AUTH PLAIN/LOGIN; `tls` = none, starttls or ssl.

    With TLS a self-signed certificate is made; `options()` points `tls_ca_file` at it.
    """
    workdir = Path(tempfile.mkdtemp(prefix="sb-smtp-"))
    server = SmtpServer("127.0.0.1", free_port(), user, password, tls)
    tls_kwargs: dict[str, Any] = {}
    if tls != "none":
        cert, key = make_certificate(workdir)
        server.ca_file = cert
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        tls_kwargs = {"tls_context": context} if tls == "starttls" else {"ssl_context": context}

    def authenticator(
        smtp: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode() == user
            and auth_data.password.decode() == password
        )
        return AuthResult(success=ok, handled=False)

    controller = Controller(
        _Handler(server),
        hostname=server.host,
        port=server.port,
        authenticator=authenticator,
        auth_require_tls=False,
        decode_data=False,
        **tls_kwargs,
    )
    controller.start()
    try:
        yield server
    finally:
        controller.stop()
        shutil.rmtree(workdir, ignore_errors=True)
