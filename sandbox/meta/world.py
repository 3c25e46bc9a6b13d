"""The emulated Meta side: pages, IG accounts, customers, threads, posts, comments, a clock.

Everything lives in memory behind one lock. Times come from `World.now()`, real UTC time plus
an offset that the control API can advance, so window rules can be tested without waiting.
"""

from __future__ import annotations

import base64
import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

GRAPH_TIME = "%Y-%m-%dT%H:%M:%S+0000"


class GraphError(Exception):
    """A Graph error envelope: {"error": {message, type, code, error_subcode, fbtrace_id}}."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        subcode: int | None = None,
        kind: str = "OAuthException",
        status: int = 400,
        transient: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.subcode = subcode
        self.message = message
        self.kind = kind
        self.status = status
        self.transient = transient

    def body(self, trace: str) -> dict[str, Any]:
        error: dict[str, Any] = {
            "message": self.message,
            "type": self.kind,
            "code": self.code,
            "fbtrace_id": trace,
        }
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.transient is not None:
            error["is_transient"] = self.transient
        return {"error": error}


@dataclass
class Page:
    id: str
    name: str
    token: str
    ig_id: str
    ig_username: str
    revoked_subcode: int | None = None  # set: every call with the token answers 190


@dataclass
class Message:
    id: str
    created: datetime
    from_id: str
    to_id: str
    text: str = ""
    attachments: list[dict[str, Any]] = field(default_factory=list)
    metadata: str | None = None
    deleted: bool = False
    quick_replies: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Thread:
    id: str
    platform: str  # messenger | instagram
    owner_id: str  # page id (messenger) or IG account id (instagram)
    customer_id: str
    customer_name: str
    messages: list[Message] = field(default_factory=list)
    last_customer_at: datetime | None = None
    updated: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class Comment:
    id: str
    object_id: str  # the post or media commented on
    platform: str  # facebook | instagram
    author_id: str
    author_name: str
    text: str
    created: datetime
    parent_id: str | None = None
    hidden: bool = False
    deleted: bool = False
    private_replied: bool = False


@dataclass
class Post:
    id: str
    owner_id: str  # page id, IG account id, or a stranger's id (media we are mentioned on)
    platform: str  # facebook | instagram
    text: str
    created: datetime
    updated: datetime
    permalink: str
    image_urls: list[str] = field(default_factory=list)
    published: bool = True


@dataclass
class Container:
    id: str
    owner_id: str
    caption: str
    image_url: str | None
    checks_left: int
    status: str = "IN_PROGRESS"
    children: list[str] = field(default_factory=list)
    is_carousel_item: bool = False
    media_id: str | None = None


@dataclass
class Fault:
    """A transport fault for the next `count` matching calls (see control.fault).

    `accept`: the call takes effect (a post is made, a message sent) before the fault, so
    the client cannot know it went through: the case that makes blind retries post twice.
    """

    mode: str  # timeout | 5xx | 429
    count: int = 1
    path_contains: str = ""
    method: str = "POST"
    accept: bool = True
    hang_seconds: float = 3.0
    status: int = 500


@dataclass
class Forced:
    """An error the control API asked the next `count` matching Graph calls to return."""

    error: GraphError
    count: int
    path_contains: str = ""
    regain_minutes: float = 0.0


class World:
    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            c = self.config
            self.offset = timedelta()
            self._ids = itertools.count(1)
            self.page = Page(
                id=c["PAGE_ID"],
                name=c["PAGE_NAME"],
                token=c["PAGE_TOKEN"],
                ig_id=c["IG_USER_ID"],
                ig_username=c["IG_USERNAME"],
            )
            self.threads: dict[str, Thread] = {}
            self.posts: dict[str, Post] = {}
            self.comments: dict[str, Comment] = {}
            self.containers: dict[str, Container] = {}
            self.names: dict[str, str] = {}
            self.blocked: set[str] = set()
            self.requests: list[dict[str, Any]] = []
            # Files received by the Send API (multipart `filedata`): sha256 -> (type, bytes),
            # served back at /_emu/media/upload/<sha256> as the echo's attachment URL.
            self.uploads: dict[str, tuple[str, bytes]] = {}
            self.forced: list[Forced] = []
            self.faults: list[Fault] = []
            self.usage = {"app": 1.0, "page": 1.0, "buc": 1.0, "regain_minutes": 0.0}
            self.photos: dict[str, str] = {}  # unpublished photo id -> url
            if c.get("SEED", True):
                self.add_post(
                    "facebook", "11월 신제품: 오메가3 프리미엄 출시! 문의는 댓글로 남겨주세요."
                )
                self.add_post("instagram", "오메가3 프리미엄 🐟 #서울서플 #오메가3")

    # -- time and ids -------------------------------------------------------------------------

    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0) + self.offset

    def advance(self, seconds: float) -> datetime:
        with self.lock:
            self.offset += timedelta(seconds=seconds)
            return self.now()

    def next_number(self) -> int:
        return next(self._ids)

    def mid(self, platform: str) -> str:
        n = self.next_number()
        if platform == "instagram":
            raw = f"ig_message_item:1:IGMessageThreadSbx:{self.page.ig_id}:{n:020d}".encode()
            return base64.b64encode(raw).decode().rstrip("=")
        return f"m_sbx{n:08d}{base64.b32encode(n.to_bytes(4, 'big')).decode().rstrip('=')}"

    def numeric_id(self, prefix: str = "17") -> str:
        return f"{prefix}{900000000000000 + self.next_number():015d}"

    # -- lookups ------------------------------------------------------------------------------

    def owner_ids(self) -> set[str]:
        return {self.page.id, self.page.ig_id}

    def thread_for(self, platform: str, customer_id: str, *, name: str | None = None) -> Thread:
        """The thread with a customer, created on first contact."""
        owner = self.page.ig_id if platform == "instagram" else self.page.id
        for thread in self.threads.values():
            if thread.platform == platform and thread.customer_id == customer_id:
                if name:
                    thread.customer_name = name
                return thread
        thread = Thread(
            id=f"t_{10160000000000000 + self.next_number()}",
            platform=platform,
            owner_id=owner,
            customer_id=customer_id,
            customer_name=name or self.names.get(customer_id) or f"Customer {customer_id[-4:]}",
            updated=self.now(),
        )
        self.threads[thread.id] = thread
        return thread

    def find_thread(self, customer_id: str) -> Thread | None:
        for thread in self.threads.values():
            if thread.customer_id == customer_id:
                return thread
        return None

    def add_post(self, platform: str, text: str, *, owner: str | None = None) -> Post:
        now = self.now()
        if platform == "instagram":
            post_id = self.numeric_id("18")
            permalink = f"https://www.instagram.com/p/SBX{post_id[-8:]}/"
        else:
            post_id = f"{self.page.id}_{self.numeric_id('12')}"
            permalink = f"https://www.facebook.com/{self.page.id}/posts/{post_id.split('_')[1]}"
        post = Post(
            id=post_id,
            owner_id=owner or (self.page.ig_id if platform == "instagram" else self.page.id),
            platform=platform,
            text=text,
            created=now,
            updated=now,
            permalink=permalink,
        )
        self.posts[post.id] = post
        return post

    def default_post(self, platform: str) -> Post:
        owner = self.page.ig_id if platform == "instagram" else self.page.id
        for post in sorted(self.posts.values(), key=lambda p: p.created, reverse=True):
            if post.platform == platform and post.owner_id == owner and post.published:
                return post
        return self.add_post(platform, "Sandbox post")

    def add_comment(
        self,
        post: Post,
        *,
        author_id: str,
        author_name: str,
        text: str,
        parent_id: str | None = None,
    ) -> Comment:
        if post.platform == "instagram":
            comment_id = self.numeric_id("17")
        else:
            comment_id = f"{post.id.split('_')[-1]}_{self.numeric_id('10')}"
        comment = Comment(
            id=comment_id,
            object_id=post.id,
            platform=post.platform,
            author_id=author_id,
            author_name=author_name,
            text=text,
            created=self.now(),
            parent_id=parent_id,
        )
        self.comments[comment.id] = comment
        post.updated = comment.created
        return comment


def graph_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(GRAPH_TIME)
