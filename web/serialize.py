"""JSON shapes shared by the API and the live UI: defined in inbox/serialize.py, because
outgoing webhooks (in inbox/) send the same shapes and inbox must not import web."""

from inbox.serialize import attachment_json, contact_json, conversation_json, iso, message_json

__all__ = ["attachment_json", "contact_json", "conversation_json", "iso", "message_json"]
