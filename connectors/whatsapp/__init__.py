from typing import TYPE_CHECKING

from connectors.lazy import exports

if TYPE_CHECKING:
    from connectors.whatsapp.connector import WhatsAppConnector

__getattr__ = exports(__name__, {"WhatsAppConnector": "connectors.whatsapp.connector"})

__all__ = ["WhatsAppConnector"]
