"""Seeded sample conversations for the demo: realistic Korean and English customer care.

The topics follow the retailer's customer-center document (orders, refunds, shipping,
accounts, products). Messages go through the real ingest path as fake-connector events, so
the demo's data looks exactly like data that arrived from the channels.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.base import ConversationKind, EventKind, InboundEvent, Participant
from inbox.conversations import Change, apply_change
from inbox.ingest import record_event
from inbox.macros import save_macro
from inbox.models import ChannelAccount, Conversation, Message, Team, User
from inbox.users import create_user, set_inboxes
from inbox.views import save_view

# (channel, display name, external id, conversation kind). The sample history lives on accounts
# of its own, backed by the fake connector, because the platforms' sandboxes never saw these
# customers; the live sandbox-backed accounts are connected next to them (cli/demo.py).
DEMO_ACCOUNTS: tuple[tuple[str, str, str, ConversationKind], ...] = (
    ("facebook", "서울서플 Facebook (샘플 기록)", "104857600054321", ConversationKind.DM),
    ("instagram", "@seoul_supps_archive (샘플 기록)", "17841400000054321", ConversationKind.DM),
    ("x", "@seoulsupps_help (샘플 기록)", "1580012345678900001", ConversationKind.MENTION),
    ("email", "help@seoulsupps.example", "help@seoulsupps.example", ConversationKind.EMAIL),
    ("webchat", "웹사이트 채팅", "widget-main", ConversationKind.CHAT),
)


@dataclass(frozen=True)
class Script:
    topic: str  # FAQ slug
    customer: tuple[str, ...]  # the customer's messages, in order
    agent: str | None = None  # our answer, if the case was answered
    english: bool = False


SCRIPTS: tuple[Script, ...] = (
    Script(
        "order-status",
        ("안녕하세요. 주문번호 2026112400317 배송 언제 되나요? 오메가3 2박스 주문했어요.",),
        "고객님, 주문번호 2026112400317은 11월 26일 출고 예정입니다. 감사합니다.",
    ),
    Script(
        "order-status",
        ("주문한지 3일 됐는데 아직 배송준비중이에요 ㅠㅠ", "주문번호 2026112200184 입니다"),
    ),
    Script(
        "refund-return",
        ("비타민C 개봉 안 했는데 반품 되나요?", "환불해주세요. 주문번호 2026111900221"),
        "네 고객님, 미개봉 상품은 수령 후 30일 이내 반품 가능합니다. 회수 접수 도와드릴게요.",
    ),
    Script(
        "refund-return", ("유산균 캡슐이 다 녹아서 왔어요. 사진 첨부합니다. 환불이 가능할까요?",)
    ),
    Script(
        "shipping-time",
        ("제주도는 배송 며칠 걸리나요?",),
        "제주 지역은 일반적으로 주문 후 4~7일 정도 소요됩니다.",
    ),
    Script(
        "shipping-time",
        ("How long does shipping to Busan usually take?",),
        "Shipping within Korea usually takes 3-7 days after the order.",
        english=True,
    ),
    Script("shipping-fee", ("배송비 무료 기준이 얼마예요?",)),
    Script("shipping-fee", ("Is there free shipping if I order over 40,000 won?",), english=True),
    Script(
        "shipping-tracking",
        ("송장번호 조회가 안 돼요. 택배사 홈페이지에 정보가 없다고 나와요",),
        "확인해보니 택배사 전산 반영이 늦어지고 있습니다. 내일 오전 중 조회 가능합니다.",
    ),
    Script(
        "shipping-tracking",
        ("Where can I find my tracking number?", "Order 2026112300518"),
        english=True,
    ),
    Script(
        "shipping-address-change",
        ("배송지 변경하고 싶어요. 서울 마포구로요.", "주문번호는 2026112500042 입니다"),
    ),
    Script(
        "shipping-address-change",
        ("주소를 잘못 입력했어요. 아직 출고 전이면 바꿀 수 있나요?",),
        "출고 전이라 변경 가능합니다. 새 주소를 알려주세요.",
    ),
    Script("shipping-missing", ("지난주에 주문한 유산균이 아직 안 왔어요. 택배 조회도 안 돼요.",)),
    Script(
        "shipping-missing",
        ("배송완료라고 뜨는데 물건을 못 받았어요. 경비실에도 없대요",),
        "불편을 드려 죄송합니다. 택배사에 분실 조사 요청했고 결과를 24시간 내에 안내드리겠습니다.",
    ),
    Script("order-change-cancel", ("주문 취소하고 싶어요. 아직 배송 시작 안 했죠?",)),
    Script(
        "order-change-cancel",
        ("Can I change the size of my order? I ordered 60 capsules but want 120.",),
        english=True,
    ),
    Script(
        "order-change-cancel",
        ("마그네슘 1개 더 추가할 수 있나요? 주문번호 2026112500777",),
        "이미 결제된 주문에는 추가가 어려워 새로 주문해 주셔야 합니다. 배송비는 합배송 처리해 드릴게요.",
    ),
    Script("account-signup", ("회원가입 인증 메일이 안 와요",)),
    Script(
        "account-signup",
        ("I can't finish signing up, the verification code never arrives.",),
        english=True,
    ),
    Script(
        "account-password-reset",
        ("비밀번호를 잊어버렸어요 어떻게 찾아요?",),
        "로그인 화면의 '비밀번호 찾기'를 누르시면 가입하신 이메일로 재설정 링크가 발송됩니다.",
    ),
    Script(
        "account-password-reset",
        ("Hi, how do I reset my password? The reset email never arrives.",),
        english=True,
    ),
    Script("account-edit", ("휴대폰 번호가 바뀌었는데 회원정보 수정은 어디서 하나요?",)),
    Script(
        "account-delete",
        ("회원탈퇴는 어디서 하나요? 앱에서 메뉴를 못 찾겠어요",),
        "앱 > 내 계정 > 설정 맨 아래 '회원탈퇴'에서 진행하실 수 있습니다.",
    ),
    Script("account-delete", ("회원탈퇴 하고 싶어요. 개인정보도 삭제해 주세요.",)),
    Script("order-history", ("작년에 산 루테인 제품명이 기억이 안 나요. 구매내역 어디서 봐요?",)),
    Script(
        "order-history",
        ("결제는 됐는데 주문내역에 안 보여요. 카드 승인문자는 왔어요",),
        "확인해보니 결제 후 주문 생성이 지연되었습니다. 지금은 주문내역에 보이실 거예요.",
    ),
    Script(
        "product-info",
        ("비타민D 1000IU랑 2000IU 차이가 뭔가요? 🙏",),
        "1000IU는 일반 유지용, 2000IU는 결핍 시 권장량입니다. 😊",
    ),
    Script("product-info", ("이거 임산부도 먹어도 되나요?",)),
    Script("product-info", ("Does the collagen powder contain fish? I'm allergic.",), english=True),
    Script(
        "product-info",
        ("루테인 샀는데 포장 너무 예뻐요 😍 다음엔 마그네슘도 살게요",),
        "좋은 후기 감사합니다! 마그네슘도 만족하실 거예요 😊",
    ),
    Script("contact-channels", ("고객센터 전화번호가 뭐예요? 상담원이랑 통화하고 싶어요",)),
    Script(
        "contact-channels",
        ("Is the chat support open at night?",),
        "Yes, our customer center runs 24 hours on chat, email and phone.",
        english=True,
    ),
    Script("refund-return", ("반품 회수 기사님이 아직 안 오셨어요. 언제 방문하시나요?",)),
    Script(
        "refund-return",
        ("카드 환불은 언제 되나요? 취소 완료 문자는 받았어요",),
        "카드사에 따라 취소 후 3~5 영업일 내에 환불됩니다.",
    ),
    Script(
        "shipping-time",
        ("Do you ship to Canada? How much is shipping and how long does it take?",),
        english=True,
    ),
    Script("order-status", ("주문번호 2026112300518 아직 배송준비중인데 언제 출고되나요?",)),
    Script("shipping-missing", ("박스가 찢어져서 왔고 한 병이 없어요", "사진 보내드려요")),
    Script(
        "product-info",
        ("오메가3 유통기한이 어떻게 되나요?",),
        "현재 출고 상품은 2028년 3월까지입니다.",
    ),
    Script("account-edit", ("이메일 주소 변경하고 싶어요",)),
    Script(
        "order-change-cancel",
        ("Please cancel order 2026112400911, I ordered twice by mistake.",),
        "Done - order 2026112400911 is cancelled and the refund is on its way.",
        english=True,
    ),
    Script("shipping-fee", ("합배송 하면 배송비 한 번만 내나요?",)),
    Script("refund-return", ("잘못된 상품이 왔어요. 종합비타민 시켰는데 비타민B가 왔어요",)),
    Script("order-status", ("Order 2026112400317 - is it shipped yet?",), english=True),
    Script(
        "contact-channels",
        ("이메일 문의는 어디로 보내면 돼요?",),
        "help@seoulsupps.example 로 보내주시면 됩니다. 이름, 연락처, 주문번호를 꼭 적어주세요.",
    ),
    Script("shipping-tracking", ("배송조회 링크가 안 열려요",)),
)

KO_NAMES = (
    "김민호",
    "이수진",
    "박서연",
    "최예린",
    "정하은",
    "오승현",
    "한지우",
    "윤다은",
    "장민준",
    "임서윤",
    "강도윤",
    "조하린",
    "신유나",
    "권지호",
    "송예준",
)
EN_NAMES = ("Alex Kim", "Mark Taylor", "Jenny Park", "Chris Lee", "Sam Rivera")
LABELS = ("배송", "환불", "VIP", "긴급", "재문의")


def seed_demo(session: Session, *, accounts: dict[str, ChannelAccount], now: datetime) -> int:
    """Create the sample team, agents and conversations once; return conversations created."""
    if session.scalar(select(func.count()).select_from(Conversation)):
        return 0
    rng = random.Random(20261125)
    agents = _demo_agents(session, accounts)
    channels = list(accounts)
    created = 0
    for index, script in enumerate(SCRIPTS):
        channel = channels[index % len(channels)]
        account = accounts[channel]
        kind = dict((c, k) for c, _, _, k in DEMO_ACCOUNTS)[channel]
        if channel in ("facebook", "instagram") and index % 3 == 0:
            kind = ConversationKind.COMMENT
        started = now - timedelta(minutes=rng.randint(5, 60 * 72))
        who = _customer(rng, channel, index, script.english)
        thread = _thread_key(channel, kind, index, who)
        conversation_id = None
        for turn, text in enumerate(script.customer):
            outcome = record_event(
                session,
                account,
                InboundEvent(
                    kind=EventKind.MESSAGE,
                    account_external_id=account.external_id,
                    external_id=f"demo-{index}-{turn}",
                    thread_key=thread,
                    conversation_kind=kind,
                    sent_at=started + timedelta(minutes=turn * 2),
                    customer=who,
                    text=text,
                    subject=_subject(script, text) if kind is ConversationKind.EMAIL else None,
                    context=_context(kind, index),
                ),
            )
            conversation_id = outcome.conversation_id
        if conversation_id is None:
            continue
        created += 1
        conversation = session.get(Conversation, conversation_id)
        assert conversation is not None
        _work_on(session, rng, conversation, script, agents, started, index)
    _demo_workflow(session, agents[0])
    return created


def _demo_workflow(session: Session, owner: User) -> None:
    """A shared macro and a shared saved view, so a newcomer sees both working (issue 15)."""
    save_macro(
        session,
        owner,
        name="환불 접수 (Refund received)",
        actions={"assignee": "me", "add_labels": ["환불"], "status": "pending"},
        reply="{{contact_name}}님, 환불 요청이 접수되었습니다. 1~2 영업일 안에 처리 결과를 안내드리겠습니다.",
        shared=True,
    )
    save_view(
        session,
        owner,
        "긴급·미배정 (urgent, unassigned)",
        {"view": "unassigned", "sort": "sla"},
        shared=True,
    )


def _demo_agents(session: Session, accounts: dict[str, ChannelAccount]) -> list[User]:
    team = Team(name="CS 1팀")
    session.add(team)
    agents = []
    for email, name in (("mina@seoulsupps.example", "김미나"), ("joon@seoulsupps.example", "박준")):
        user, _ = create_user(session, email=email, role="agent", name=name, password=None)
        set_inboxes(session, user, {a.id for a in accounts.values()})
        team.members.append(user)
        agents.append(user)
    return agents


def _customer(rng: random.Random, channel: str, index: int, english: bool) -> Participant:
    name = rng.choice(EN_NAMES if english else KO_NAMES)
    if channel == "email":
        address = f"customer{index}@example.com"
        return Participant(external_id=address, handle=address, name=name, email=address)
    if channel == "webchat":
        return Participant(external_id=f"ws_demo_{index:04d}", name=name)
    handle = f"user{index}_{rng.randint(100, 999)}"
    return Participant(external_id=str(7316448200000000 + index), handle=handle, name=name)


def _thread_key(channel: str, kind: ConversationKind, index: int, who: Participant) -> str:
    if kind is ConversationKind.COMMENT:
        return f"104857600054321_12214567890{index % 4}"
    if kind is ConversationKind.MENTION:
        return str(1993400000000000000 + index)
    if kind is ConversationKind.EMAIL:
        return f"<demo-{index}@mail.example.com>"
    return who.external_id


def _subject(script: Script, text: str) -> str:
    return text[:40] if script.english else f"[문의] {text[:30]}"


def _context(kind: ConversationKind, index: int) -> dict[str, str]:
    if kind is not ConversationKind.COMMENT:
        return {}
    return {
        "post_id": f"104857600054321_12214567890{index % 4}",
        "post_text": "🎉 11월 블랙프라이데이: 오메가3·비타민D 전 품목 20% 할인!",
    }


def _work_on(
    session: Session,
    rng: random.Random,
    conversation: Conversation,
    script: Script,
    agents: list[User],
    started: datetime,
    index: int,
) -> None:
    agent = agents[index % len(agents)]
    labels = tuple(rng.sample(LABELS, k=rng.randint(0, 2)))
    assignee = agent.id if index % 4 != 3 else None
    apply_change(
        session,
        conversation,
        Change(
            assignee_id=assignee,
            category=script.topic,
            labels=labels,
            priority=("none", "low", "medium", "high")[index % 4],
        ),
        actor=None,
    )
    if script.agent:
        at = started + timedelta(minutes=10)
        session.add(
            Message(
                conversation_id=conversation.id,
                channel_account_id=conversation.channel_account_id,
                external_id=f"demo-out-{index}",
                direction="outbound",
                kind="comment" if conversation.kind == "comment" else "message",
                author_user_id=agent.id,
                text=script.agent,
                status="delivered",
                sent_at=at,
                created_at=at,
            )
        )
        conversation.first_response_at = at
        conversation.waiting_since = None
        conversation.last_activity_at = max(conversation.last_activity_at, at)
        if index % 3 == 0:
            apply_change(session, conversation, Change(status="resolved"), actor=agent)
        elif index % 3 == 1:
            apply_change(session, conversation, Change(status="pending"), actor=agent)
    if index % 5 == 0:
        session.add(
            Message(
                conversation_id=conversation.id,
                channel_account_id=conversation.channel_account_id,
                direction="internal",
                kind="note",
                author_user_id=agent.id,
                text="주문 시스템에서 출고 상태 확인 필요 (물류팀 문의함)",
                created_at=started + timedelta(minutes=5),
            )
        )
