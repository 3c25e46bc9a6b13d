"""Shared Graph API plumbing for the facebook and instagram connectors (not a channel itself)."""

from typing import TYPE_CHECKING

from connectors.lazy import exports

if TYPE_CHECKING:
    from connectors._meta.oauth import MetaLogin

__getattr__ = exports(__name__, {"MetaLogin": "connectors._meta.oauth"})

__all__ = ["MetaLogin"]
