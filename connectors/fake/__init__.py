from connectors.fake.connector import FakeConnector

__all__ = ["FakeConnector"]
