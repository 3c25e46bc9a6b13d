from typing import TYPE_CHECKING

from connectors.lazy import exports

if TYPE_CHECKING:
    from connectors.fake.connector import DemoHistoryConnector, FakeConnector

__getattr__ = exports(
    __name__,
    {
        "DemoHistoryConnector": "connectors.fake.connector",
        "FakeConnector": "connectors.fake.connector",
    },
)

__all__ = ["DemoHistoryConnector", "FakeConnector"]
