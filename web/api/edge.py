"""Input checks at the API's edge, before any view: bad input is a 400/404, never a 500.

Views trust what gets past here: path ids fit the database's integer columns (a larger id is
simply not found), and no string anywhere in the query or a JSON body carries a NUL byte or a
lone surrogate (PostgreSQL refuses NUL in text, and a surrogate cannot be encoded as UTF-8),
and numbers are finite and fit 32 bits. A JSON body is then validated against the request
schema of its operation in the OpenAPI document (web/api/openapi.py), so the document is the
contract the server enforces, not a description next to it. Unknown URLs and methods under
/api/v1 answer in problem+json like every other API error.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from flask import Response, request
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from werkzeug.exceptions import HTTPException

from web.api import bp
from web.api.errors import Problem, problem_response
from web.api.openapi import SPEC
from web.ui.errors import html_error

MAX_ID = 2**31 - 1  # INTEGER primary keys on PostgreSQL
MAX_DEPTH = 32


def plain_int(text: str | None, maximum: int = MAX_ID) -> int | None:
    """`text` as a non-negative int if it is ASCII digits up to `maximum`, else None.
    (str.isdigit() is true for "¹" and "٣", which int() then refuses or reads.)"""
    if not text or not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    value = int(text)
    return value if value <= maximum else None


def bad_text(value: str) -> str | None:
    """Why `value` cannot be stored as text, or None."""
    if "\x00" in value:
        return "NUL characters are not allowed"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "lone surrogate characters are not allowed"
    return None


def _check_json(value: Any, where: str, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise Problem(400, "Bad Request", "the JSON body is nested too deeply")
    if isinstance(value, str):
        reason = bad_text(value)
        if reason:
            raise Problem(400, "Bad Request", f"{where}: {reason}")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not -MAX_ID - 1 <= value <= MAX_ID:
            raise Problem(400, "Bad Request", f"{where}: integers must fit in 32 bits")
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise Problem(400, "Bad Request", f"{where}: numbers must be finite")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_json(key, where, depth + 1)
            _check_json(item, f"{where}.{key}", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json(item, f"{where}[{index}]", depth + 1)


@bp.before_request
def check_input() -> None:
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int) and not 0 < value <= MAX_ID:
            raise Problem(404, "Not Found", f"{name} {value} not found")
    for key, value in request.args.items(multi=True):
        reason = bad_text(key) or bad_text(value)
        if reason:
            raise Problem(400, "Bad Request", f"query parameter {key!r}: {reason}")
    operation = _operation_key()
    schema = _body_schema(*operation) if operation else None
    has_body = bool(request.content_length) or request.is_json
    payload = request.get_json(silent=True) if has_body else None
    if payload is not None:
        _check_json(payload, "body")
    if schema is None:
        return
    required, validator = schema
    if not has_body:
        if required:
            raise Problem(400, "Bad Request", "this operation needs a JSON body")
        return
    if payload is None:
        raise Problem(400, "Bad Request", "the body must be JSON (application/json)")
    error = best_match(validator.iter_errors(payload))
    if error is not None:
        where = "body" + "".join(f"[{p!r}]" for p in error.absolute_path)
        raise Problem(400, "Bad Request", f"{where}: {error.message}"[:500])


_PARAMETER = re.compile(r"<(?:[^<>:]+:)?[^<>]+>")


def _operation_key() -> tuple[str, str] | None:
    """(OpenAPI path, method) of the matched route: `<int:conversation_id>` becomes `{id}`."""
    rule = request.url_rule
    if rule is None or bp.url_prefix is None:
        return None
    path = _PARAMETER.sub("{id}", rule.rule.removeprefix(bp.url_prefix))
    return path, request.method.lower()


@lru_cache(maxsize=64)
def _body_schema(path: str, method: str) -> tuple[bool, Draft202012Validator] | None:
    body = SPEC["paths"].get(path, {}).get(method, {}).get("requestBody")
    schema = ((body or {}).get("content") or {}).get("application/json", {}).get("schema")
    if schema is None:
        return None
    # `#/components/...` references resolve against this root, which carries the components.
    root = {**schema, "components": SPEC["components"]}
    return bool(body.get("required")), Draft202012Validator(root)


@bp.app_errorhandler(404)
@bp.app_errorhandler(405)
def unrouted(exc: HTTPException) -> Response | HTTPException:
    """A URL no API route matched (e.g. a non-integer id) or a method it does not take."""
    if not request.path.startswith(f"{bp.url_prefix}/"):
        return html_error(exc)  # the UI's page in the agent's language (web/ui/errors.py)
    response = problem_response(exc.code or 404, exc.name, exc.description)
    for key, value in exc.get_headers():
        if key.lower() == "allow":
            response.headers["Allow"] = value
    return response
