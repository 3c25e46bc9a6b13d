"""Meta's side of Facebook Login for Business, emulated (docs/platform-apis.md §6.1).

The login dialog (`/vNN.0/dialog/oauth`, a consent page with Continue / Cancel), the code
exchange and the long-lived token exchange (`/vNN.0/oauth/access_token`), the user's pages
(`/me/accounts` with each page's token and linked Instagram professional account), webhook
subscriptions (`/{page}/subscribed_apps`) and `/debug_token`. Codes are single use, bound to
their redirect_uri and expire after ten minutes; user tokens expire (1 h short-lived, 60 days
long-lived) on the world's clock, so tests move the clock instead of waiting. A page whose token
was revoked gets a fresh token when the user logs in again, as re-consenting does on Meta.
"""

from __future__ import annotations

import html
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, redirect, request

from sandbox.meta.calls import world
from sandbox.meta.world import GraphError, World

bp = Blueprint("meta_oauth", __name__)

USER = {"id": "10158000000012345", "name": "김민지"}
SHORT_LIVED = timedelta(hours=1)
LONG_LIVED = timedelta(days=60)
CODE_LIFETIME = timedelta(minutes=10)
PAGE_SCOPES = (
    "pages_show_list",
    "pages_manage_metadata",
    "pages_messaging",
    "pages_read_engagement",
    "pages_manage_engagement",
    "business_management",
    "instagram_basic",
    "instagram_manage_messages",
    "instagram_manage_comments",
)


@dataclass
class Grant:
    kind: str  # code | short | long
    expires: datetime
    scopes: tuple[str, ...]
    redirect_uri: str = ""
    issued: datetime | None = None


@dataclass
class Desk:
    """Codes and user tokens the emulated login issued, and the page subscriptions."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    codes: dict[str, Grant] = field(default_factory=dict)
    tokens: dict[str, Grant] = field(default_factory=dict)
    subscriptions: dict[str, list[str]] = field(default_factory=dict)
    logins: int = 0


def desk() -> Desk:
    found: Desk = current_app.extensions.setdefault("meta_oauth", Desk())
    return found


def _error(error: GraphError) -> Response:
    response = jsonify(error.body(secrets.token_urlsafe(12)))
    response.status_code = error.status
    return response


@bp.errorhandler(GraphError)
def _graph_error(exc: GraphError) -> Response:
    return _error(exc)


@bp.route("/<version>/dialog/oauth", methods=["GET"])
def dialog(version: str) -> Any:
    """The consent page a browser is sent to; the button posts back here."""
    w = world()
    args = request.args
    if args.get("client_id") != str(w.config["APP_ID"]) or not args.get("redirect_uri"):
        return Response("Invalid App ID or missing redirect_uri", status=400)
    hidden = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in args.items()
    )
    scopes = args.get("scope") or ",".join(PAGE_SCOPES)
    page = w.page
    body = f"""<!doctype html><html lang="ko"><head><meta charset="utf-8">
<title>Log in with Facebook (sandbox)</title></head><body>
<h1>Switchboard sandbox app wants to manage your pages</h1>
<p>Logged in as <b>{html.escape(USER["name"])}</b>.</p>
<p>Pages: <b>{html.escape(page.name)}</b> (Instagram @{html.escape(page.ig_username)})</p>
<p>Permissions: {html.escape(scopes)}</p>
<form method="post">{hidden}
<button type="submit" name="decision" value="allow">Continue as {html.escape(USER["name"])}</button>
<button type="submit" name="decision" value="cancel">Cancel</button>
</form></body></html>"""
    return Response(body, mimetype="text/html")


@bp.route("/<version>/dialog/oauth", methods=["POST"])
def consent(version: str) -> Any:
    w = world()
    form = request.form
    target = form.get("redirect_uri", "")
    if form.get("client_id") != str(w.config["APP_ID"]) or not target:
        return Response("Invalid App ID or missing redirect_uri", status=400)
    back: dict[str, str] = {"state": form.get("state", "")}
    if form.get("decision") != "allow":
        back.update(error="access_denied", error_reason="user_denied")
    else:
        code = "sbx-code-" + secrets.token_urlsafe(24)
        scopes = tuple(s for s in (form.get("scope") or ",".join(PAGE_SCOPES)).split(",") if s)
        with desk().lock:
            desk().codes[code] = Grant("code", w.now() + CODE_LIFETIME, scopes, target)
            desk().logins += 1
        back["code"] = code
    joiner = "&" if "?" in target else "?"
    return redirect(target + joiner + urlencode(back), code=302)


@bp.route("/<version>/oauth/access_token", methods=["GET", "POST"])
def access_token(version: str) -> Response:
    w = world()
    params = {**request.args, **request.form}
    if params.get("client_id") != str(w.config["APP_ID"]) or params.get("client_secret") != str(
        w.config["APP_SECRET"]
    ):
        raise GraphError(101, "Error validating application. Invalid application ID.")
    d = desk()
    with d.lock:
        if params.get("grant_type") == "fb_exchange_token":
            old = _user_grant(w, d, str(params.get("fb_exchange_token") or ""))
            return _issue(w, d, "long", LONG_LIVED, old.scopes)
        code = str(params.get("code") or "")
        grant = d.codes.pop(code, None)  # single use: a replayed code is unknown
        if grant is None or grant.expires <= w.now():
            raise GraphError(
                100, "This authorization code has been used or has expired.", subcode=36009
            )
        if params.get("redirect_uri") != grant.redirect_uri:
            raise GraphError(
                100,
                "Error validating verification code. Please make sure your redirect_uri is "
                "identical to the one you used in the OAuth dialog request",
                subcode=36008,
            )
        return _issue(w, d, "short", SHORT_LIVED, grant.scopes)


def _issue(w: World, d: Desk, kind: str, life: timedelta, scopes: tuple[str, ...]) -> Response:
    token = f"sbx-user-{kind}-" + secrets.token_urlsafe(24)
    d.tokens[token] = Grant(kind, w.now() + life, scopes, issued=w.now())
    return jsonify(access_token=token, token_type="bearer", expires_in=int(life.total_seconds()))


def _user_grant(w: World, d: Desk, token: str) -> Grant:
    grant = d.tokens.get(token)
    if grant is None:
        raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
    if grant.expires <= w.now():
        raise GraphError(
            190,
            "Error validating access token: Session has expired.",
            subcode=463,
        )
    return grant


def _token() -> str:
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth[7:]
    return str(request.values.get("access_token") or "")


@bp.route("/<version>/me/accounts", methods=["GET"])
def accounts(version: str) -> Response:
    """The user's pages; a page whose token was revoked gets a new one (re-consent)."""
    w = world()
    d = desk()
    with d.lock:
        _user_grant(w, d, _token())
    with w.lock:
        page = w.page
        if page.revoked_subcode is not None:
            page.token = "sbx-page-" + secrets.token_urlsafe(24)
            page.revoked_subcode = None
        row: dict[str, Any] = {
            "id": page.id,
            "name": page.name,
            "access_token": page.token,
            "category": "Health/Beauty",
            "tasks": ["ADVERTISE", "ANALYZE", "CREATE_CONTENT", "MESSAGING", "MODERATE", "MANAGE"],
            "instagram_business_account": {"id": page.ig_id, "username": page.ig_username},
        }
    return jsonify(data=[row], paging={"cursors": {"before": "QVFI", "after": "QVFI"}})


@bp.route("/<version>/<page_id>/subscribed_apps", methods=["GET", "POST", "DELETE"])
def subscribed_apps(version: str, page_id: str) -> Response:
    w = world()
    with w.lock:
        page = w.page
        if _token() != page.token or page.revoked_subcode is not None:
            raise GraphError(190, "Invalid OAuth access token - Cannot parse access token")
        if page_id != page.id:
            raise GraphError(100, f"Unsupported post request. Object with ID '{page_id}'")
    d = desk()
    with d.lock:
        if request.method == "POST":
            fields = str(request.values.get("subscribed_fields") or "")
            if not fields:
                raise GraphError(100, "(#100) The parameter subscribed_fields is required.")
            d.subscriptions[page_id] = [f for f in fields.split(",") if f]
            return jsonify(success=True)
        if request.method == "DELETE":
            d.subscriptions.pop(page_id, None)
            return jsonify(success=True)
        fields_now = d.subscriptions.get(page_id)
    data = (
        [
            {
                "category": "Business",
                "name": "Switchboard",
                "id": str(w.config["APP_ID"]),
                "subscribed_fields": fields_now,
            }
        ]
        if fields_now
        else []
    )
    return jsonify(data=data)


@bp.route("/<version>/debug_token", methods=["GET"])
def debug_token(version: str) -> Response:
    w = world()
    app_token = f"{w.config['APP_ID']}|{w.config['APP_SECRET']}"
    if _token() != app_token:
        raise GraphError(190, "Invalid OAuth access token signature.")
    token = str(request.args.get("input_token") or "")
    app = {"app_id": str(w.config["APP_ID"]), "application": "Switchboard"}
    if token and token == w.page.token:
        return jsonify(
            data={
                **app,
                "type": "PAGE",
                "profile_id": w.page.id,
                "is_valid": w.page.revoked_subcode is None,
                "expires_at": 0,
                "data_access_expires_at": int((w.now() + timedelta(days=90)).timestamp()),
                "scopes": list(PAGE_SCOPES),
                "user_id": USER["id"],
            }
        )
    with desk().lock:
        grant = desk().tokens.get(token)
    if grant is None:
        return jsonify(
            data={
                **app,
                "is_valid": False,
                "error": {"code": 190, "message": "Invalid OAuth access token."},
                "scopes": [],
            }
        )
    return jsonify(
        data={
            **app,
            "type": "USER",
            "is_valid": grant.expires > w.now(),
            "issued_at": int((grant.issued or w.now()).timestamp()),
            "expires_at": int(grant.expires.timestamp()),
            "scopes": list(grant.scopes),
            "user_id": USER["id"],
        }
    )


@bp.route("/_emu/oauth", methods=["GET"])
def state() -> Response:
    """For tests: how many logins, which subscriptions (never the tokens)."""
    d = desk()
    with d.lock:
        return jsonify(
            logins=d.logins,
            subscriptions=dict(d.subscriptions),
            user_tokens=len(d.tokens),
        )
