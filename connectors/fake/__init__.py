from connectors.fake.connector import DemoHistoryConnector, FakeConnector

__all__ = ["DemoHistoryConnector", "FakeConnector"]
