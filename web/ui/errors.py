"""The UI's error pages (403, 404, the expired form's 400, 500, ...) in the agent's language.

Werkzeug's own pages are English whatever the UI language (issue 21: every string
translated). The REST API keeps its problem+json errors (web/api/errors.py, web/api/edge.py);
webhooks and the chat API keep theirs: only UI pages and unrouted browser URLs get this page.
"""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from web.ui.text import _

# Blueprints whose errors are not pages for people: they answer machines in their own format.
MACHINE_BLUEPRINTS = ("api", "webhooks", "chat", "health")


def _explain(exc: HTTPException) -> tuple[str, str]:
    code = exc.code or 500
    if isinstance(exc, CSRFError):
        return _("The form expired"), _("Reload the page and try again.")
    if code == 403:
        return _("No access"), _("Your role or your inboxes do not include this page.")
    if code == 404:
        return _("Page not found"), _("The address is wrong or what it showed was deleted.")
    if code == 405:
        return _("Not allowed here"), _("This address does not take that kind of request.")
    if code == 413:
        return _("Too large"), _("What you sent is larger than the server accepts.")
    if code == 429:
        return _("Too many requests"), _("Wait a minute and try again.")
    if code >= 500:
        return _("Something went wrong"), _("The error was logged. Try again in a moment.")
    return _("The request could not be handled"), _("Go back and try again.")


def error_page(exc: HTTPException) -> tuple[str, int] | HTTPException:
    """The HTML page for `exc`, or `exc` itself for machine endpoints (their own handlers)."""
    if request.blueprint in MACHINE_BLUEPRINTS:
        return exc
    title, detail = _explain(exc)
    code = exc.code or 500
    return render_template("ui/error.html", code=code, title=title, detail=detail), code


def html_error(exc: HTTPException) -> HTTPException | Response:
    page = error_page(exc)
    if isinstance(page, tuple):
        response = Response(page[0], status=page[1], mimetype="text/html")
        for key, value in exc.get_headers():
            if key.lower() in ("allow", "retry-after"):
                response.headers[key] = value
        return response
    return page


def install_error_pages(app: Flask) -> None:
    """Every HTTP error except 404/405, which web/api/edge.py owns and hands back here for
    non-API paths (one handler per code on the app; the later registration would win)."""
    app.register_error_handler(HTTPException, html_error)
