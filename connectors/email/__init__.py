from connectors.email.connector import EmailConnector
from connectors.email.subjects import normalize_subject

__all__ = ["EmailConnector", "normalize_subject"]
