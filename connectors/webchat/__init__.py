from typing import TYPE_CHECKING

from connectors.lazy import exports

if TYPE_CHECKING:
    from connectors.webchat.connector import MESSAGE_MAX_CHARS, WIDGET_HEADER, WebchatConnector
    from connectors.webchat.payloads import client_msg_id_of, message_external_id
    from connectors.webchat.tokens import SessionClaims, TokenError, issue_token, read_token

__getattr__ = exports(
    __name__,
    {
        "MESSAGE_MAX_CHARS": "connectors.webchat.connector",
        "WIDGET_HEADER": "connectors.webchat.connector",
        "WebchatConnector": "connectors.webchat.connector",
        "client_msg_id_of": "connectors.webchat.payloads",
        "message_external_id": "connectors.webchat.payloads",
        "SessionClaims": "connectors.webchat.tokens",
        "TokenError": "connectors.webchat.tokens",
        "issue_token": "connectors.webchat.tokens",
        "read_token": "connectors.webchat.tokens",
    },
)

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
