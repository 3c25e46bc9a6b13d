"""Meta's side of the data-deletion callback: a user removes the app, Meta tells the app.

`POST /_emu/users/<user_id>/remove_app` builds the `signed_request` Meta would (HMAC-SHA256
of the base64url JSON payload with the app secret) and posts it, form-encoded, to the app's
Data Deletion Request Callback URL (`callback_url` in the body, else DELETION_CALLBACK_URL).
It answers with the app's status code and JSON: `{url, confirmation_code}` when all is well.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import requests
from flask import Blueprint, Response, current_app, jsonify, request

bp = Blueprint("meta_deletion", __name__)


@bp.post("/_emu/users/<user_id>/remove_app")
def remove_app(user_id: str) -> tuple[Response, int]:
    body: dict[str, Any] = request.get_json(silent=True) or {}
    config = current_app.extensions["meta_sandbox"].config
    url = str(body.get("callback_url") or config.get("DELETION_CALLBACK_URL") or "")
    if not url:
        return jsonify(error="no callback_url and no DELETION_CALLBACK_URL configured"), 400
    payload = {"algorithm": "HMAC-SHA256", "issued_at": int(time.time()), "user_id": user_id}
    signed = signed_request(str(body.get("app_secret") or config["APP_SECRET"]), payload)
    try:
        answer = requests.post(url, data={"signed_request": signed}, timeout=10)
    except requests.RequestException as exc:
        return jsonify(error=f"callback unreachable: {exc}"), 502
    try:
        reply = answer.json()
    except ValueError:
        reply = {"text": answer.text[:500]}
    return jsonify(status=answer.status_code, reply=reply), 200


def signed_request(app_secret: str, payload: dict[str, Any]) -> str:
    encoded = _b64(json.dumps(payload).encode())
    digest = hmac.new(app_secret.encode(), encoded.encode(), hashlib.sha256).digest()
    return f"{_b64(digest)}.{encoded}"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
