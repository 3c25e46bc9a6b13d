"""Message templates: the only thing WhatsApp lets a business send outside the 24-hour window.

Templates are written and approved in WhatsApp Manager (docs/platform-apis.md §5.6); we read
them from `GET /{waba-id}/message_templates` and offer the APPROVED ones whose variables we can
fill: body variables, positional (`{{1}}`) or named (`{{first_name}}`), and headers without
variables. Others (media headers, header variables, buttons that take parameters) are listed
with the reason they cannot be sent from the inbox, not hidden.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.base import MessageTemplate, PermanentSendError

VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
TEMPLATE_FIELDS = "id,name,language,status,category,components,parameter_format"


@dataclass(frozen=True, slots=True)
class Template:
    """One approved (or not) template in one language, as the composer offers it."""

    name: str
    language: str
    status: str
    category: str
    body: str
    variables: tuple[str, ...]  # "1", "2"... or names, in the order they appear
    named: bool
    header: str | None = None
    footer: str | None = None
    problem: str | None = None  # why it cannot be sent from the inbox, if it cannot

    @property
    def sendable(self) -> bool:
        return self.status == "APPROVED" and self.problem is None

    @property
    def key(self) -> str:
        return f"{self.name}:{self.language}"

    def render(self, values: Sequence[str]) -> str:
        """The text the customer will read, stored as our message's text."""
        filled = dict(zip(self.variables, values, strict=True))
        body = VARIABLE.sub(lambda m: filled.get(m.group(1), m.group(0)), self.body)
        return "\n\n".join(part for part in (self.header, body, self.footer) if part)

    def offered(self) -> MessageTemplate:
        """As the composer offers it (connectors.base.MessageTemplate)."""
        problem = self.problem
        if self.status != "APPROVED":
            problem = f"it is {self.status.lower() or 'not approved'}"
        text = "\n\n".join(part for part in (self.header, self.body, self.footer) if part)
        return MessageTemplate(
            key=self.key,
            name=self.name,
            language=self.language,
            body=text,
            variables=self.variables,
            category=self.category,
            problem=problem,
        )


def parse_template(raw: Mapping[str, Any]) -> Template:
    """One item of `message_templates`' data."""
    components = [c for c in raw.get("components") or () if isinstance(c, Mapping)]
    parts = {str(c.get("type") or "").upper(): c for c in components}
    body = str((parts.get("BODY") or {}).get("text") or "")
    variables = tuple(dict.fromkeys(VARIABLE.findall(body)))
    named = str(raw.get("parameter_format") or "").upper() == "NAMED" or any(
        not v.isdigit() for v in variables
    )
    header = parts.get("HEADER")
    problem = None
    header_text = None
    if header is not None:
        if str(header.get("format") or "TEXT").upper() != "TEXT":
            problem = f"its {str(header.get('format')).lower()} header needs media"
        elif VARIABLE.search(str(header.get("text") or "")):
            problem = "its header has a variable"
        else:
            header_text = str(header.get("text") or "") or None
    for button in (parts.get("BUTTONS") or {}).get("buttons") or ():
        if isinstance(button, Mapping) and VARIABLE.search(str(button.get("url") or "")):
            problem = "a button takes a parameter"
    return Template(
        name=str(raw["name"]),
        language=str(raw.get("language") or ""),
        status=str(raw.get("status") or ""),
        category=str(raw.get("category") or ""),
        body=body,
        variables=variables,
        named=named,
        header=header_text,
        footer=str((parts.get("FOOTER") or {}).get("text") or "") or None,
        problem=problem,
    )


@dataclass(frozen=True, slots=True)
class TemplateChoice:
    """What the agent picked: a template, a language, and one value per variable."""

    name: str
    language: str
    values: tuple[str, ...]

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> TemplateChoice | None:
        raw = options.get("template")
        return None if raw is None else cls.parse(raw)

    @classmethod
    def parse(cls, raw: Any) -> TemplateChoice:
        """`{"name", "language", "variables"}`, or `{"key": "name:language", "variables"}`."""
        if not isinstance(raw, Mapping):
            raise PermanentSendError("a template choice must be an object")
        name, language = raw.get("name"), raw.get("language")
        if isinstance(raw.get("key"), str) and ":" in raw["key"]:
            name, language = raw["key"].split(":", 1)
        if not name or not language:
            raise PermanentSendError("a template needs a name and a language")
        values = raw.get("variables") or ()
        if isinstance(values, str) or not all(isinstance(v, str) for v in values):
            raise PermanentSendError("template variables must be a list of strings")
        return cls(str(name), str(language), tuple(values))


def check_choice(template: Template, choice: TemplateChoice) -> str | None:
    """Why this choice cannot be sent, or None: checked before the call, and shown to agents."""
    if template.status != "APPROVED":
        return f"template {template.name} ({template.language}) is {template.status.lower()}"
    if template.problem:
        return f"template {template.name} cannot be sent from the inbox: {template.problem}"
    if len(choice.values) != len(template.variables):
        return (
            f"template {template.name} takes {len(template.variables)} values, "
            f"{len(choice.values)} given"
        )
    if any(not value.strip() for value in choice.values):
        return "every template variable needs a value"
    if any("\n" in value or "\t" in value or "    " in value for value in choice.values):
        # WhatsApp refuses parameters with newlines, tabs or more than 4 spaces (132018).
        return "template variables cannot contain newlines, tabs or 4 spaces in a row"
    return None


def template_payload(template: Template, choice: TemplateChoice) -> dict[str, Any]:
    """The `template` object of a Send API call."""
    payload: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
    if template.variables:
        parameters = []
        for variable, value in zip(template.variables, choice.values, strict=True):
            parameter = {"type": "text", "text": value}
            if template.named:
                parameter["parameter_name"] = variable
            parameters.append(parameter)
        payload["components"] = [{"type": "body", "parameters": parameters}]
    return payload
