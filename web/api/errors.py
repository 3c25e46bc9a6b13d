"""Every API error is RFC 9457 problem+json; nothing leaks an HTML error page or a traceback."""

from __future__ import annotations

from typing import Any

from flask import Response, json
from werkzeug.exceptions import HTTPException

from web.api import bp


class Problem(Exception):
    def __init__(self, status: int, title: str, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or title)
        self.status = status
        self.title = title
        self.detail = detail
        self.extra = extra


def problem_response(status: int, title: str, detail: str | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="switchboard"'
    return response


@bp.errorhandler(Problem)
def _problem(exc: Problem) -> Response:
    return problem_response(exc.status, exc.title, exc.detail, **exc.extra)


@bp.errorhandler(HTTPException)
def _http(exc: HTTPException) -> Response:
    return problem_response(exc.code or 500, exc.name, exc.description)
