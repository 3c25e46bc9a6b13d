from connectors.webchat.connector import MESSAGE_MAX_CHARS, WIDGET_HEADER, WebchatConnector
from connectors.webchat.tokens import SessionClaims, TokenError, issue_token, read_token

__all__ = [
    "MESSAGE_MAX_CHARS",
    "WIDGET_HEADER",
    "SessionClaims",
    "TokenError",
    "WebchatConnector",
    "issue_token",
    "read_token",
]
