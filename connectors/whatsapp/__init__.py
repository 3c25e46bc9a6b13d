from connectors.whatsapp.connector import WhatsAppConnector

__all__ = ["WhatsAppConnector"]
