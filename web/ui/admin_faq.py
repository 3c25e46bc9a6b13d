"""Admin: the FAQ editor (issue #8): list articles, edit both locales, history and restore;
the phrasings the ranking learned (review, remove) and the FAQ gaps report (issue #20).

Routes on the admin blueprint. Every save goes through inbox.faq.service, which appends a
new version (never overwrites) and writes the audit log, so the public /help page and the
reply suggestions pick the change up on their next request.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from inbox.faq import evidence, gaps
from inbox.faq.articles import LOCALES, LocalizedText
from inbox.faq.models import FaqArticle, FaqArticleVersion
from inbox.faq.service import UnknownArticle, get_article, history, restore_version, update_article
from inbox.models import User
from inbox.models.base import utcnow
from web.help import category_label
from web.runtime import current_runtime
from web.ui.admin import bp
from web.ui.common import roles, user_row
from web.ui.text import say

KEYWORDS_LIMIT = 50
GAP_DAYS = (7, 30, 90)


def _(text: str, **values: Any) -> str:
    return str(gettext(text, **values))


def _keywords(raw: str) -> tuple[str, ...]:
    """One keyword per line or comma-separated; blanks and duplicates dropped, order kept."""
    seen: dict[str, None] = {}
    for part in raw.replace(",", "\n").splitlines():
        if part.strip():
            seen.setdefault(part.strip(), None)
    return tuple(seen)[:KEYWORDS_LIMIT]


def _editors(db: Any, versions: list[FaqArticleVersion]) -> dict[int, str]:
    ids = {v.editor_id for v in versions if v.editor_id is not None}
    if not ids:
        return {}
    return {u.id: u.name for u in db.scalars(select(User).where(User.id.in_(ids)))}


@bp.get("/faq")
@roles("admin")
def faq() -> str:
    with current_runtime().db.session() as db:
        rows = list(
            db.scalars(
                select(FaqArticle)
                .options(selectinload(FaqArticle.current_version))
                .order_by(FaqArticle.id)
            )
        )
        current = [r.current_version for r in rows if r.current_version is not None]
        return render_template(
            "ui/admin/faq.html",
            rows=rows,
            editors=_editors(db, current),
            category_label=category_label,
        )


@bp.get("/faq/<slug>")
@roles("admin")
def faq_edit(slug: str) -> str:
    with current_runtime().db.session() as db:
        try:
            article = get_article(db, slug)
            versions = history(db, slug)
        except UnknownArticle:
            abort(404)
        learned = evidence.for_article(db, slug)
        people = {u.id: u.name for u in db.scalars(select(User))} if learned else {}
        return render_template(
            "ui/admin/faq_edit.html",
            article=article,
            locales=LOCALES,
            versions=list(reversed(versions)),
            current=versions[-1].number if versions else None,
            editors=_editors(db, versions),
            learned=learned,
            people=people,
            now=utcnow(),
            decay=evidence.decay,
        )


@bp.post("/faq/<slug>/evidence/<int:evidence_id>/remove")
@roles("admin")
def faq_evidence_remove(slug: str, evidence_id: int) -> Response:
    with current_runtime().db.session() as db:
        actor = user_row(db)
        try:
            row = evidence.remove(db, evidence_id, user_id=actor.id)
        except LookupError:
            abort(404)
        if row.article.slug != slug:
            db.rollback()
            abort(404)
        flash(_("The phrasing no longer counts for this article."), "ok")
    return redirect(url_for("admin.faq_edit", slug=slug) + "#learned")


@bp.get("/faq-gaps")
@roles("admin")
def faq_gaps() -> str:
    days = request.args.get("days", type=int) or 30
    if days not in GAP_DAYS:
        days = 30
    until = utcnow()
    with current_runtime().db.session() as db:
        groups = gaps.report(db, since=until - timedelta(days=days), until=until)
    return render_template("ui/admin/faq_gaps.html", groups=groups, days=days, choices=GAP_DAYS)


@bp.post("/faq/<slug>")
@roles("admin")
def faq_save(slug: str) -> Response:
    form = request.form
    category = form.get("category", "").strip()
    texts = {
        locale: LocalizedText(
            title=form.get(f"title_{locale}", "").strip(),
            answer=form.get(f"answer_{locale}", "").strip(),
            keywords=_keywords(form.get(f"keywords_{locale}", "")),
        )
        for locale in LOCALES
    }
    if not category or any(not t.title or not t.answer for t in texts.values()):
        flash(_("Category and every title and answer are required."), "error")
        return redirect(url_for("admin.faq_edit", slug=slug))
    with current_runtime().db.session() as db:
        actor = user_row(db)
        try:
            before = get_article(db, slug)
            version = update_article(
                db,
                slug,
                texts=texts,
                category=category,
                editor_id=actor.id,
                note=form.get("note", "").strip()[:500] or None,
            )
        except UnknownArticle:
            abort(404)
        except ValueError as exc:
            db.rollback()
            flash(say(exc), "error")
            return redirect(url_for("admin.faq_edit", slug=slug))
        if get_article(db, slug) == before:
            flash(_("Nothing changed; no new version was saved."), "ok")
        else:
            flash(_("Saved as version %(number)s.", number=version.number), "ok")
    return redirect(url_for("admin.faq_edit", slug=slug))


@bp.post("/faq/<slug>/restore/<int:number>")
@roles("admin")
def faq_restore(slug: str, number: int) -> Response:
    with current_runtime().db.session() as db:
        actor = user_row(db)
        try:
            version = restore_version(db, slug, number, editor_id=actor.id)
        except UnknownArticle:
            abort(404)
        flash(
            _("Version %(old)s restored as version %(number)s.", old=number, number=version.number),
            "ok",
        )
    return redirect(url_for("admin.faq_edit", slug=slug))
