"""Admin: connect, test, reconnect and disconnect channel accounts (issues #5-#7).

Routes on the admin blueprint. The form fields per channel come from its declaration
(connectors/<slug>/channel.py, read by web/ui/channel_fields.py);
state changes go through inbox/channels.py (which writes the audit log). Secrets are sealed
before they reach the database and are never put back into a page: a form shown again after
a test or an error asks for them again, and on an existing account an empty secret keeps the
stored one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session
from werkzeug.wrappers import Response

from connectors import behaviour
from connectors.base import AccountConfig, CheckConnection, ConnectionCheck, ConnectorError
from connectors.fetch import host_is_public
from inbox.channels import add_account, remove_account, update_credentials, update_options
from inbox.models import ChannelAccount, SyncCursor
from inbox.replies import mark_healthy
from switchboard.check import account_state
from switchboard.runtime import Runtime
from web.runtime import current_runtime
from web.ui.admin import bp
from web.ui.channel_fields import ChannelSpec, Parsed, form_values, parse, spec_for
from web.ui.common import roles, user_row
from web.ui.text import say, ui_language

log = logging.getLogger(__name__)

FLASH_LIMIT = 500  # provider reasons go into the session cookie


def _(text: str, **values: Any) -> str:
    return str(gettext(text, **values))


@dataclass
class Check:
    """The outcome of a connector's token/login check, for the page."""

    ran: bool = False
    identity: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.ran and not self.problems


def run_check(rt: Runtime, connector_slug: str, spec: ChannelSpec, config: AccountConfig) -> Check:
    """Call the connector's connection check (CheckConnection); never raises."""
    if not spec.check:
        return Check()
    checker = behaviour(rt.connector_by_slug(connector_slug), CheckConnection)
    if checker is None:
        return Check(ran=True, problems=[_("This connector has no connection test.")])
    refused = _private_mail_hosts(spec, dict(config.options))
    if refused:
        return Check(ran=True, problems=refused)
    try:
        found = checker.check_connection(config)
    except ConnectorError as exc:
        return Check(ran=True, problems=[exc.reason])
    except Exception:  # details go to the log, not to the page (no network probing)
        log.exception("connection test of a %s account failed", connector_slug)
        return Check(ran=True, problems=[_("The connection test failed; see the server log.")])
    return _identity(config, found)


def _identity(config: AccountConfig, found: ConnectionCheck) -> Check:
    if found.account_id is None:
        return Check(ran=True, identity=found.identity, problems=list(found.problems))
    check = Check(
        ran=True,
        identity=f"{found.identity} (id {found.account_id})",
        problems=list(found.problems),
    )
    if config.external_id and found.account_id != config.external_id:
        check.problems.append(
            _(
                "The token belongs to id %(found)s, not %(expected)s.",
                found=found.account_id,
                expected=config.external_id,
            )
        )
    return check


def _spec(slug: str) -> ChannelSpec:
    spec = spec_for(slug)
    if spec is None:
        abort(404)
    return spec


def _extra_errors(db: Session, spec: ChannelSpec, parsed: Parsed) -> None:
    mailbox = parsed.options.get("offline_email_account")
    if mailbox:  # webchat: the mailbox that answers outside the opening hours
        found = db.scalars(
            select(ChannelAccount.id).where(
                ChannelAccount.channel == "email",
                ChannelAccount.external_id == str(mailbox).lower(),
                ChannelAccount.enabled.is_(True),
            )
        ).first()
        if found is None:
            parsed.errors.append(_("No connected email account has the address %(a)s.", a=mailbox))
        else:
            parsed.options["offline_email_account"] = str(mailbox).lower()
    for origin in parsed.options.get("allowed_origins") or []:
        if origin != "*" and not origin.startswith(("https://", "http://")):
            parsed.errors.append(_("%(origin)s is not a site origin (https://…).", origin=origin))
    parsed.errors.extend(_private_mail_hosts(spec, parsed.options))


MAIL_HOST_FIELDS = ("imap_host", "smtp_host")


def _private_mail_hosts(spec: ChannelSpec, options: dict[str, Any]) -> list[str]:
    """IMAP/SMTP hosts on private, loopback or link-local addresses are refused unless listed
    in MAIL_ALLOW_HOSTS (a self-hosted mail server): the connection test must not become a
    way to probe the server's own network."""
    if not any(f.key in MAIL_HOST_FIELDS for f in spec.options):
        return []
    allowed = {
        h.strip().lower()
        for h in current_runtime().settings.get("MAIL_ALLOW_HOSTS").split(",")
        if h.strip()
    }
    errors: list[str] = []
    for key in MAIL_HOST_FIELDS:
        host = str(options.get(key) or "").strip().lower()
        if host and host not in allowed and not host_is_public(host):
            errors.append(
                _(
                    "%(host)s is a private or local address; an administrator can allow it "
                    "with MAIL_ALLOW_HOSTS.",
                    host=host,
                )
            )
    return errors


def poll_status(account: ChannelAccount | None) -> list[SyncCursor]:
    """Each poll stream's cursor: when it polls next, at what interval and why (shown so an
    admin sees the configured interval is not what the rate budget allows)."""
    if account is None:
        return []
    session = object_session(account)
    if session is None:
        return []
    return list(
        session.scalars(
            select(SyncCursor)
            .where(SyncCursor.channel_account_id == account.id)
            .order_by(SyncCursor.stream)
        )
    )


def _render_form(
    spec: ChannelSpec,
    *,
    account: ChannelAccount | None,
    values: dict[str, Any],
    name: str,
    external_id: str,
    errors: list[str] | None = None,
    check: Check | None = None,
    status: int = 200,
) -> tuple[str, int]:
    return (
        render_template(
            "ui/admin/channel_form.html",
            spec=spec,
            account=account,
            state=account_state(current_runtime(), account) if account is not None else None,
            polls=poll_status(account),
            values=values,
            name=name,
            external_id=external_id,
            errors=errors or [],
            check=check or Check(),
        ),
        status,
    )


@bp.route("/channels/new/<slug>", methods=["GET", "POST"])
@roles("admin")
def connect_channel(slug: str) -> Any:
    """Connect a new account: "Test connection" only checks; "Connect" checks, then saves."""
    spec = _spec(slug)
    if request.method == "GET":
        return _render_form(
            spec, account=None, values=form_values(spec, None), name="", external_id=""
        )
    rt = current_runtime()
    parsed = parse(spec, request.form, translate=_, language=ui_language())
    with rt.db.session() as db:
        _extra_errors(db, spec, parsed)
    values = _raw_options(spec)
    shown: dict[str, Any] = {
        "values": values,
        "name": parsed.name,
        "external_id": parsed.external_id,
    }
    if parsed.errors:
        return _render_form(spec, account=None, errors=parsed.errors, status=422, **shown)
    config = AccountConfig(0, parsed.external_id, parsed.credentials, parsed.options)
    action = request.form.get("action", "connect")
    check = run_check(rt, slug, spec, config) if action == "test" or spec.check else Check()
    if action == "test" or (check.ran and not check.ok and request.form.get("skip_check") != "1"):
        return _render_form(
            spec, account=None, check=check, status=200 if check.ok else 422, **shown
        )
    with rt.db.session() as db:
        actor = user_row(db)
        before = db.scalars(
            select(ChannelAccount.id).where(
                ChannelAccount.channel == slug, ChannelAccount.external_id == parsed.external_id
            )
        ).first()
        try:
            account = add_account(
                db,
                channel=slug,
                connector=slug,
                name=parsed.name,
                external_id=parsed.external_id,
                sealed_credentials=rt.seal(parsed.credentials) if parsed.credentials else None,
                options=parsed.options,
                actor_id=actor.id,
            )
        except ValueError as exc:
            db.rollback()
            return _render_form(spec, account=None, errors=[say(exc)], status=422, **shown)
        account_id = account.id
    flash(
        _("Reconnected; its history is kept.") if before else _("Connected."),
        "ok",
    )
    return redirect(url_for("admin.channel_account", account_id=account_id))


def _stored(rt: Runtime, account: ChannelAccount) -> dict[str, str]:
    """The stored secrets; none when they cannot be decrypted (the admin types new ones)."""
    try:
        return rt.vault.open(account.credentials)
    except ValueError:
        return {}


def _raw_options(spec: ChannelSpec) -> dict[str, Any]:
    """What the admin typed (non-secret), so a form with errors is shown as it was sent."""
    out: dict[str, Any] = {}
    for item in spec.options:
        if item.kind == "checkbox":
            out[item.key] = request.form.get(item.key) in ("1", "on", "true")
        else:
            out[item.key] = request.form.get(item.key, "")
    return out


@bp.route("/channels/<int:account_id>", methods=["GET", "POST"])
@roles("admin")
def channel_account(account_id: int) -> Any:
    """One account: health, its settings, reconnect with new credentials (empty keeps)."""
    rt = current_runtime()
    with rt.db.session() as db:
        account = db.get(ChannelAccount, account_id)
        if account is None:
            abort(404)
        spec = _spec(account.channel)
        if request.method == "GET":
            return _render_form(
                spec,
                account=account,
                values=form_values(spec, account.options or {}),
                name=account.name,
                external_id=account.external_id,
            )
        stored = _stored(rt, account) if account.enabled else {}
        form = request.form.copy()
        form["external_id"] = account.external_id  # the account's identity does not change
        parsed = parse(spec, form, stored=stored, translate=_, language=ui_language())
        _extra_errors(db, spec, parsed)
        # Options the form does not show (tls_ca_file, poll_backfill_days, ...) are kept.
        shown_keys = {f.key for f in spec.options}
        kept = {k: v for k, v in (account.options or {}).items() if k not in shown_keys}
        parsed.options = {**kept, **parsed.options}
        values = _raw_options(spec)
        shown: dict[str, Any] = {
            "values": values,
            "name": parsed.name,
            "external_id": account.external_id,
        }
        if parsed.errors:
            return _render_form(spec, account=account, errors=parsed.errors, status=422, **shown)
        config = AccountConfig(account.id, account.external_id, parsed.credentials, parsed.options)
        action = request.form.get("action", "save")
        check = run_check(rt, account.connector, spec, config) if spec.check else Check()
        if action == "test" or (
            check.ran and not check.ok and request.form.get("skip_check") != "1"
        ):
            return _render_form(
                spec, account=account, check=check, status=200 if check.ok else 422, **shown
            )
        actor = user_row(db)
        sealed = rt.seal(parsed.credentials) if parsed.credentials else None
        if not account.enabled:
            add_account(
                db,
                channel=account.channel,
                connector=account.connector,
                name=parsed.name,
                external_id=account.external_id,
                sealed_credentials=sealed,
                options=parsed.options,
                actor_id=actor.id,
            )
        else:
            update_options(db, account, name=parsed.name, options=parsed.options, actor_id=actor.id)
            if sealed is not None and _stored(rt, account) != parsed.credentials:
                update_credentials(db, account, sealed, actor.id)
            elif check.ok:
                mark_healthy(db, account)
    flash(_("Saved."), "ok")
    return redirect(url_for("admin.channel_account", account_id=account_id))


@bp.post("/channels/<int:account_id>/check")
@roles("admin")
def check_channel(account_id: int) -> Response:
    """Test the stored credentials; success marks the account healthy again."""
    rt = current_runtime()
    with rt.db.session() as db:
        account = db.get(ChannelAccount, account_id)
        if account is None:
            abort(404)
        spec = _spec(account.channel)
        config = AccountConfig(
            account.id, account.external_id, _stored(rt, account), dict(account.options or {})
        )
        check = run_check(rt, account.connector, spec, config)
        if check.ok:
            mark_healthy(db, account)
    if not check.ran:
        flash(_("This channel has no connection test."), "error")
    elif check.ok:
        flash(_("Connection works: %(who)s", who=check.identity)[:FLASH_LIMIT], "ok")
    else:
        problems = "; ".join(check.problems)
        flash(_("Connection failed: %(why)s", why=problems)[:FLASH_LIMIT], "error")
    return redirect(url_for("admin.channel_account", account_id=account_id))


@bp.route("/channels/<int:account_id>/disconnect", methods=["GET", "POST"])
@roles("admin")
def disconnect_channel(account_id: int) -> Any:
    """Disconnect after a confirmation page; conversations stay, credentials are dropped."""
    with current_runtime().db.session() as db:
        account = db.get(ChannelAccount, account_id)
        if account is None:
            abort(404)
        if request.method == "GET":
            return render_template("ui/admin/channel_disconnect.html", account=account)
        remove_account(db, account, user_row(db).id)
    flash(_("Disconnected."), "ok")
    return redirect(url_for("admin.channels"))
