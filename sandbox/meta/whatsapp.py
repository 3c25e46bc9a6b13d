"""The WhatsApp Cloud API side of the Meta emulator: a business number, its WABA, customers.

Graph calls (through graph.py's one dispatcher, logged in `/_emu/requests` like the others):
`POST /{phone-number-id}/messages` (text, media by id or link, template, reaction, read
receipts), `POST /{phone-number-id}/media` (multipart upload), `GET /{media-id}` (a URL valid
for 5 minutes) and `DELETE /{media-id}`, `GET /{waba-id}/message_templates`, `GET
/{phone-number-id}`. Media files download from `/_emu/media/whatsapp/<id>` with the bearer token.

Webhooks (`object: whatsapp_business_account`) are signed with the app secret and go to their
own callback URL (WHATSAPP_WEBHOOK_URL), as Meta lets an app subscribe each object to its own
URL. Send outcomes arrive like Meta's: `sent` then `delivered` statuses, and a free-form
message outside the 24-hour window is accepted, then failed by a 131047 status.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request

from sandbox.meta.calls import Call, paged, world
from sandbox.meta.webhooks import Deliverer
from sandbox.meta.world import GraphError

bp = Blueprint("meta_whatsapp", __name__, template_folder="templates")

DEFAULTS: dict[str, Any] = {
    "WA_PHONE_NUMBER_ID": "109876543210987",
    "WA_DISPLAY_NUMBER": "+82 2-555-0100",
    "WA_VERIFIED_NAME": "서울서플 고객센터",
    "WA_WABA_ID": "102938475610293",
    "WA_TOKEN": "sandbox-whatsapp-token",
    "WHATSAPP_WEBHOOK_URL": "",
}
WINDOW = timedelta(hours=24)
MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")
SEND_TYPES = (*MEDIA_TYPES, "text", "template", "reaction", "location", "contacts", "interactive")
SEED_TEMPLATES: list[dict[str, Any]] = [
    {
        "name": "order_update",
        "language": "ko",
        "category": "UTILITY",
        "components": [
            {"type": "BODY", "text": "{{1}}님, 주문 {{2}}의 배송이 시작되었습니다."},
            {"type": "FOOTER", "text": "서울서플"},
        ],
    },
    {
        "name": "order_update",
        "language": "en_US",
        "category": "UTILITY",
        "components": [{"type": "BODY", "text": "Hi {{1}}, your order {{2}} has shipped."}],
    },
    {
        "name": "follow_up",
        "language": "ko",
        "category": "UTILITY",
        "parameter_format": "NAMED",
        "components": [
            {"type": "BODY", "text": "{{customer_name}}님, 문의하신 내용에 답변을 드리려 합니다."}
        ],
    },
    {
        "name": "spring_sale",
        "language": "ko",
        "category": "MARKETING",
        "status": "PENDING",
        "components": [{"type": "BODY", "text": "봄맞이 할인!"}],
    },
]


@dataclass
class Media:
    id: str
    data: bytes
    mime_type: str
    filename: str | None = None


@dataclass
class Sent:
    """One message the business sent, as the emulator recorded it."""

    id: str
    to: str
    type: str
    body: dict[str, Any]
    at: datetime
    status: str = "accepted"


@dataclass
class WhatsApp:
    """All WhatsApp state of one emulator; guarded by the World's lock."""

    config: dict[str, Any]
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)  # wa_id -> name, last_at
    sent: list[Sent] = field(default_factory=list)
    inbound: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, Media] = field(default_factory=dict)
    templates: list[dict[str, Any]] = field(default_factory=list)
    numbers: int = 0
    hold_statuses: bool = False  # keep send statuses for /_emu/whatsapp/webhooks/flush
    held: list[dict[str, Any]] = field(default_factory=list)
    # Message id -> the order it was recorded in, both ways: the wire timestamps are whole
    # seconds, and a tap recorded in the same second as the survey it answers must still read
    # as after it (the simulator draws the latest business message's rows).
    recorded: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for raw in SEED_TEMPLATES:
            self.add_template(raw)

    @property
    def phone_number_id(self) -> str:
        return str(self.config["WA_PHONE_NUMBER_ID"])

    @property
    def waba_id(self) -> str:
        return str(self.config["WA_WABA_ID"])

    def next_id(self) -> int:
        self.numbers += 1
        return self.numbers

    def wamid(self) -> str:
        raw = f"sbx:{self.phone_number_id}:{self.next_id():012d}:{secrets.token_hex(4)}"
        return "wamid." + raw.encode().hex().upper()

    def add_template(self, raw: dict[str, Any]) -> dict[str, Any]:
        template = {
            "id": f"{9800000000000 + self.next_id()}",
            "status": "APPROVED",
            "parameter_format": "POSITIONAL",
            **raw,
        }
        self.templates.append(template)
        return template

    def add_media(self, data: bytes, mime_type: str, filename: str | None = None) -> Media:
        media = Media(f"{1100000000000000 + self.next_id()}", data, mime_type, filename)
        self.media[media.id] = media
        return media


def install(app: Flask, settings: dict[str, Any]) -> None:
    """Register the WhatsApp part on an emulator app (app.py calls this once)."""
    config = {**DEFAULTS, **{k: v for k, v in settings.items() if k in DEFAULTS}}
    app.extensions["meta_sandbox_whatsapp"] = WhatsApp(config)
    app.extensions["meta_sandbox_whatsapp_webhooks"] = Deliverer(
        {**settings, "WEBHOOK_URL": config["WHATSAPP_WEBHOOK_URL"]}
    )
    app.register_blueprint(bp)


def state() -> WhatsApp:
    return current_app.extensions["meta_sandbox_whatsapp"]  # type: ignore[no-any-return]


def deliverer() -> Deliverer:
    return current_app.extensions["meta_sandbox_whatsapp_webhooks"]  # type: ignore[no-any-return]


def accepts(token: str) -> bool:
    """Whether a Graph call's token is the WhatsApp system-user token."""
    wa: WhatsApp | None = current_app.extensions.get("meta_sandbox_whatsapp")
    return wa is not None and secrets.compare_digest(token, str(wa.config["WA_TOKEN"]))


# -- Graph calls -----------------------------------------------------------------------------


def dispatch(call: Call, method: str, parts: list[str]) -> dict[str, Any] | None:
    """Answer a Graph call if it is a WhatsApp one, else None (graph.py carries on)."""
    wa = state()
    node = parts[0]
    if len(parts) == 2 and node == wa.phone_number_id:
        if (method, parts[1]) == ("POST", "messages"):
            return send(call, wa)
        if (method, parts[1]) == ("POST", "media"):
            return upload(call, wa)
    templates = ("GET", "message_templates")
    if len(parts) == 2 and node == wa.waba_id and (method, parts[1]) == templates:
        return paged(call, [dict(t) for t in wa.templates])
    if len(parts) == 1 and node == wa.phone_number_id and method == "GET":
        c = wa.config
        return {
            "id": wa.phone_number_id,
            "display_phone_number": c["WA_DISPLAY_NUMBER"],
            "verified_name": c["WA_VERIFIED_NAME"],
            "quality_rating": "GREEN",
        }
    if len(parts) == 1 and node in wa.media:
        return media_node(call, wa, method, wa.media[node])
    if _whatsapp_token(call) and len(parts) == 1 and node.isdigit() and len(node) == 16:
        raise GraphError(100, f"(#100) Media {node} does not exist", status=404)
    return None


def _whatsapp_token(call: Call) -> bool:
    auth = request.headers.get("Authorization", "")
    return accepts(auth[7:] if auth.startswith("Bearer ") else str(call.params.get("access_token")))


def media_node(call: Call, wa: WhatsApp, method: str, media: Media) -> dict[str, Any]:
    wanted = call.params.get("phone_number_id")
    if wanted is not None and str(wanted) != wa.phone_number_id:
        raise GraphError(100, "(#100) The media does not belong to this phone number")
    if method == "DELETE":
        del wa.media[media.id]
        return {"success": True}
    if method != "GET":
        raise GraphError(100, f"Unsupported {method.lower()} request.")
    base = str(world().config.get("PUBLIC_URL") or request.url_root).rstrip("/")
    expires = int((world().now() + timedelta(minutes=5)).timestamp())
    return {
        "messaging_product": "whatsapp",
        "url": f"{base}/_emu/media/whatsapp/{media.id}?ext={expires}",
        "mime_type": media.mime_type,
        "sha256": hashlib.sha256(media.data).hexdigest(),
        "file_size": str(len(media.data)),
        "id": media.id,
    }


def upload(call: Call, wa: WhatsApp) -> dict[str, Any]:
    if call.params.get("messaging_product") != "whatsapp":
        raise GraphError(100, "(#100) The parameter messaging_product is required.")
    file = request.files.get("file")
    if file is None:
        raise GraphError(100, "(#100) The parameter file is required.")
    mime = str(call.params.get("type") or file.mimetype or "")
    if not mime:
        raise GraphError(100, "(#100) Param type is required")
    return {"id": wa.add_media(file.read(), mime, file.filename).id}


def send(call: Call, wa: WhatsApp) -> dict[str, Any]:
    """Validate like the Cloud API; the outcome (sent/delivered/failed) arrives by webhook."""
    body = call.params
    if body.get("messaging_product") != "whatsapp":
        raise GraphError(100, "(#100) The parameter messaging_product is required.")
    to = str(body.get("to") or "")
    kind = str(body.get("type") or "text")
    if not to.isdigit():
        raise GraphError(100, "(#100) Invalid parameter", subcode=2494010)
    if body.get("status") == "read":
        return {"success": True}
    if kind not in SEND_TYPES or not isinstance(body.get(kind), dict):
        raise GraphError(100, f"(#100) Param {kind} must be a JSON object for type {kind}")
    content: dict[str, Any] = body[kind]
    if kind == "text" and not 0 < len(str(content.get("body") or "")) <= 4096:
        raise GraphError(100, "(#100) Param text['body'] must be 1 to 4096 characters long")
    if kind in MEDIA_TYPES:
        _check_media(wa, kind, content)
    if kind == "template":
        _check_template(wa, content)
    if kind == "interactive":
        _check_interactive(content)
    now = world().now()
    message = Sent(wa.wamid(), to, kind, dict(body), now)
    wa.sent.append(message)
    wa.recorded[message.id] = len(wa.recorded)
    customer = wa.customers.get(to) or {}
    last = customer.get("last_at")
    statuses: list[dict[str, Any]]
    if kind != "template" and (last is None or now - last > WINDOW):
        error = {
            "code": 131047,
            "title": "Re-engagement message",
            "message": "Re-engagement message",
            "error_data": {
                "details": "Message failed to send because more than 24 hours have passed "
                "since the customer last replied to this number."
            },
        }
        statuses = [_status(message, "failed", now, errors=[error])]
    else:
        statuses = [_status(message, "sent", now), _status(message, "delivered", now)]
    for item in statuses:
        message.status = item["status"]
        if wa.hold_statuses:
            wa.held.append(item)
        else:
            emit({"statuses": [item]}, wait=False)
    return {
        "messaging_product": "whatsapp",
        "contacts": [{"input": to, "wa_id": to}],
        "messages": [{"id": message.id}],
    }


def _check_media(wa: WhatsApp, kind: str, content: dict[str, Any]) -> None:
    if "id" in content:
        if str(content["id"]) not in wa.media:
            raise GraphError(131053, "Media upload error", subcode=None)
    elif not str(content.get("link") or "").startswith("https://"):
        raise GraphError(100, f"(#100) Param {kind}['link'] must be an https URL or use id")
    if kind in ("audio", "sticker") and "caption" in content:
        raise GraphError(100, f"(#100) Param {kind}['caption'] is not supported")


def _check_interactive(content: dict[str, Any]) -> None:
    """The Cloud API's limits on reply buttons and lists (docs/platform-apis.md §5.5)."""
    kind = content.get("type")
    body = str((content.get("body") or {}).get("text") or "")
    action = content.get("action") or {}
    if kind == "button":
        if not 0 < len(body) <= 1024:
            raise GraphError(
                100, "(#100) Param interactive['body']['text'] must be 1 to 1024 chars"
            )
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= 3:
            raise GraphError(100, "(#100) Param interactive['action']['buttons'] must have 1 to 3")
        _check_choices([b.get("reply") or {} for b in buttons], title=20, ident=256)
    elif kind == "list":
        if not 0 < len(body) <= 4096:
            raise GraphError(
                100, "(#100) Param interactive['body']['text'] must be 1 to 4096 chars"
            )
        if not 0 < len(str(action.get("button") or "")) <= 20:
            raise GraphError(100, "(#100) Param interactive['action']['button'] must be 1 to 20")
        sections = action.get("sections") or []
        if not 1 <= len(sections) <= 10:
            raise GraphError(100, "(#100) Param interactive['action']['sections'] must have 1-10")
        if len(sections) > 1 and not all(
            0 < len(str(x.get("title") or "")) <= 24 for x in sections
        ):
            raise GraphError(100, "(#100) Each section needs a title of 1 to 24 characters")
        rows = _rows(action)
        if not 1 <= len(rows) <= 10:
            raise GraphError(100, "(#100) A list message has 1 to 10 rows in all")
        _check_choices(rows, title=24, ident=200)
    else:
        raise GraphError(100, f"(#100) Interactive type {kind!r} is not supported here")


def _check_choices(choices: list[dict[str, Any]], *, title: int, ident: int) -> None:
    ids = [str(c.get("id") or "") for c in choices]
    titles = [str(c.get("title") or "") for c in choices]
    if not all(0 < len(i) <= ident for i in ids) or len(set(ids)) != len(ids):
        raise GraphError(100, f"(#100) Choice ids must be unique, 1 to {ident} characters")
    if not all(0 < len(t) <= title for t in titles) or len(set(titles)) != len(titles):
        raise GraphError(100, f"(#100) Choice titles must be unique, 1 to {title} characters")


def choices_of(sent: Sent) -> list[dict[str, str]]:
    """The reply buttons or list rows of an interactive message we were sent, for the
    simulator's tap (`type` is the reply kind the tap comes back as)."""
    content = sent.body.get("interactive") if sent.type == "interactive" else None
    if not isinstance(content, dict):
        return []
    action = content.get("action") or {}
    if content.get("type") == "button":
        replies = [b.get("reply") or {} for b in action.get("buttons") or []]
        return [{"type": "button_reply", "id": r["id"], "title": r["title"]} for r in replies]
    return [{"type": "list_reply", "id": r["id"], "title": r["title"]} for r in _rows(action)]


def _rows(action: dict[str, Any]) -> list[dict[str, Any]]:
    """A list message's rows, over all its sections."""
    return [row for section in action.get("sections") or [] for row in section.get("rows") or []]


def _check_template(wa: WhatsApp, content: dict[str, Any]) -> None:
    name = content.get("name")
    code = (content.get("language") or {}).get("code")
    found = next((t for t in wa.templates if t["name"] == name and t["language"] == code), None)
    if found is None:
        raise GraphError(132001, "(#132001) Template name does not exist in the translation")
    if found["status"] != "APPROVED":
        raise GraphError(132015, "(#132015) Template is paused or not approved")
    body = next((c for c in found["components"] if c["type"] == "BODY"), {"text": ""})
    expected = len(set(_variables(str(body["text"]))))
    given: list[dict[str, Any]] = []
    for component in content.get("components") or ():
        if component.get("type") == "body":
            given.extend(component.get("parameters") or ())
    if len(given) != expected:
        raise GraphError(
            132000,
            "(#132000) Number of parameters does not match the expected number of params",
        )
    if found.get("parameter_format") == "NAMED" and any("parameter_name" not in p for p in given):
        raise GraphError(100, "(#100) Named parameters need parameter_name")


def _variables(text: str) -> list[str]:
    return re.findall(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}", text)


def _status(
    message: Sent, status: str, at: datetime, *, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": message.id,
        "status": status,
        "timestamp": str(int(at.timestamp())),
        "recipient_id": message.to,
    }
    callback = message.body.get("biz_opaque_callback_data")
    if callback:
        item["biz_opaque_callback_data"] = callback
    if status != "failed":
        item["conversation"] = {"id": f"conv_{message.to}", "origin": {"type": "service"}}
        item["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "service"}
    if errors:
        item["errors"] = errors
    return item


# -- webhooks --------------------------------------------------------------------------------


def envelope(wa: WhatsApp, value: dict[str, Any]) -> bytes:
    """One delivery, ASCII-escaped like Meta's (the signature covers these exact bytes)."""
    doc = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": wa.waba_id,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "".join(
                                    ch for ch in str(wa.config["WA_DISPLAY_NUMBER"]) if ch.isdigit()
                                ),
                                "phone_number_id": wa.phone_number_id,
                            },
                            **value,
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }
    return json.dumps(doc, ensure_ascii=True, separators=(",", ":")).encode()


def emit(value: dict[str, Any], *, wait: bool, mode: str = "now") -> int | None:
    if mode == "none":
        return None
    body = envelope(state(), value)
    return deliverer()._enqueue(body, 1, wait=wait)  # one body of our own shape


# -- the customer's side (control API) -------------------------------------------------------


def _body() -> dict[str, Any]:
    found = request.get_json(silent=True)
    return found if isinstance(found, dict) else {}


@bp.post("/_emu/whatsapp/customers/message")
def customer_message() -> Response:
    """A customer writes: `type` text (default) or any inbound type, with its fields.

    Media: `data_base64` + `mime_type` (+ `filename`) store a file the app can download.
    `deliver`: now (default) · async · none (a webhook that never comes).
    """
    body = _body()
    wa = state()
    w = world()
    kind = str(body.get("type") or "text")
    with w.lock:
        wa_id = str(body.get("wa_id") or f"8210{5550000 + wa.next_id():07d}")
        name = str(body.get("name") or wa.customers.get(wa_id, {}).get("name") or "고객")
        now = w.now()
        message: dict[str, Any] = {
            "from": wa_id,
            "id": wa.wamid(),
            "timestamp": str(int(now.timestamp())),
            "type": kind,
        }
        if kind != "unsupported":
            message[kind] = _inbound_content(wa, kind, body)
        if body.get("context_id"):
            message["context"] = {"from": wa.phone_number_id, "id": str(body["context_id"])}
        if kind == "unsupported":
            message["errors"] = [
                {
                    "code": 131051,
                    "title": "Message type unknown",
                    "message": "Message type unknown",
                    "error_data": {"details": "Message type is currently not supported."},
                }
            ]
        wa.customers[wa_id] = {"name": name, "last_at": now}
        wa.inbound.append(message)
        wa.recorded[message["id"]] = len(wa.recorded)
    value = {"contacts": [{"profile": {"name": name}, "wa_id": wa_id}], "messages": [message]}
    mode = str(body.get("deliver") or "now")
    delivery = emit(value, wait=mode == "now", mode=mode)
    return jsonify(wa_id=wa_id, id=message["id"], message=message, delivery=delivery)


def _inbound_content(wa: WhatsApp, kind: str, body: dict[str, Any]) -> Any:
    if kind == "text":
        return {"body": str(body.get("text") or "")}
    if kind in MEDIA_TYPES:
        data = base64.b64decode(str(body.get("data_base64") or "")) or b"sandbox media"
        mime = str(body.get("mime_type") or "image/jpeg")
        media = wa.add_media(data, mime, body.get("filename"))
        content: dict[str, Any] = {
            "mime_type": mime,
            "sha256": hashlib.sha256(data).hexdigest(),
            "id": media.id,
        }
        if body.get("text") and kind in ("image", "video", "document"):
            content["caption"] = str(body["text"])
        if kind == "document":
            content["filename"] = str(body.get("filename") or "document.pdf")
        if kind == "audio":
            content["voice"] = bool(body.get("voice", True))
        if kind == "sticker":
            content["animated"] = False
        return content
    if kind in body and isinstance(body[kind], (dict, list)):
        return body[kind]  # location, contacts, interactive, button, reaction, order...
    raise GraphError(100, f"give `{kind}` as an object for this message type", status=400)


@bp.post("/_emu/whatsapp/customers/read")
def customer_read() -> Response:
    """The customer reads everything we sent them: a `read` status for each."""
    body = _body()
    wa = state()
    with world().lock:
        now = world().now()
        ours = [m for m in wa.sent if m.to == str(body.get("wa_id")) and m.status != "read"]
        ours = [m for m in ours if m.status in ("sent", "delivered")]
        items = [_status(m, "read", now) for m in ours]
        for m in ours:
            m.status = "read"
    if items:
        emit({"statuses": items}, wait=True)
    return jsonify(read=[m.id for m in ours])


@bp.post("/_emu/whatsapp/templates")
def add_template() -> Response:
    with world().lock:
        return jsonify(state().add_template(_body()))


@bp.get("/_emu/whatsapp/sent")
def sent_log() -> Response:
    return jsonify(
        [
            {"id": m.id, "to": m.to, "type": m.type, "body": m.body, "status": m.status}
            for m in state().sent
        ]
    )


@bp.get("/_emu/whatsapp/chats")
def chats() -> Response:
    """Transcripts for the simulator, oldest first."""
    wa = state()
    with world().lock:
        rows = [
            {
                "id": m["id"],
                "wa_id": m["from"],
                "ours": False,
                "text": _preview(m),
                "at": m["timestamp"],
            }
            for m in wa.inbound
        ] + [
            {
                "id": s.id,
                "wa_id": s.to,
                "ours": True,
                "text": _preview_sent(wa, s),
                "at": str(int(s.at.timestamp())),
                "status": s.status,
                "choices": choices_of(s),
            }
            for s in wa.sent
        ]
        rows.sort(key=lambda r: (int(r["at"]), wa.recorded.get(r["id"], 0)))
        names = {k: v.get("name") for k, v in wa.customers.items()}
    return jsonify(now=world().now().isoformat(), names=names, messages=rows)


def _preview(message: dict[str, Any]) -> str:
    kind = message["type"]
    content = message.get(kind) or {}
    if kind == "text":
        return str(content.get("body"))
    if kind in MEDIA_TYPES:
        return f"[{kind}] {content.get('caption') or ''}".strip()
    return f"[{kind}]"


def _preview_sent(wa: WhatsApp, sent: Sent) -> str:
    content = sent.body.get(sent.type) or {}
    if sent.type == "text":
        return str(content.get("body"))
    if sent.type == "template":
        values = [
            str(p.get("text"))
            for c in content.get("components") or ()
            for p in c.get("parameters") or ()
        ]
        return f"[template {content.get('name')}] " + " · ".join(values)
    if sent.type == "interactive":
        return str((content.get("body") or {}).get("text") or "[interactive]")
    return f"[{sent.type}]"


@bp.get("/_emu/whatsapp/webhooks")
def webhooks() -> Response:
    return jsonify([d.summary() for d in deliverer().deliveries])


@bp.post("/_emu/whatsapp/webhooks/config")
def webhooks_config() -> Response:
    """`url`: the callback URL; `hold_statuses`: keep send statuses until flushed."""
    body = _body()
    if "url" in body:
        deliverer().url = body["url"] or None
    if "hold_statuses" in body:
        state().hold_statuses = bool(body["hold_statuses"])
    return jsonify(url=deliverer().url, hold_statuses=state().hold_statuses)


@bp.post("/_emu/whatsapp/webhooks/flush")
def webhooks_flush() -> Response:
    """Deliver the held statuses, one webhook each, in the order they happened.

    `only` (a list of statuses, e.g. ["delivered"]) delivers just those and keeps the rest
    held: Meta does not promise the order, so a `delivered` may overtake its `sent`.
    """
    wa = state()
    only = _body().get("only")
    with world().lock:
        held = [i for i in wa.held if only is None or i["status"] in only]
        wa.held = [i for i in wa.held if i not in held]
    return jsonify(deliveries=[emit({"statuses": [item]}, wait=True) for item in held])


@bp.post("/_emu/whatsapp/webhooks/redeliver")
def webhooks_redeliver() -> Response:
    body = _body()
    d = deliverer()
    target = int(body.get("id") or (d.deliveries[-1].id if d.deliveries else 0))
    return jsonify(deliveries=d.redeliver(target, times=int(body.get("times", 1))))


@bp.post("/_emu/whatsapp/webhooks/drain")
def webhooks_drain() -> Response:
    return jsonify(idle=deliverer().drain(float(_body().get("timeout", 10))))


@bp.get("/_emu/media/whatsapp/<media_id>")
def download(media_id: str) -> Response:
    """The lookaside download: only with the bearer token, like Meta's."""
    auth = request.headers.get("Authorization", "")
    if not (auth.startswith("Bearer ") and accepts(auth[7:])):
        return Response("unauthorized", status=401, mimetype="text/plain")
    media = state().media.get(media_id)
    if media is None:
        return Response("not found", status=404, mimetype="text/plain")
    return Response(media.data, mimetype=media.mime_type)


@bp.get("/whatsapp/simulator")
def simulator() -> str:
    return render_template("whatsapp_simulator.html", config=state().config)
