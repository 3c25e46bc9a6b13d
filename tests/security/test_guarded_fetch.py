"""Attachment URLs from payloads go through the guarded fetcher (issue 13 §5): platform hosts
only, public addresses only, redirects re-checked, size capped, and errors that do not map
ports. Servers are real (loopback WSGI); only DNS answers are chosen by the test."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from connectors.base import (
    Attachment,
    ConversationKind,
    EventKind,
    InboundEvent,
    Participant,
    PermanentSendError,
    RetryableSendError,
)
from connectors.facebook import FacebookConnector
from connectors.fetch import META_CDN_HOSTS, FetchRefused, GuardedFetcher
from inbox.ingest import record_event
from inbox.models import Attachment as AttachmentRow
from inbox.models import ChannelAccount
from tests.support.servers import free_port, serve_wsgi
from workers.ingest import fetch_attachments

SECRET_PAGE = b"switchboard_metrics_secret 1\n"


class Recorder:
    """A loopback server that counts hits: the 'internal service' an attacker aims at."""

    def __init__(self) -> None:
        self.hits: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.hits.append(request.path)
        if request.path == "/big":
            return Response(b"x" * 5000)(environ, start_response)
        if request.path.startswith("/to/"):
            target = "http://" + request.path[len("/to/") :]
            return Response(status=302, headers={"Location": target})(environ, start_response)
        return Response(SECRET_PAGE, mimetype="text/plain")(environ, start_response)


def netloc(base: str) -> str:
    return base.removeprefix("http://")


def test_loopback_urls_are_refused_without_a_connection() -> None:
    internal = Recorder()
    with serve_wsgi(internal) as base:
        fetcher = GuardedFetcher(hosts=META_CDN_HOSTS)
        for url in (f"{base}/metrics", f"https://{netloc(base)}/metrics", "file:///etc/passwd"):
            with pytest.raises(FetchRefused):
                fetcher.get(url)
    assert internal.hits == []


def test_an_allowed_cdn_name_pointing_at_a_private_address_is_refused() -> None:
    for address in ("127.0.0.1", "10.0.0.5", "169.254.169.254", "::1", "::ffff:127.0.0.1"):
        fetcher = GuardedFetcher(hosts=META_CDN_HOSTS, resolve=lambda h, p, a=address: [a])
        with pytest.raises(FetchRefused, match="private address"):
            fetcher.get("https://scontent.xx.fbcdn.net/v/t1/photo.jpg")
    lookalike = GuardedFetcher(hosts=META_CDN_HOSTS, resolve=lambda h, p: ["93.184.216.34"])
    with pytest.raises(FetchRefused, match="not an allowed attachment host"):
        lookalike.get("https://fbcdn.net.attacker.example/x.jpg")


def test_a_redirect_from_an_allowed_host_to_an_internal_one_is_not_followed() -> None:
    sandbox, internal = Recorder(), Recorder()
    with serve_wsgi(sandbox) as cdn, serve_wsgi(internal) as inside:
        fetcher = GuardedFetcher(hosts=META_CDN_HOSTS, sandbox_hosts=frozenset({netloc(cdn)}))
        assert fetcher.get(f"{cdn}/photo.jpg") == SECRET_PAGE  # allowed by configuration
        with pytest.raises(FetchRefused):
            fetcher.get(f"{cdn}/to/{netloc(inside)}/metrics")
    assert internal.hits == []
    assert sandbox.hits == ["/photo.jpg", f"/to/{netloc(inside)}/metrics"]


def test_a_path_prefix_entry_allows_the_emulator_files_not_the_rest_of_the_server() -> None:
    server = Recorder()
    with serve_wsgi(server) as base:
        fetcher = GuardedFetcher(hosts=(), sandbox_hosts=frozenset({netloc(base) + "/media/"}))
        assert fetcher.get(f"{base}/media/x.png") == SECRET_PAGE
        with pytest.raises(FetchRefused):
            fetcher.get(f"{base}/metrics")
    assert server.hits == ["/media/x.png"]


def test_size_is_capped() -> None:
    with serve_wsgi(Recorder()) as cdn:
        fetcher = GuardedFetcher(hosts=(), sandbox_hosts=frozenset({netloc(cdn)}), max_bytes=1000)
        with pytest.raises(FetchRefused, match="larger than"):
            fetcher.get(f"{cdn}/big")


def test_a_closed_port_and_an_unanswering_host_read_the_same() -> None:
    closed = f"127.0.0.1:{free_port()}"
    fetcher = GuardedFetcher(hosts=(), sandbox_hosts=frozenset({closed}), timeout=2)
    with pytest.raises(RetryableSendError) as refused:
        fetcher.get(f"http://{closed}/")
    text = str(refused.value)
    assert text == "the attachment host could not be reached"
    for leak in ("refused", "Errno", "111", closed.split(":")[1]):
        assert leak not in text


@pytest.fixture
def settings_overrides() -> dict[str, str]:
    return {"META_APP_SECRET": "s", "FETCH_ALLOW_HOSTS": ""}


def test_a_payload_pointing_at_metrics_is_recorded_as_refused_not_stored(
    rt: Any, factory: Any
) -> None:
    """The reported attack: an inbound attachment URL aimed at our own /metrics."""
    internal = Recorder()
    page = factory.account("facebook", connector="facebook", external_id="page-1")
    with serve_wsgi(internal) as base:
        with rt.db.session() as session:
            account = session.get(ChannelAccount, page.id)
            assert account is not None
            outcome = record_event(
                session,
                account,
                InboundEvent(
                    kind=EventKind.MESSAGE,
                    account_external_id="page-1",
                    external_id="m_ssrf",
                    thread_key="psid-1",
                    conversation_kind=ConversationKind.DM,
                    sent_at=datetime.now(UTC),
                    customer=Participant(external_id="psid-1"),
                    text="",
                    attachments=(Attachment(kind="image", url=f"{base}/metrics"),),
                ),
                store=rt.store,
            )
        assert outcome.message_id is not None
        fetch_attachments(outcome.message_id)
    assert internal.hits == []
    with rt.db.session() as session:
        (row,) = session.query(AttachmentRow).all()
        assert row.sha256 is None
        assert row.problem is not None and "not allowed" in row.problem


def test_the_meta_connector_fetches_only_through_the_guard() -> None:
    connector = FacebookConnector({"META_APP_SECRET": "s"})
    with pytest.raises(PermanentSendError):
        connector.fetch_attachment(
            None,  # type: ignore[arg-type]
            Attachment(kind="image", url="http://127.0.0.1:9/metrics"),
        )
