"""An emulator of a programmable-telephony provider with Twilio's wire format (issue 18)."""

from sandbox.twilio.app import create_app

__all__ = ["create_app"]
