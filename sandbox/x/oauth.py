"""X's side of connecting an account, emulated (docs/platform-apis.md §6.2, §6.3).

OAuth 2.0 authorization code with PKCE: the consent page at `/i/oauth2/authorize` (Authorize
app / Cancel), `POST /2/oauth2/token` for `authorization_code` (the S256 challenge is checked
against the verifier, codes are single use and bound to their redirect_uri) and `refresh_token`
(refresh tokens rotate: each works once). Access tokens live two hours on the world's clock.
OAuth 1.0a three-legged: `POST /oauth/request_token`, the consent page at `/oauth/authorize`,
`POST /oauth/access_token`, every leg's HMAC-SHA1 signature verified. The accounts authorize as
the brand user.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from sandbox.x.gate import the_world
from sandbox.x.wire import oauth1_params, oauth1_valid
from sandbox.x.world import Token, World

CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"
ACCESS_LIFETIME = 7200.0
CODE_LIFETIME = 30.0 * 60


def settings(base_url: str) -> dict[str, str]:
    """The X_* OAuth settings that send "Connect X" to this emulator at `base_url`."""
    return {
        "X_AUTHORIZE_URL": base_url.rstrip("/") + "/i/oauth2/authorize",
        "X_CLIENT_ID": CLIENT_ID,
        "X_CLIENT_SECRET": CLIENT_SECRET,
    }


@dataclass
class Pending:
    """An authorization code, or an OAuth 1.0a request token, waiting for its exchange."""

    user_id: str
    redirect_uri: str
    expires: float
    challenge: str = ""
    scopes: tuple[str, ...] = ()
    secret: str = ""  # OAuth 1.0a request token secret
    verifier: str = ""  # OAuth 1.0a verifier, set once the user authorized
    authorized: bool = False


def register(app: Flask) -> None:
    app.extensions["x_oauth"] = {"codes": {}, "refresh": {}, "requests": {}}
    app.get("/i/oauth2/authorize")(authorize_page)
    app.post("/i/oauth2/authorize")(authorize_decision)
    app.post("/2/oauth2/token")(token)
    app.post("/oauth/request_token")(request_token)
    app.get("/oauth/authorize")(oauth1_page)
    app.post("/oauth/authorize")(oauth1_decision)
    app.post("/oauth/access_token")(access_token)


def _store(name: str) -> dict[str, Any]:
    from flask import current_app

    found: dict[str, Any] = current_app.extensions["x_oauth"][name]
    return found


def _page(title: str, lines: list[str], hidden: dict[str, str]) -> Response:
    fields = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
        for k, v in hidden.items()
    )
    body = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><h1>{title}</h1>"
        + "".join(f"<p>{line}</p>" for line in lines)
        + f'<form method="post">{fields}'
        '<button type="submit" name="decision" value="allow">Authorize app</button> '
        '<button type="submit" name="decision" value="cancel">Cancel</button></form>'
        "</body></html>"
    )
    return Response(body, mimetype="text/html")


def _brand(w: World) -> tuple[str, str]:
    user = w.users[w.brand_id]
    return user.id, user.username


def _oauth_error(status: int, error: str, description: str) -> Response:
    response = jsonify(error=error, error_description=description)
    response.status_code = status
    return response


# OAuth 2.0 with PKCE.


def authorize_page() -> Response:
    args = request.args
    if args.get("client_id") != CLIENT_ID or not args.get("redirect_uri"):
        return Response("Something went wrong: unknown client_id or no redirect_uri", 400)
    if args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
        return Response("Something went wrong: PKCE S256 code_challenge is required", 400)
    if args.get("response_type") != "code" or not args.get("state"):
        return Response("Something went wrong: response_type=code and state are required", 400)
    _uid, username = _brand(the_world())
    return _page(
        "Authorize Switchboard (sandbox) to access your X account?",
        [
            f"Signed in as <b>@{html.escape(username)}</b>",
            "Scopes: " + html.escape(args.get("scope", "")),
        ],
        dict(args.items()),
    )


def authorize_decision() -> BaseResponse:
    form = request.form
    target = form.get("redirect_uri", "")
    if form.get("client_id") != CLIENT_ID or not target:
        return Response("Something went wrong", 400)
    back = {"state": form.get("state", "")}
    w = the_world()
    if form.get("decision") != "allow":
        back["error"] = "access_denied"
    else:
        code = "sbx-x-code-" + secrets.token_urlsafe(24)
        user_id, _name = _brand(w)
        with w.lock:
            _store("codes")[code] = Pending(
                user_id,
                target,
                w.clock.now() + CODE_LIFETIME,
                challenge=form.get("code_challenge", ""),
                scopes=tuple(form.get("scope", "").split()),
            )
        back["code"] = code
    return redirect(target + ("&" if "?" in target else "?") + urlencode(back), code=302)


def _client_ok() -> bool:
    """Confidential clients use HTTP Basic; public ones send client_id in the body."""
    auth = request.authorization
    if auth is not None:
        return auth.username == CLIENT_ID and auth.password == CLIENT_SECRET
    return request.form.get("client_id") == CLIENT_ID


def token() -> Response:
    if not _client_ok():
        return _oauth_error(401, "unauthorized_client", "Missing valid authorization header")
    w = the_world()
    form = request.form
    with w.lock:
        if form.get("grant_type") == "authorization_code":
            pending: Pending | None = _store("codes").pop(form.get("code", ""), None)
            if pending is None or pending.expires <= w.clock.now():
                return _oauth_error(
                    400, "invalid_request", "Value passed for the token was invalid."
                )
            if form.get("redirect_uri") != pending.redirect_uri:
                return _oauth_error(
                    400, "invalid_request", "Value passed for redirect_uri was invalid."
                )
            digest = hashlib.sha256(form.get("code_verifier", "").encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != pending.challenge:
                return _oauth_error(
                    400,
                    "invalid_request",
                    "Value passed for the code verifier did not match the code challenge.",
                )
            return _issue(w, pending.user_id, pending.scopes)
        if form.get("grant_type") == "refresh_token":
            held: Pending | None = _store("refresh").pop(form.get("refresh_token", ""), None)
            if held is None:
                return _oauth_error(
                    400, "invalid_request", "Value passed for the token was invalid."
                )
            return _issue(w, held.user_id, held.scopes)
    return _oauth_error(400, "unsupported_grant_type", "grant_type is not supported")


def _issue(w: World, user_id: str, scopes: tuple[str, ...]) -> Response:
    access = "sbx-x-access-" + secrets.token_urlsafe(24)
    w.add_token(Token(access, "oauth2_user", user_id, expires_at=w.clock.now() + ACCESS_LIFETIME))
    body: dict[str, Any] = {
        "token_type": "bearer",
        "expires_in": int(ACCESS_LIFETIME),
        "access_token": access,
        "scope": " ".join(scopes),
    }
    if "offline.access" in scopes:
        refresh = "sbx-x-refresh-" + secrets.token_urlsafe(24)
        _store("refresh")[refresh] = Pending(user_id, "", float("inf"), scopes=scopes)
        body["refresh_token"] = refresh
    return jsonify(body)


# OAuth 1.0a, three-legged.


def _signed(w: World, token_secret: str) -> bool:
    return oauth1_valid(
        request.headers.get("Authorization", ""),
        method=request.method,
        url=request.url,
        query=list(request.args.items(multi=True)),
        consumer_secret=w.consumer_secret,
        token_secret=token_secret,
    )


def _form(**values: str) -> Response:
    return Response(urlencode(values), mimetype="application/x-www-form-urlencoded")


def request_token() -> Response:
    w = the_world()
    params = oauth1_params(request.headers.get("Authorization", ""))
    if params.get("oauth_consumer_key") != w.consumer_key or not _signed(w, ""):
        return Response("Could not authenticate you.", 401)
    callback = params.get("oauth_callback", "")
    if not callback:
        return Response("oauth_callback is required", 400)
    key, secret = "sbx-req-" + secrets.token_urlsafe(16), secrets.token_urlsafe(24)
    user_id, _name = _brand(w)
    with w.lock:
        _store("requests")[key] = Pending(
            user_id, callback, w.clock.now() + CODE_LIFETIME, secret=secret
        )
    return _form(oauth_token=key, oauth_token_secret=secret, oauth_callback_confirmed="true")


def oauth1_page() -> Response:
    key = request.args.get("oauth_token", "")
    with the_world().lock:
        known = key in _store("requests")
    if not known:
        return Response("This page is no longer valid (unknown oauth_token).", 400)
    _uid, username = _brand(the_world())
    return _page(
        "Authorize Switchboard (sandbox) to use your account?",
        [f"Signed in as <b>@{html.escape(username)}</b>"],
        {"oauth_token": key},
    )


def oauth1_decision() -> BaseResponse:
    key = request.form.get("oauth_token", "")
    w = the_world()
    with w.lock:
        pending: Pending | None = _store("requests").get(key)
        if pending is None:
            return Response("This page is no longer valid.", 400)
        if request.form.get("decision") != "allow":
            _store("requests").pop(key, None)
            back = {"denied": key}
        else:
            pending.authorized = True
            pending.verifier = secrets.token_urlsafe(16)
            back = {"oauth_token": key, "oauth_verifier": pending.verifier}
    target = pending.redirect_uri
    return redirect(target + ("&" if "?" in target else "?") + urlencode(back), code=302)


def access_token() -> Response:
    w = the_world()
    params = oauth1_params(request.headers.get("Authorization", ""))
    key = params.get("oauth_token", "")
    with w.lock:
        pending: Pending | None = _store("requests").get(key)
        if (
            pending is None
            or not pending.authorized
            or params.get("oauth_verifier") != pending.verifier
            or params.get("oauth_consumer_key") != w.consumer_key
            or not _signed(w, pending.secret)
        ):
            return Response("Invalid request token.", 401)
        del _store("requests")[key]  # single use
        token_key = f"{pending.user_id}-" + secrets.token_urlsafe(20)
        token_secret = secrets.token_urlsafe(30)
        w.add_token(Token(token_key, "oauth1", pending.user_id, token_secret))
    user_id, username = _brand(w)
    return _form(
        oauth_token=token_key,
        oauth_token_secret=token_secret,
        user_id=user_id,
        screen_name=username,
    )
