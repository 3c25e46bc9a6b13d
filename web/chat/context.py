"""Who is asking: the widget (channel account), the visitor's session, and CORS for both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn, cast

from flask import Response, abort, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.webchat import SessionClaims, TokenError, WebchatConnector, read_token
from inbox.models import ChannelAccount
from switchboard.runtime import Runtime
from web.chat import bp
from web.chat.strings import message, pick_locale
from web.runtime import current_runtime

SLUG = "webchat"
# Endpoints every origin may load: the demo page itself and signed image links in <img>.
_OPEN_ENDPOINTS = {"chat.demo", "chat.file"}


@dataclass(frozen=True, slots=True)
class Widget:
    id: int
    external_id: str
    name: str
    options: dict[str, Any]


class ChatError(Exception):
    """Refuse a request with a JSON error the widget understands (`error` code + message)."""

    def __init__(self, status: int, code: str, **values: object) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.values = values


@bp.errorhandler(ChatError)
def _chat_error(exc: ChatError) -> tuple[Response, int]:
    locale = pick_locale(getattr(g, "chat_locale", None), _accept_language())
    body: dict[str, object] = {
        "error": exc.code,
        "message": message(exc.code, locale, **exc.values),
    }
    body.update({k: v for k, v in exc.values.items() if isinstance(v, int | str)})
    response = jsonify(body)
    if isinstance(exc.values.get("retry_after"), int):
        response.headers["Retry-After"] = str(exc.values["retry_after"])
    return response, exc.status


def runtime() -> Runtime:
    return current_runtime()


def connector(rt: Runtime) -> WebchatConnector:
    return cast(WebchatConnector, rt.connector_by_slug(SLUG))


def load_widget(session: Session, external_id: str) -> Widget:
    account = session.scalars(
        select(ChannelAccount).where(
            ChannelAccount.channel == SLUG,
            ChannelAccount.connector == SLUG,
            ChannelAccount.external_id == external_id,
            ChannelAccount.enabled.is_(True),
        )
    ).first()
    if account is None:
        abort(404)
    return Widget(account.id, account.external_id, account.name, dict(account.options or {}))


def widget(external_id: str) -> Widget:
    """The widget of this request, loaded once (CORS and the view both need it)."""
    cached = g.get("chat_widget")
    if isinstance(cached, Widget) and cached.external_id == external_id:
        return cached
    with runtime().db.session() as session:
        found = load_widget(session, external_id)
    g.chat_widget = found
    return found


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def visitor(external_id: str) -> tuple[Widget, SessionClaims, str]:
    """The widget and the visitor's verified session claims; 401 `session` otherwise."""
    found = widget(external_id)
    token = bearer_token()
    if token is None:
        raise ChatError(401, "session")
    claims = read_claims(token, found)
    if claims is None:
        raise ChatError(401, "session")
    g.chat_locale = claims.locale
    return found, claims, token


def read_claims(token: str, found: Widget) -> SessionClaims | None:
    chat = connector(runtime())
    try:
        return read_token(
            chat.secret, token, widget=found.external_id, max_age=chat.session_max_age
        )
    except TokenError:
        return None


def fail(status: int, code: str, **values: object) -> NoReturn:
    raise ChatError(status, code, **values)


def now_ts() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- CORS -------------------------------------------------------------------------------------


def _own_origins() -> set[str]:
    origins = {request.host_url.rstrip("/")}
    base = runtime().settings.get("PUBLIC_BASE_URL")
    if base:
        origins.add(base.rstrip("/"))
    return origins


def origin_allowed(found: Widget, origin: str) -> bool:
    if origin in _own_origins():
        return True
    allowed = found.options.get("allowed_origins") or []
    if isinstance(allowed, str):
        allowed = [allowed]
    return "*" in allowed or origin.rstrip("/") in {str(a).rstrip("/") for a in allowed}


def _request_widget() -> Widget | None:
    external_id = (request.view_args or {}).get("widget_id")
    if not isinstance(external_id, str):
        return None
    return widget(external_id)


@bp.before_request
def _check_origin() -> None:
    """A page on a site the widget does not list gets nothing (browsers also enforce CORS)."""
    origin = request.headers.get("Origin")
    if not origin or request.endpoint in _OPEN_ENDPOINTS or request.method == "OPTIONS":
        return
    found = _request_widget()
    if found is not None and not origin_allowed(found, origin):
        raise ChatError(403, "origin")


@bp.after_request
def _cors(response: Response) -> Response:
    origin = request.headers.get("Origin")
    if not origin or request.endpoint in _OPEN_ENDPOINTS:
        return response
    try:
        found = _request_widget()
    except Exception:  # a 404 widget: no CORS headers, the browser shows a network error
        return response
    if found is None or not origin_allowed(found, origin):
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Max-Age"] = "600"
    response.headers.add("Vary", "Origin")
    return response


def _accept_language() -> str | None:
    return request.accept_languages.best_match(["ko", "en"])
