"""Which waiting deliveries must keep their order: a delivery's ordering key.

Drainers take the newest deliveries first in a small "fresh lane" (workers/ingest.py), so a
new message reaches the screen while a backlog drains. Jumping the queue is only safe for a
delivery that no older waiting delivery could be about: a thread shows messages in id (that
is, storage) order, and an edit or delete applied before its message is lost. The key names
who a delivery is about — channel, account and customer — and the web tier stores it with
the raw delivery (`inbound_delivery.route`), so the claim can check it with one index probe:

- one customer's key: the delivery waits for every older waiting delivery with the same key;
- "" (only receipts without a customer): about nobody in particular. Receipts only move a
  status forward and name our own outbound messages, which are stored when sent, so their
  order does not matter;
- None (unparsable, several customers, an event without a customer): it could be about
  anyone, so it never jumps, and every newer delivery of its connector waits for it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from connectors.base import Connector, EventKind, InboundEvent

SEP = "\x1f"  # unit separator: appears in no id
MAX_KEY = 255  # the column's width; a longer key is treated as unknown
_ORDER_FREE = {EventKind.DELIVERED, EventKind.READ}


def ordering_key(events: Iterable[InboundEvent]) -> str | None:
    keys: set[str] = set()
    for event in events:
        if event.customer is None:
            if event.kind in _ORDER_FREE:
                continue
            return None
        who = (event.channel or "", event.account_external_id, event.customer.external_id)
        keys.add(SEP.join(who))
    if len(keys) > 1:
        return None
    key = keys.pop() if keys else ""
    return key if len(key) <= MAX_KEY else None


def delivery_route(connector: Connector, headers: Mapping[str, str], body: bytes) -> str | None:
    """The key of a raw delivery, or None if it cannot be parsed here (the worker will say why)."""
    try:
        return ordering_key(connector.parse(headers, body))
    except Exception:
        return None
