from typing import TYPE_CHECKING

from connectors.lazy import exports

if TYPE_CHECKING:
    from connectors.email.connector import EmailConnector
    from connectors.email.subjects import normalize_subject

__getattr__ = exports(
    __name__,
    {
        "EmailConnector": "connectors.email.connector",
        "normalize_subject": "connectors.email.subjects",
    },
)

__all__ = ["EmailConnector", "normalize_subject"]
