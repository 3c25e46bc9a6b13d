"""Admin: "Connect with Facebook" and "Connect X" (issue #16), and reconnecting the same way.

Start (a CSRF-protected POST) stores a single-use state (inbox/oauth.py) and sends the browser
to the platform; the callback (a GET the platform redirects to) takes that state back, exchanges
the code and connects the account. Facebook adds a step: the pages the login granted are shown
to pick from, their page tokens held sealed in a second single-use state meanwhile. Tokens go
straight into the sealed credentials: never into a page, a URL we make, a flash or the log.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from connectors import behaviour
from connectors._meta.oauth import MetaLogin
from connectors.base import AccountConfig, CheckConnection, ConnectorError
from connectors.x.oauth import XLogin
from inbox.channels import expiry_warning
from inbox.models import ChannelAccount
from inbox.oauth import OAuthStateError, begin, connect, consume
from switchboard.runtime import Runtime
from switchboard.tokens import renewable
from web.runtime import current_runtime
from web.security import CSP
from web.ui.admin import bp
from web.ui.common import roles, user_row

# provider in the URL -> (channel it connects, purpose of its state row)
PROVIDERS = {"facebook": "facebook", "x": "x", "x1": "x_oauth1"}


def _(text: str, **values: Any) -> str:
    return str(gettext(text, **values))


def _rt() -> Runtime:

    return current_runtime()


def callback_url(rt: Runtime, provider: str) -> str:
    """The redirect URI registered with the platform: PUBLIC_BASE_URL + the callback path."""
    base = rt.settings.get("PUBLIC_BASE_URL").rstrip("/") or request.host_url.rstrip("/")
    return base + url_for("admin.oauth_callback", provider=provider)


def _seal(rt: Runtime, data: dict[str, Any]) -> bytes:
    return rt.seal({"json": json.dumps(data)})


def _unseal(rt: Runtime, sealed: bytes | None) -> dict[str, Any]:
    opened = rt.vault.open(sealed)
    found: dict[str, Any] = json.loads(opened.get("json") or "{}")
    return found


def _back(account_id: int | None) -> Response:
    if account_id:
        return redirect(url_for("admin.channel_account", account_id=account_id))
    return redirect(url_for("admin.channels"))


@bp.post("/channels/oauth/<provider>/start")
@roles("admin")
def oauth_start(provider: str) -> Response:
    if provider not in PROVIDERS:
        abort(404)
    rt = _rt()
    account_id = request.form.get("account_id", type=int)
    redirect_uri = callback_url(rt, provider)
    with rt.db.session() as db:
        if account_id is not None and db.get(ChannelAccount, account_id) is None:
            abort(404)
        user_id = user_row(db).id
        try:
            if provider == "facebook":
                meta = MetaLogin(rt.settings.env)
                if not meta.configured:
                    raise ConnectorError("META_APP_ID / META_APP_SECRET are not set")
                state = begin(db, user_id=user_id, purpose="facebook", account_id=account_id)
                url = meta.auth_url(redirect_uri=redirect_uri, state=state)
            elif provider == "x":
                x = XLogin(rt.settings.env)
                if not x.oauth2_configured:
                    raise ConnectorError("X_CLIENT_ID is not set")
                state = _new_state()
                started = x.start(redirect_uri=redirect_uri, state=state)
                begin(
                    db,
                    user_id=user_id,
                    purpose="x",
                    account_id=account_id,
                    state=state,
                    sealed=_seal(rt, {"verifier": started.secret}),
                )
                url = started.url
            else:
                started = XLogin(rt.settings.env).start_oauth1(callback=redirect_uri)
                begin(
                    db,
                    user_id=user_id,
                    purpose="x_oauth1",
                    account_id=account_id,
                    state=started.request_token,
                    sealed=_seal(rt, {"secret": started.secret}),
                )
                url = started.url
        except ConnectorError as exc:
            db.rollback()
            flash(_("Could not start the sign-in: %(why)s", why=exc.reason), "error")
            return _back(account_id)
    return redirect(url)


def _new_state() -> str:
    import secrets

    return secrets.token_urlsafe(32)


@bp.get("/channels/oauth/<provider>/callback")
@roles("admin")
def oauth_callback(provider: str) -> Any:
    if provider not in PROVIDERS:
        abort(404)
    rt = _rt()
    state = request.args.get("oauth_token" if provider == "x1" else "state", "")
    with rt.db.session() as db:
        try:
            row = consume(db, state, user_id=user_row(db).id, purpose=PROVIDERS[provider])
        except OAuthStateError:
            flash(
                _(
                    "This sign-in link is unknown, expired or was already used. "
                    "Start the connection again."
                ),
                "error",
            )
            return redirect(url_for("admin.channels"))
        account_id, sealed = row.channel_account_id, row.sealed
    if request.args.get("error") or request.args.get("denied"):
        flash(_("The sign-in was cancelled; nothing was connected."), "error")
        return _back(account_id)
    try:
        if provider == "facebook":
            return _facebook_pages(rt, account_id)
        if provider == "x":
            credentials, expires = _x_oauth2(rt, _unseal(rt, sealed), state)
        else:
            credentials, expires = _x_oauth1(rt, _unseal(rt, sealed), state)
        return _connect_x(rt, credentials, expires, account_id)
    except ConnectorError as exc:
        flash(_("Connecting failed: %(why)s", why=exc.reason), "error")
        return _back(account_id)


def _x_oauth2(
    rt: Runtime, held: dict[str, Any], state: str
) -> tuple[dict[str, str], datetime | None]:
    grant = XLogin(rt.settings.env).finish(
        # PUBLIC_BASE_URL's scheme, not request.url's: behind a TLS proxy that one says http.
        callback_url=callback_url(rt, "x") + "?" + request.query_string.decode(),
        redirect_uri=callback_url(rt, "x"),
        state=state,
        verifier=str(held.get("verifier") or ""),
    )
    credentials = {"bearer_token": grant.access_token}
    if grant.refresh_token:
        credentials["refresh_token"] = grant.refresh_token
    return credentials, grant.expires_at


def _x_oauth1(
    rt: Runtime, held: dict[str, Any], request_token: str
) -> tuple[dict[str, str], datetime | None]:
    token, secret = XLogin(rt.settings.env).finish_oauth1(
        request_token=request_token,
        secret=str(held.get("secret") or ""),
        verifier=request.args.get("oauth_verifier", ""),
    )
    return {"access_token": token, "access_token_secret": secret}, None


def _connect_x(
    rt: Runtime, credentials: dict[str, str], expires: datetime | None, account_id: int | None
) -> Response:
    checker = behaviour(rt.connector_by_slug("x"), CheckConnection)
    if checker is None:
        raise ConnectorError("the x connector declares no connection check")
    found = checker.check_connection(AccountConfig(0, "", credentials, {}))
    if not found.account_id:
        raise ConnectorError("X did not say whose token this is")
    user_id, handle = found.account_id, found.identity.lstrip("@")
    with rt.db.session() as db:
        if account_id is not None:
            target = db.get(ChannelAccount, account_id)
            if target is not None and target.external_id != user_id:
                flash(
                    _(
                        "You signed in as @%(handle)s, but this account is X user id %(id)s; "
                        "nothing was changed.",
                        handle=handle,
                        id=target.external_id,
                    ),
                    "error",
                )
                return _back(account_id)
        account, new = connect(
            db,
            channel="x",
            external_id=user_id,
            name=f"@{handle}",
            sealed=rt.seal(credentials),
            options={},
            expires_at=expires,
            actor_id=user_row(db).id,
        )
        connected_id = account.id
    flash(
        _("Connected @%(handle)s.", handle=handle)
        if new
        else _("Reconnected @%(handle)s; its history is kept.", handle=handle),
        "ok",
    )
    return redirect(url_for("admin.channel_account", account_id=connected_id))


def _facebook_pages(rt: Runtime, account_id: int | None) -> Any:
    """Exchange the code, make the user token long-lived, show the pages to pick from."""
    meta = MetaLogin(rt.settings.env)
    short = meta.exchange_code(
        code=request.args.get("code", ""), redirect_uri=callback_url(rt, "facebook")
    )
    long = meta.extend(short.token)
    pages = meta.pages(long.token)
    preselected: set[str] = set()
    with rt.db.session() as db:
        target = db.get(ChannelAccount, account_id) if account_id else None
        if target is not None:
            page_id = (
                target.external_id
                if target.channel == "facebook"
                else str((target.options or {}).get("page_id") or "")
            )
            preselected.add(page_id)
        held = {
            "user_token": long.token,
            "expires_at": long.expires_at.isoformat() if long.expires_at else None,
            "pages": [page.__dict__ for page in pages],
        }
        selection = begin(
            db,
            user_id=user_row(db).id,
            purpose="facebook_pages",
            account_id=account_id,
            sealed=_seal(rt, held),
        )
    shown = [
        {"id": p.id, "name": p.name, "ig_id": p.ig_id, "ig_username": p.ig_username} for p in pages
    ]
    return render_template(
        "ui/admin/oauth_pages.html",
        pages=shown,
        selection=selection,
        preselected=preselected or {p.id for p in pages[:1]},
    )


@bp.post("/channels/oauth/facebook/pages")
@roles("admin")
def oauth_facebook_pages() -> Response:
    """Connect the chosen pages (and their Instagram accounts): subscribe the app to each
    page's webhooks, store the page token sealed with the long-lived user token."""
    rt = _rt()
    chosen_pages = set(request.form.getlist("page"))
    chosen_ig = set(request.form.getlist("instagram"))
    with rt.db.session() as db:
        try:
            row = consume(
                db,
                request.form.get("selection", ""),
                user_id=user_row(db).id,
                purpose="facebook_pages",
            )
        except OAuthStateError:
            flash(_("This page list has expired or was already used; sign in again."), "error")
            return redirect(url_for("admin.channels"))
        held = _unseal(rt, row.sealed)
    meta = MetaLogin(rt.settings.env)
    expires = datetime.fromisoformat(held["expires_at"]) if held.get("expires_at") else None
    done: list[str] = []
    for page in held.get("pages") or []:
        if page["id"] not in chosen_pages and page["id"] not in chosen_ig:
            continue
        try:
            meta.subscribe(page["id"], page["token"])
        except ConnectorError as exc:
            flash(_("%(page)s: %(why)s", page=page["name"], why=exc.reason), "error")
            continue
        credentials = {
            "page_token": page["token"],
            "user_token": held["user_token"],
            "user_token_expires_at": held.get("expires_at") or "",
        }
        with rt.db.session() as db:
            actor = user_row(db).id
            sealed = rt.seal({k: v for k, v in credentials.items() if v})
            if page["id"] in chosen_pages:
                connect(
                    db,
                    channel="facebook",
                    external_id=page["id"],
                    name=page["name"],
                    sealed=sealed,
                    options={},
                    expires_at=expires,
                    actor_id=actor,
                )
                done.append(page["name"])
            if page["id"] in chosen_ig and page.get("ig_id"):
                connect(
                    db,
                    channel="instagram",
                    external_id=page["ig_id"],
                    name=f"@{page.get('ig_username') or page['ig_id']}",
                    sealed=sealed,
                    options={"page_id": page["id"]},
                    expires_at=expires,
                    actor_id=actor,
                )
                done.append(f"@{page.get('ig_username') or page['ig_id']}")
    if done:
        flash(_("Connected: %(names)s.", names=", ".join(done)), "ok")
    elif not chosen_pages and not chosen_ig:
        flash(_("No page was chosen; nothing was connected."), "error")
    return redirect(url_for("admin.channels"))


# Pages carrying a Connect / Reconnect button: the browser follows the start form's redirect
# to the platform's sign-in page, and CSP's form-action also governs where a form's redirects
# may lead, so these pages (only these) list the sign-in origins.
BUTTON_PAGES = frozenset({"admin.channels", "admin.channel_account"})


@bp.after_request
def _allow_sign_in_redirects(response: Response) -> Response:
    if request.endpoint not in BUTTON_PAGES or "Content-Security-Policy" in response.headers:
        return response

    origins = sorted(sign_in_origins(_rt()))
    if origins:
        response.headers["Content-Security-Policy"] = CSP.replace(
            "form-action 'self'", "form-action 'self' " + " ".join(origins)
        )
    return response


def sign_in_origins(rt: Runtime) -> set[str]:
    """scheme://host[:port] of every configured sign-in page (Meta dialog, X authorize pages)."""
    from urllib.parse import urlsplit

    meta, x = MetaLogin(rt.settings.env), XLogin(rt.settings.env)
    urls = []
    if meta.configured:
        urls.append(meta.login_url)
    if x.oauth2_configured:
        urls.append(x.authorize_url)
    if x.oauth1_configured:
        urls.append(x.api_url)
    return {f"{p.scheme}://{p.netloc}" for p in map(urlsplit, urls) if p.scheme and p.netloc}


@bp.app_context_processor
def _oauth_helpers() -> dict[str, Any]:
    return {"oauth_info": oauth_info}


def oauth_info(account: ChannelAccount | None) -> dict[str, Any]:
    """What the channel pages show about sign-in: which connect buttons work with the current
    settings, the expiry warning, and for Meta accounts what /debug_token says."""

    rt = _rt()
    meta, x = MetaLogin(rt.settings.env), XLogin(rt.settings.env)
    info: dict[str, Any] = {
        "facebook": meta.configured,
        "x": x.oauth2_configured,
        "x1": x.oauth1_configured,
        "warning": None,
        "tokens": [],
    }
    if account is None or not account.enabled or account.connector != account.channel:
        return info
    try:
        credentials = rt.vault.open(account.credentials)
    except ValueError:
        return info

    info["warning"] = expiry_warning(account, renewable=renewable(rt, account, credentials))
    if account.channel in ("facebook", "instagram") and meta.configured:
        for label, key in (("page", "page_token"), ("user", "user_token")):
            if not credentials.get(key):
                continue
            try:
                found = meta.debug(credentials[key])
            except ConnectorError as exc:
                info["tokens"].append({"label": label, "error": exc.reason})
                continue
            info["tokens"].append(
                {
                    "label": label,
                    "valid": found.valid,
                    "type": found.kind,
                    "scopes": found.scopes,
                    "expires_at": found.expires_at,
                }
            )
    return info
