"""Liveness and metrics for operators: /healthz checks the database and the queue."""

from __future__ import annotations

import hmac
import os
from pathlib import Path

from flask import Blueprint, Response, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from sqlalchemy import text

from switchboard.multiproc import ENV, live_gauges_only
from web.runtime import current_runtime
from web.security import socket_peer_is_loopback

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    rt = current_runtime()
    checks: dict[str, str] = {}
    try:
        with rt.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    if rt.settings.embedded:
        checks["queue"] = "ok (embedded)"
    else:
        try:
            import redis

            redis.Redis.from_url(rt.settings.redis_url, socket_timeout=2).ping()
            checks["queue"] = "ok"
        except Exception as exc:
            checks["queue"] = f"error: {exc.__class__.__name__}"
    healthy = all(v.startswith("ok") for v in checks.values())
    return jsonify(status="ok" if healthy else "degraded", checks=checks), 200 if healthy else 503


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus text: with METRICS_TOKEN set, for `Authorization: Bearer <token>` only;
    without it, only for scrapers on this machine that no proxy forwarded (docs/security.md)."""
    token = current_runtime().settings.get("METRICS_TOKEN")
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip(), token):
            return Response(
                "metrics need a bearer token\n",
                status=401,
                mimetype="text/plain",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
    elif not socket_peer_is_loopback():
        return Response("metrics are served to this machine only\n", 403, mimetype="text/plain")
    # content_type, not mimetype: CONTENT_TYPE_LATEST already names its charset.
    return Response(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    """Every web and worker process's metrics when they share a directory (switchboard/
    multiproc.py), else this process's own."""
    directory = os.environ.get(ENV)
    if not directory:
        return REGISTRY
    live_gauges_only(Path(directory))
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)  # type: ignore[no-untyped-call]
    return registry
