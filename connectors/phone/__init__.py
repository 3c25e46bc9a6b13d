"""Phone: calls and SMS on a provider with Twilio's wire format (issue 18)."""

from typing import TYPE_CHECKING

from connectors.lazy import exports

if TYPE_CHECKING:
    from connectors.phone.connector import PhoneConnector

__getattr__ = exports(__name__, {"PhoneConnector": "connectors.phone.connector"})

__all__ = ["PhoneConnector"]
