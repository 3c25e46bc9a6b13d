from typing import TYPE_CHECKING

from connectors.lazy import exports

if TYPE_CHECKING:
    from connectors.facebook.connector import FacebookConnector

__getattr__ = exports(__name__, {"FacebookConnector": "connectors.facebook.connector"})

__all__ = ["FacebookConnector"]
