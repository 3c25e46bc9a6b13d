"""What the admin's "Connect account" form asks for, per channel slug, in one table.

Derived from each connector's README and checked against the keys its code reads
(connectors/_meta/connector.py, connectors/instagram, connectors/x/client.py + connector.py,
connectors/email/imap.py + smtp.py + tls.py, web/chat/). Secrets go to the sealed credentials,
everything else to the account's JSON options. `parse` turns a submitted form into both, with
the errors an admin can fix; nothing here touches the database or Flask.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal


def _(text: str) -> str:
    """Mark a label for pybabel; the template translates it when the page is rendered."""
    return text


Kind = Literal["secret", "text", "textarea", "number", "checkbox", "choice", "lines", "json"]


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: Kind = "text"
    required: bool = False
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    default: Any = None  # shown on the connect form (checkbox: checked or not)
    help: str = ""


@dataclass(frozen=True)
class ChannelSpec:
    slug: str
    external_id_label: str
    credentials: tuple[Field, ...] = ()
    options: tuple[Field, ...] = ()
    # Alternative credential sets (X: an OAuth 1.0a pair or an OAuth 2.0 user token); one set
    # must be complete. Empty: every required credential field is needed.
    credential_sets: tuple[tuple[str, ...], ...] = ()
    external_id_digits: bool = False
    external_id_email: bool = False
    check: str | None = None  # the connector method the "Test connection" button calls


PORT = {"kind": "number", "minimum": 1, "maximum": 65535}
HUMAN_AGENT = Field(
    "human_agent_enabled",
    _("Human agent tag (replies up to 7 days)"),
    "checkbox",
    default=False,
)

CHANNELS: dict[str, ChannelSpec] = {
    "facebook": ChannelSpec(
        "facebook",
        _("Page id"),
        credentials=(Field("page_token", _("Page access token"), "secret", required=True),),
        options=(HUMAN_AGENT,),
        external_id_digits=True,
        check="whoami",
    ),
    "instagram": ChannelSpec(
        "instagram",
        _("Instagram account id"),
        credentials=(
            Field("page_token", _("Linked Page's access token"), "secret", required=True),
        ),
        options=(
            Field("page_id", _("Linked Page id"), help=_("DMs go through this Page")),
            HUMAN_AGENT,
        ),
        external_id_digits=True,
        check="whoami",
    ),
    "x": ChannelSpec(
        "x",
        _("X user id"),
        credentials=(
            Field("access_token", _("OAuth 1.0a access token"), "secret"),
            Field("access_token_secret", _("OAuth 1.0a access token secret"), "secret"),
            Field("bearer_token", _("or: OAuth 2.0 user token"), "secret"),
        ),
        options=(
            Field(
                "poll_interval",
                _("Poll interval (seconds)"),
                "number",
                minimum=10,
                maximum=3600,
                default=60,
            ),
        ),
        credential_sets=(("access_token", "access_token_secret"), ("bearer_token",)),
        external_id_digits=True,
        check="me",
    ),
    "email": ChannelSpec(
        "email",
        _("Mailbox address"),
        credentials=(
            Field("imap_password", _("IMAP password"), "secret", required=True),
            Field(
                "smtp_password",
                _("SMTP password"),
                "secret",
                help=_("Empty: send without logging in"),
            ),
        ),
        options=(
            Field("imap_host", _("IMAP server"), required=True),
            Field("imap_port", _("IMAP port"), **PORT),  # type: ignore[arg-type]
            Field("imap_tls", _("IMAP security"), "choice", choices=("ssl", "starttls", "none")),
            Field("imap_user", _("IMAP user"), required=True),
            Field("smtp_host", _("SMTP server"), required=True),
            Field("smtp_port", _("SMTP port"), **PORT),  # type: ignore[arg-type]
            Field("smtp_tls", _("SMTP security"), "choice", choices=("starttls", "ssl", "none")),
            Field("smtp_user", _("SMTP user"), help=_("Empty: the IMAP user")),
            Field("from_name", _("Sender name")),
            Field("signature", _("Signature"), "textarea"),
            Field("mailboxes", _("Mailboxes to poll (one per line)"), "lines", default="INBOX"),
            Field("mark_seen", _("Mark fetched mail as read"), "checkbox", default=False),
            Field("move_to", _("Move fetched mail to folder")),
        ),
        external_id_email=True,
        check="test_connection",
    ),
    "webchat": ChannelSpec(
        "webchat",
        _("Widget id"),
        options=(
            Field("title", _("Widget title")),
            Field(
                "allowed_origins",
                _("Sites allowed to embed the widget (one per line)"),
                "lines",
                help=_("e.g. https://shop.example.com, or * for any site"),
            ),
            Field(
                "hours",
                _("Opening hours (JSON)"),
                "json",
                help=_('e.g. {"timezone": "Asia/Seoul", "days": {"mon": "09:00-18:00"}}'),
            ),
            Field("self_service", _("Offer FAQ answers first"), "checkbox", default=True),
            Field(
                "offline_email_account",
                _("Mailbox that answers messages outside the hours"),
                help=_("The address of a connected email account"),
            ),
        ),
    ),
}


@dataclass
class Parsed:
    name: str = ""
    external_id: str = ""
    credentials: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def parse(
    spec: ChannelSpec,
    form: Mapping[str, Any],
    *,
    stored: Mapping[str, str] | None = None,
    translate: Callable[..., str] = lambda text, **values: text % values if values else text,
) -> Parsed:
    """Read name, external id, secrets and options from `form`.

    `stored` are the account's current credentials when it is edited: a secret left empty keeps
    its stored value, and a submitted credential set replaces the other sets (X: switching from
    an OAuth 1.0a pair to an OAuth 2.0 token drops the pair).
    """
    t = translate
    out = Parsed(
        name=str(form.get("name") or "").strip(),
        external_id=str(form.get("external_id") or "").strip(),
    )
    if not out.name:
        out.errors.append(t(_("Name is required.")))
    if not out.external_id:
        out.errors.append(t(_("%(field)s is required."), field=t(spec.external_id_label)))
    elif spec.external_id_digits and not out.external_id.isdigit():
        out.errors.append(t(_("%(field)s must be digits."), field=t(spec.external_id_label)))
    elif spec.external_id_email:
        out.external_id = out.external_id.lower()
        if "@" not in out.external_id:
            out.errors.append(
                t(_("%(field)s must be an email address."), field=t(spec.external_id_label))
            )
    out.credentials = _secrets(spec, form, stored, out.errors, t)
    for item in spec.options:
        _option(item, form, out, t)
    return out


def _secrets(
    spec: ChannelSpec,
    form: Mapping[str, Any],
    stored: Mapping[str, str] | None,
    errors: list[str],
    t: Callable[..., str],
) -> dict[str, str]:
    submitted = {
        f.key: str(form.get(f.key) or "").strip()
        for f in spec.credentials
        if str(form.get(f.key) or "").strip()
    }
    merged = dict(stored or {})
    if spec.credential_sets and submitted:
        chosen = [s for s in spec.credential_sets if set(submitted) & set(s)]
        if len(chosen) > 1:
            errors.append(t(_("Enter one kind of credentials, not both.")))
        keep = {k for s in chosen for k in s}
        merged = {k: v for k, v in merged.items() if k in keep}
    merged.update(submitted)
    for item in spec.credentials:
        if item.required and not merged.get(item.key):
            errors.append(t(_("%(field)s is required."), field=t(item.label)))
    if spec.credential_sets and not any(
        all(merged.get(k) for k in s) for s in spec.credential_sets
    ):
        labels = " / ".join(
            " + ".join(t(f.label) for f in spec.credentials if f.key in s)
            for s in spec.credential_sets
        )
        errors.append(t(_("Credentials are incomplete: %(sets)s."), sets=labels))
    return {k: v for k, v in merged.items() if v}


def _option(item: Field, form: Mapping[str, Any], out: Parsed, t: Callable[..., str]) -> None:
    label = t(item.label)
    if item.kind == "checkbox":
        out.options[item.key] = form.get(item.key) in ("1", "on", "true")
        return
    raw = str(form.get(item.key) or "").strip()
    if not raw:
        if item.required:
            out.errors.append(t(_("%(field)s is required."), field=label))
        return
    if item.kind == "number":
        if not (raw.isascii() and raw.isdigit()):
            out.errors.append(t(_("%(field)s must be a whole number."), field=label))
            return
        value = int(raw)
        low = item.minimum if item.minimum is not None else value
        high = item.maximum if item.maximum is not None else value
        if not low <= value <= high:
            out.errors.append(
                t(
                    _("%(field)s must be between %(low)s and %(high)s."),
                    field=label,
                    low=low,
                    high=high,
                )
            )
            return
        out.options[item.key] = value
    elif item.kind == "choice":
        if raw not in item.choices:
            out.errors.append(
                t(
                    _("%(field)s must be one of: %(choices)s."),
                    field=label,
                    choices=", ".join(item.choices),
                )
            )
            return
        out.options[item.key] = raw
    elif item.kind == "lines":
        out.options[item.key] = [line.strip() for line in raw.splitlines() if line.strip()]
    elif item.kind == "json":
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
        if not isinstance(value, dict):
            out.errors.append(t(_("%(field)s must be a JSON object."), field=label))
            return
        out.options[item.key] = value
    else:
        out.options[item.key] = raw if item.kind == "textarea" else raw.strip()


def form_values(spec: ChannelSpec, options: Mapping[str, Any] | None) -> dict[str, Any]:
    """Option values as the form shows them (lists one per line, JSON pretty-printed)."""
    values: dict[str, Any] = {}
    for item in spec.options:
        value = (options or {}).get(item.key, item.default if options is None else None)
        if item.kind == "lines" and isinstance(value, list | tuple):
            value = "\n".join(str(v) for v in value)
        elif item.kind == "json" and value is not None:
            value = json.dumps(value, ensure_ascii=False, indent=2)
        elif item.kind == "checkbox":
            value = bool(value) if value is not None else bool(item.default)
        values[item.key] = "" if value is None else value
    return values
