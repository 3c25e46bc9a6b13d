from typing import TYPE_CHECKING

from connectors.lazy import exports

if TYPE_CHECKING:
    from connectors.instagram.connector import InstagramConnector

__getattr__ = exports(__name__, {"InstagramConnector": "connectors.instagram.connector"})

__all__ = ["InstagramConnector"]
