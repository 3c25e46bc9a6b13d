"""Real mail servers for the email connector's tests: dovecot (IMAP) and aiosmtpd (SMTP)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.base import AccountConfig
from tests.support.dovecot import Dovecot, available, running_dovecot
from tests.support.smtp import SmtpServer, running_smtp

ADDRESS = "help@seoulsupps.example"


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    if not available():
        pytest.fail("dovecot is not installed: run scripts/bootstrap --test")
    with running_dovecot(user=ADDRESS) as server:
        yield server


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    with running_smtp(user=ADDRESS) as server:
        yield server


@pytest.fixture
def account(dovecot: Dovecot) -> AccountConfig:
    return AccountConfig(
        id=1,
        external_id=ADDRESS,
        credentials={"imap_password": dovecot.password},
        options=dovecot.options(),
    )
