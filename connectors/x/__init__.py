from typing import TYPE_CHECKING

from connectors.lazy import exports

if TYPE_CHECKING:
    from connectors.x.connector import XConnector
    from connectors.x.oauth import XLogin

__getattr__ = exports(
    __name__, {"XConnector": "connectors.x.connector", "XLogin": "connectors.x.oauth"}
)

__all__ = ["XConnector", "XLogin"]
