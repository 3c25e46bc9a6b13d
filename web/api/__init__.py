"""REST API v1: Bearer tokens, JSON, problem+json errors, cursor paging (docs/design.md §5)."""

from __future__ import annotations

import importlib

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Each module registers its routes on `bp` when imported; one line per resource.
ROUTE_MODULES = (
    "errors",
    "edge",
    "conversations",
    "contacts",
    "announcements",
    "faq",
    "openapi",
    "notifications",
    "webhooks",
    "workflow",
    "automation",
    "channels",
    "privacy",
    "moderation",
    "reports",
    "calls",
)

for _name in ROUTE_MODULES:
    importlib.import_module(f"web.api.{_name}")
