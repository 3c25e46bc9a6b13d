"""What every emulated Graph handler shares: the call, cursor paging, the not-found error."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import current_app, request

from sandbox.meta.webhooks import Deliverer
from sandbox.meta.world import GraphError, Page, World


def world() -> World:
    return current_app.extensions["meta_sandbox"]  # type: ignore[no-any-return]


def deliverer() -> Deliverer:
    return current_app.extensions["meta_sandbox_webhooks"]  # type: ignore[no-any-return]


@dataclass
class Call:
    world: World
    page: Page
    params: dict[str, Any]
    version: str
    path: str

    def text(self, name: str, default: str = "") -> str:
        value = self.params.get(name, default)
        return value if isinstance(value, str) else json.dumps(value)

    def obj(self, name: str) -> Any:
        value = self.params.get(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise GraphError(100, f"(#100) param {name} must be JSON") from exc
        return value

    def flag(self, name: str) -> bool | None:
        value = self.params.get(name)
        if value is None:
            return None
        return value is True or str(value).lower() in ("true", "1")


# -- paging ---------------------------------------------------------------------------------------


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(f"sandbox-cursor:{index}".encode()).decode().rstrip("=")


def _index(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return int(raw.split(":", 1)[1])
    except (ValueError, IndexError) as exc:
        raise GraphError(100, "(#100) Invalid cursor") from exc


def paged(call: Call, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Cursor paging like Graph: `next` only when another page exists."""
    limit = max(1, min(int(call.params.get("limit") or 25), 100))
    start = _index(str(call.params["after"])) if call.params.get("after") else 0
    chunk = items[start : start + limit]
    result: dict[str, Any] = {"data": chunk}
    if not chunk:
        return result
    end = start + len(chunk)
    paging: dict[str, Any] = {"cursors": {"before": _cursor(start), "after": _cursor(end)}}
    base = f"{request.url_root.rstrip('/')}/{call.version}/{call.path}"
    query = {
        k: v for k, v in request.args.items() if k not in ("after", "before", "appsecret_proof")
    }
    if end < len(items):
        paging["next"] = f"{base}?{urlencode({**query, 'after': _cursor(end)})}"
    if start > 0:
        paging["previous"] = f"{base}?{urlencode({**query, 'before': _cursor(start)})}"
    result["paging"] = paging
    return result


def missing(node: str) -> GraphError:
    return GraphError(
        100,
        f"Unsupported get request. Object with ID '{node}' does not exist, cannot be loaded due "
        "to missing permissions, or does not support this operation.",
        subcode=33,
        kind="GraphMethodException",
    )


def cdn(w: World, name: str) -> str:
    return f"{str(w.config.get('PUBLIC_URL') or request.url_root).rstrip('/')}/_emu/media/{name}"
