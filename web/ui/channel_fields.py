"""The admin's "Connect account" form, for any channel: read from its declaration.

Each channel declares its fields in connectors/<slug>/channel.py (an `AccountForm`); this
module turns a submitted form into the account's sealed credentials and JSON options, with
the errors an admin can fix. Nothing here touches the database or Flask, and nothing here
names a channel.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors import CHANNELS
from connectors.base import Capability, Field, Text


def _(text: str) -> str:
    """Mark a label for pybabel; the template translates it when the page is rendered."""
    return text


@dataclass(frozen=True)
class ChannelSpec:
    """One channel's connect form as the admin page uses it (from its declaration)."""

    slug: str
    external_id_label: Text
    credentials: tuple[Field, ...] = ()
    options: tuple[Field, ...] = ()
    credential_sets: tuple[tuple[str, ...], ...] = ()
    external_id_digits: bool = False
    external_id_email: bool = False
    external_id_normalize: Callable[[str], str] | None = None
    check: bool = False  # the connector can test a connection (Capability.CHECK_CONNECTION)


def spec_for(slug: str | None) -> ChannelSpec | None:
    """The connect form of a registered channel; None for one not connected from the admin."""
    channel = CHANNELS.get(slug or "")
    if channel is None or channel.account is None:
        return None
    form = channel.account
    return ChannelSpec(
        slug=channel.slug,
        external_id_label=form.external_id_label,
        credentials=form.credentials,
        options=form.options,
        credential_sets=form.credential_sets,
        external_id_digits=form.external_id == "digits",
        external_id_email=form.external_id == "email",
        external_id_normalize=form.external_id_normalize,
        check=Capability.CHECK_CONNECTION in channel.capabilities,
    )


# Slugs whose accounts an admin connects and edits on the channels page, in registry order.
CONNECTABLE: tuple[str, ...] = tuple(s for s, c in CHANNELS.items() if c.account is not None)


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
    language: str = "en",
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
        out.errors.append(
            t(_("%(field)s is required."), field=spec.external_id_label.in_language(language))
        )
    elif spec.external_id_digits and not out.external_id.isdigit():
        out.errors.append(
            t(_("%(field)s must be digits."), field=spec.external_id_label.in_language(language))
        )
    elif spec.external_id_normalize is not None:
        try:
            out.external_id = spec.external_id_normalize(out.external_id)
        except ValueError as exc:
            out.errors.append(
                t(
                    _("%(field)s is not valid: %(reason)s"),
                    field=spec.external_id_label.in_language(language),
                    reason=str(exc),
                )
            )
    elif spec.external_id_email:
        out.external_id = out.external_id.lower()
        if "@" not in out.external_id:
            out.errors.append(
                t(
                    _("%(field)s must be an email address."),
                    field=spec.external_id_label.in_language(language),
                )
            )
    out.credentials = _secrets(spec, form, stored, out.errors, t, language)
    for item in spec.options:
        _option(item, form, out, t, language)
    return out


def _secrets(
    spec: ChannelSpec,
    form: Mapping[str, Any],
    stored: Mapping[str, str] | None,
    errors: list[str],
    t: Callable[..., str],
    language: str,
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
            errors.append(t(_("%(field)s is required."), field=item.label.in_language(language)))
    if spec.credential_sets and not any(
        all(merged.get(k) for k in s) for s in spec.credential_sets
    ):
        labels = " / ".join(
            " + ".join(f.label.in_language(language) for f in spec.credentials if f.key in s)
            for s in spec.credential_sets
        )
        errors.append(t(_("Credentials are incomplete: %(sets)s."), sets=labels))
    return {k: v for k, v in merged.items() if v}


def _option(
    item: Field, form: Mapping[str, Any], out: Parsed, t: Callable[..., str], language: str
) -> None:
    label = item.label.in_language(language)
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
