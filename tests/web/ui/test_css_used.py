"""Every class the agent UI's stylesheets style is used by a template, a script or markup the
Python code builds (issue 21: app.css had kept rules for forms long gone).

Read as text: a class counts as used when it stands in a `class="…"` of a template (also in a
`{% set %}` or a macro argument that ends up there), in a script's string (class lists and
selectors) or in Python-built markup. A class made from a prefix and a value
(`status-{{ c.status }}`) counts through its prefix.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
STATIC = ROOT / "web" / "static"
SHEETS = ("app.css", "layout.css", "theme.css")
_NAME = re.compile(r"[a-zA-Z][\w-]*")
_DYNAMIC = re.compile(r"([a-zA-Z][\w-]*-)(?:\{\{|\$\{)")
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\$\{.*?\}", re.S)


def _classes_used() -> tuple[set[str], set[str]]:
    names: set[str] = set()
    prefixes: set[str] = set()

    def take(value: str) -> None:
        prefixes.update(_DYNAMIC.findall(value))
        names.update(_NAME.findall(_JINJA.sub(" ", value)))
        for literal in re.findall(r"'([\w -]+)'", value):  # {{ 'missing' if … else 'ok' }}
            names.update(_NAME.findall(literal))

    for template in (ROOT / "web" / "templates").rglob("*.html"):
        text = template.read_text()
        for pattern in (
            r'class="(.*?)"',
            r"\{%\s*set\s+\w+\s*=(.*?)%\}",
            r"'([\w-]+)'\s*\)\s*\}\}",
        ):
            for value in re.findall(pattern, text, re.S):
                take(value)
    for script in STATIC.rglob("*.js"):
        if "vendor" not in script.parts:
            for value in re.findall(r"[\"'`]([^\"'`\n]*)[\"'`]", script.read_text()):
                take(value.replace(".", " "))
    for module in (ROOT / "web").rglob("*.py"):
        for value in re.findall(r'class=\\?"(.*?)\\?"', module.read_text()):
            take(value)
    return names, prefixes


def test_every_styled_class_is_used() -> None:
    names, prefixes = _classes_used()
    unused = {}
    for sheet in SHEETS:
        rules = re.sub(r"/\*.*?\*/|\{[^{}]*\}", " ", (STATIC / sheet).read_text(), flags=re.S)
        styled = set(re.findall(r"\.([a-zA-Z][\w-]*)", rules))
        left = sorted(c for c in styled if c not in names and not c.startswith(tuple(prefixes)))
        if left:
            unused[sheet] = left
    assert unused == {}
