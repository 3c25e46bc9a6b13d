"""A visitor's side of the chat API, driven through the Flask test client."""

from __future__ import annotations

import uuid
from typing import Any

from inbox.faq import service
from switchboard.runtime import Runtime

WIDGET = "widget-main"


def widget_account(factory: Any, **options: Any) -> Any:
    return factory.account(
        "webchat", connector="webchat", external_id=WIDGET, options={"demo": True, **options}
    )


def seed_faq(rt: Runtime) -> None:
    with rt.db.session() as session:
        service.seed_default_articles(session)


class Visitor:
    def __init__(self, client: Any, widget: str = WIDGET, origin: str | None = None) -> None:
        self.client = client
        self.widget = widget
        self.token: str | None = None
        self.origin = origin

    def headers(self) -> dict[str, str]:
        out = {}
        if self.token:
            out["Authorization"] = f"Bearer {self.token}"
        if self.origin:
            out["Origin"] = self.origin
        return out

    def url(self, path: str) -> str:
        return f"/chat/{self.widget}{path}"

    def start(self, **profile: Any) -> dict[str, Any]:
        response = self.client.post(self.url("/session"), json=profile, headers=self.headers())
        assert response.status_code == 200, response.get_data(as_text=True)
        body: dict[str, Any] = response.get_json()
        self.token = body["token"]
        return body

    def send(self, text: str, client_msg_id: str | None = None) -> Any:
        return self.client.post(
            self.url("/messages"),
            json={"client_msg_id": client_msg_id or f"c_{uuid.uuid4()}", "text": text},
            headers=self.headers(),
        )

    def poll(self, after: int = 0) -> dict[str, Any]:
        response = self.client.get(self.url(f"/messages?after={after}"), headers=self.headers())
        assert response.status_code == 200, response.get_data(as_text=True)
        body: dict[str, Any] = response.get_json()
        return body

    def choose(self, outcome: str, slug: str | None = None) -> Any:
        return self.client.post(
            self.url("/selfservice"),
            json={"outcome": outcome, "slug": slug},
            headers=self.headers(),
        )
