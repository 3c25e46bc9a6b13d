"""The public page behind an email survey's one-click links (issue 20).

`GET /csat/<token>?r=4` records nothing: mail scanners and link previews open every link
in a mail, so the page shows the chosen score preselected, an optional comment and a button.
`POST` records the answer once (inbox.csat.answer_once: a double click or a second tab
changes nothing) and is protected twice: the token is an HMAC-signed, expiring capability
for one survey (inbox/csat_links.py), and the form carries the app's CSRF token.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response

from inbox import csat
from inbox.csat_links import BadLink, verify
from inbox.models import utcnow
from inbox.models.reports import CsatSurvey
from web.runtime import current_runtime

bp = Blueprint("csat", __name__)

MAX_COMMENT = 2000


def _survey_id(token: str) -> int:
    try:
        return verify(current_runtime().settings.get("SECRET_KEY"), token, utcnow())
    except BadLink:
        abort(404)


def _rating(value: str | None) -> int | None:
    return int(value) if value in ("1", "2", "3", "4", "5") else None


def _page(
    token: str, survey: CsatSurvey, rating: int | None, *, saved: bool, status: int = 200
) -> Response:
    html = render_template(
        "csat/answer.html",
        token=token,
        survey=survey,
        rating=rating,
        saved=saved,
        max_comment=MAX_COMMENT,
    )
    return Response(html, status=status, mimetype="text/html")


@bp.get("/csat/<token>")
def confirm(token: str) -> Response:
    survey_id = _survey_id(token)
    with current_runtime().db.session() as session:
        survey = session.get(CsatSurvey, survey_id)
        if survey is None or survey.status not in ("sent", "answered"):
            abort(404)
        rating = survey.rating or _rating(request.args.get("r"))
        session.expunge(survey)
    return _page(token, survey, rating, saved=False)


@bp.post("/csat/<token>")
def record(token: str) -> Response:
    survey_id = _survey_id(token)
    rating = _rating(request.form.get("rating"))
    if rating is None:
        abort(400)
    comment = (request.form.get("comment") or "")[:MAX_COMMENT]
    with current_runtime().db.session() as session:
        try:
            survey, _stored = csat.answer_once(session, survey_id, rating, comment, utcnow())
        except LookupError:
            abort(404)
        session.flush()
        session.expunge(survey)
    return _page(token, survey, survey.rating, saved=True)
