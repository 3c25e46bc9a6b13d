"""Twilio's wire format, as far as Switchboard relies on it (docs/platform-apis.md,
"Twilio-format telephony"). Shared with the emulator in sandbox/twilio, which plays the
provider from the same constants.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from connectors.base import RECEIVED_HEADER, URL_HEADER

API_VERSION = "2010-04-01"
DEFAULT_API_URL = "https://api.twilio.com"
SIGNATURE_HEADER = "X-Twilio-Signature"
# URL_HEADER and RECEIVED_HEADER (connectors/base.py) are set by our own webhook view, never
# taken from the client: the URL the provider signed, and when the delivery reached us
# (Twilio's SMS callbacks carry no timestamp of their own).
__all__ = ["RECEIVED_HEADER", "URL_HEADER"]
# Our reply's uuid rides in the StatusCallback URL's query, so a status names our message.
REF_PARAM = "ref"

# Message statuses (MessageStatus / SmsStatus) of our sends, in the order they happen.
ACCEPTED = frozenset({"accepted", "scheduled", "queued", "sending", "sent"})
DELIVERED = "delivered"
READ = "read"
FAILED = frozenset({"undelivered", "failed"})

# Call statuses (CallStatus) and how far along each is: a late callback never moves a call
# back (`ringing` after `completed` is ignored), terminal ones all rank last.
CALL_RANK = {
    "queued": 0,
    "initiated": 1,
    "ringing": 2,
    "in-progress": 3,
    "completed": 4,
    "busy": 4,
    "no-answer": 4,
    "canceled": 4,
    "failed": 4,
}
CALL_TERMINAL = frozenset({"completed", "busy", "no-answer", "canceled", "failed"})

# Opt-out keywords: the provider's defaults (Twilio's Advanced Opt-Out) plus the Korean
# ones the 정보통신망법 spam rules make customers use. Matched on the whole trimmed body,
# case-insensitive. OptOutType, when the provider sends it, wins.
OPT_OUT = frozenset(
    {
        "STOP",
        "STOPALL",
        "UNSUBSCRIBE",
        "CANCEL",
        "END",
        "QUIT",
        "REVOKE",
        "OPTOUT",
        "수신거부",
        "거부",
    }
)
OPT_IN = frozenset({"START", "UNSTOP", "YES", "수신동의"})
# The provider's refusal of a send to a number that opted out.
ERROR_UNSUBSCRIBED = 21610


def messages_path(account_sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}/Messages.json"


def calls_path(account_sid: str) -> str:
    return f"/{API_VERSION}/Accounts/{account_sid}/Calls.json"


def opt_keyword(body: str) -> str | None:
    """ "stop" / "start" when the whole text is an opt-out / opt-in keyword."""
    word = body.strip().strip(".!").upper()
    if word in OPT_OUT:
        return "stop"
    if word in OPT_IN:
        return "start"
    return None


def query_value(url: str, name: str) -> str | None:
    values = parse_qs(urlsplit(url).query).get(name)
    return values[0] if values else None
