"""Phone: calls and SMS on a provider with Twilio's wire format (issue 18)."""

from connectors.phone.connector import PhoneConnector

__all__ = ["PhoneConnector"]
