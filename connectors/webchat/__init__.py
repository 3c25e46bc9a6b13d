from connectors.webchat.connector import MESSAGE_MAX_CHARS, WIDGET_HEADER, WebchatConnector
from connectors.webchat.payloads import client_msg_id_of, message_external_id
from connectors.webchat.tokens import SessionClaims, TokenError, issue_token, read_token

__all__ = [
    "MESSAGE_MAX_CHARS",
    "WIDGET_HEADER",
    "SessionClaims",
    "TokenError",
    "WebchatConnector",
    "client_msg_id_of",
    "issue_token",
    "message_external_id",
    "read_token",
]
