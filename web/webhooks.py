"""Webhook endpoints: verify → store the raw delivery → 200, then wake the ingest drainers.

A shared endpoint (/webhooks/meta) hands each delivery to the channel whose declaration
claims the body's `object` (connectors.webhook_slug); its signature is checked by that
channel's connector and the row records it.

The delivery is committed before we answer, so a crash after the 200 loses nothing: workers
claim `received` rows from the database in batches (workers/ingest.py), and the wake-up is
only a hint that saves them waiting for their next look. Verification failures store nothing
(they may be forged floods) and only count in /metrics.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, request
from werkzeug.wrappers import Request

from connectors import WEBHOOK_ENDPOINTS, behaviour, registered, webhook_slug
from connectors.base import (
    RECEIVED_HEADER,
    URL_HEADER,
    CallRoute,
    Capability,
    Handshake,
    InvalidSignature,
    UnsupportedEvent,
    Voice,
)
from inbox import calls, deliveries
from inbox.ingest import find_account
from inbox.ordering import delivery_route
from switchboard.metrics import WEBHOOK_LATENCY, WEBHOOKS
from switchboard.runtime import Runtime
from web.api.errors import problem_response
from web.ratelimit import refused_webhook_limit
from web.runtime import current_runtime
from web.wakeups import WAKER

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

_DROP_HEADERS = {"cookie", "authorization"}
_OURS = "x-switchboard-"


def _connector_slug(endpoint: str, body: bytes = b"") -> str:
    """The registered channel for this endpoint (a shared one routes by the body's object)."""
    slug = webhook_slug(endpoint, body) if body else WEBHOOK_ENDPOINTS.get(endpoint, endpoint)
    if slug not in registered(current_runtime().settings.env):
        abort(404)
    return slug


@bp.get("/<endpoint>")
def handshake(endpoint: str) -> Response:
    """Subscription checks (Meta's hub.challenge, X's CRC) answered by the connector."""
    connector = current_runtime().connector_by_slug(_connector_slug(endpoint))
    answerer = behaviour(connector, Handshake)
    if answerer is None:
        abort(405)
    answer = answerer.handshake(request.args.to_dict())
    if answer is None:
        WEBHOOKS.labels(endpoint, "handshake_refused").inc()
        return Response("forbidden", status=403, mimetype="text/plain")
    mimetype = "application/json" if answer.startswith("{") else "text/plain"
    return Response(answer, status=200, mimetype=mimetype)


@bp.post("/<endpoint>")
def receive(endpoint: str) -> Response:
    """What the lean path (web/ack_path.py) hands over: it answers signed deliveries itself;
    here the same steps run, plus every way of saying no."""
    started = time.perf_counter()
    rt = current_runtime()
    body = request.get_data(cache=False)
    slug = _connector_slug(endpoint, body)
    connector = rt.connector_by_slug(slug)
    if Capability.WEBHOOK not in connector.capabilities:
        abort(404)
    headers = delivery_headers(request)
    try:
        connector.verify(headers, body)
    except InvalidSignature:
        WEBHOOKS.labels(endpoint, "bad_signature").inc()
        return _refused()
    _store(endpoint, slug, headers, body)
    stored(endpoint, started)
    return Response("ok", status=200, mimetype="text/plain")


def accept(rt: Runtime, endpoint: str, incoming: Request, body: bytes, started: float) -> bool:
    """The acknowledgement of a signed delivery, outside Flask: True once it is stored
    (durable); False where `receive` must answer (unknown channel, no webhooks, bad
    signature), with nothing stored and nothing counted."""
    slug = webhook_slug(endpoint, body)
    if slug not in registered(rt.settings.env):
        return False
    connector = rt.connector_by_slug(slug)
    if Capability.WEBHOOK not in connector.capabilities:
        return False
    headers = delivery_headers(incoming)
    try:
        connector.verify(headers, body)
    except InvalidSignature:
        return False
    store(rt, endpoint, slug, headers, body)
    stored(endpoint, started)
    return True


def stored(endpoint: str, started: float) -> None:
    WEBHOOKS.labels(endpoint, "stored").inc()
    WEBHOOK_LATENCY.labels(endpoint).observe(time.perf_counter() - started)


@bp.post("/<endpoint>/voice")
def voice(endpoint: str) -> Response:
    """A provider asking what to do with a call (Capability.VOICE), answered synchronously.

    The request is a callback like any other: verified, then stored before we answer (the
    ingest puts the call on the customer's timeline). The answer comes from the inbox's
    routing (business hours, on-shift agents' phones, forwarding number) in a read-only
    transaction, so a slow ingest never delays a ringing phone.
    """
    rt = current_runtime()
    body = request.get_data(cache=False)
    slug = _connector_slug(endpoint, body)
    connector = rt.connector_by_slug(slug)
    answerer = behaviour(connector, Voice)
    if answerer is None:
        abort(404)
    headers = delivery_headers(request)
    try:
        connector.verify(headers, body)
    except InvalidSignature:
        WEBHOOKS.labels(endpoint, "bad_signature").inc()
        return _refused()
    _store(endpoint, slug, headers, body)
    WEBHOOKS.labels(endpoint, "stored").inc()
    try:
        call = answerer.incoming_call(headers, body)
    except UnsupportedEvent as exc:  # stored: the ingest records it as rejected with the reason
        return problem_response(400, "Bad Request", exc.reason)
    with rt.db.session() as session:
        account = find_account(
            session, channel=slug, connector=slug, external_id=call.account_external_id
        )
        route = (
            calls.route(session, account, datetime.now(UTC))
            if account is not None
            else CallRoute(open=False)
        )
    answer, mimetype = answerer.call_answer(call, route)
    return Response(answer, status=200, mimetype=mimetype)


def _store(endpoint: str, slug: str, headers: dict[str, str], body: bytes) -> None:
    store(current_runtime(), endpoint, slug, headers, body)


def store(rt: Runtime, endpoint: str, slug: str, headers: dict[str, str], body: bytes) -> None:
    """Durable when it returns; then the ingest drainers are woken."""
    connector = rt.connector_by_slug(slug)
    deliveries.store_delivery(
        rt.db,
        endpoint=endpoint,
        connector=slug,
        headers=headers,
        body=body,
        route=delivery_route(connector, headers, body),
    )
    if rt.settings.embedded:  # an in-process job queue: nothing to wait for
        rt.jobs.wake("ingest")
    else:  # a Redis PUBLISH, sent by a background thread after this answer
        WAKER.wake(rt.jobs, "ingest", endpoint)


def delivery_headers(incoming: Request) -> dict[str, str]:
    """The request's headers less credentials, plus two of ours (any a client sent under
    those names are dropped): the URL called, which Twilio-format signatures cover, and
    when the body arrived, for providers whose callbacks carry no time (connectors/phone)."""
    headers = {
        k: v
        for k, v in incoming.headers.items()
        if k.lower() not in _DROP_HEADERS and not k.lower().startswith(_OURS)
    }
    headers[URL_HEADER] = incoming.url
    headers[RECEIVED_HEADER] = datetime.now(UTC).isoformat()
    return headers


def _refused() -> Response:
    """403; 429 once this address has sent more forgeries than RATE_LIMIT_WEBHOOKS allows."""
    limit = refused_webhook_limit()
    wait = limit.over() if limit is not None else None
    if wait is None:
        return Response("invalid signature", status=403, mimetype="text/plain")
    response = problem_response(
        429, "Too Many Requests", f"too many refused webhooks; retry in {wait} s"
    )
    response.headers["Retry-After"] = str(wait)
    return response
