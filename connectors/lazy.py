"""Lazy exports for a connector package's `__init__` (PEP 562).

`import connectors.x.channel` runs `connectors/x/__init__.py` first; if that imported the
connector, every process that reads the channel declarations (all of them) would load every
client library — requests, tweepy, oauthlib, twilio — for a mail poll (issue 12). So a package
names what it exports and where, and the module is imported when a name is first read.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def exports(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: name -> the module that defines it."""

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    return __getattr__
