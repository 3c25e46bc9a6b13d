"""Search matches marked in the inbox list and the thread (issue 21): escaped, Korean-aware."""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup

from switchboard.runtime import Runtime
from tests.web.ui.conftest import inbound, login
from web.ui.text import highlight


def _rows(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'class="conv-row[^"]*" data-id="(\d+)"', html)]


def test_highlight_marks_terms_and_escapes_the_rest() -> None:
    text = '배송 언제 와요? <script>alert("배송")</script> Tracking TRACKING'
    marked = highlight(text, "배송이 tracking")
    assert isinstance(marked, Markup)
    assert str(marked) == (
        "<mark>배송</mark> 언제 와요? &lt;script&gt;alert(&#34;<mark>배송</mark>&#34;)"
        "&lt;/script&gt; <mark>Tracking</mark> <mark>TRACKING</mark>"
    )
    # Terms are matched in the text, not in its escaped form: "lt" is not in the message.
    assert "<mark>" not in highlight(text, "lt")
    # A quoted phrase is marked whole and exact; the stem of a Korean term is what is marked.
    assert str(highlight("배송이 늦어요", '"배송이 늦"')) == "<mark>배송이 늦</mark>어요"
    assert str(highlight("배송이 늦어요", "배송이")) == "<mark>배송</mark>이 늦어요"
    # Overlapping terms: the longer wins where both start.
    assert str(highlight("배송지 변경", "배송 배송지")) == "<mark>배송지</mark> 변경"
    # No term, or no text: just the escaped text.
    assert str(highlight("<b>x</b>", "")) == "&lt;b&gt;x&lt;/b&gt;"
    assert str(highlight(None, "배송")) == ""
    # breaks=True keeps line breaks as <br>, also inside a match.
    assert str(highlight("a\n배송\nb", "배송", breaks=True)) == "a<br><mark>배송</mark><br>b"


def test_list_and_thread_mark_the_matches(
    client: Any, rt: Runtime, team_setup: dict[str, Any]
) -> None:
    conv = inbound(
        rt,
        team_setup["a"],
        "배송 언제 오나요?\n<script>alert('x')</script>",
        customer="c1",
        name="<i>배송</i>왕",
    )
    other = inbound(rt, team_setup["a"], "환불 문의", customer="c2", name="박지훈")
    login(client, "mina@example.test")

    listing = client.get("/inbox/?q=배송이").get_data(as_text=True)
    assert _rows(listing) == [conv.id]
    assert other.id not in _rows(client.get("/inbox/?q=배송").get_data(as_text=True))
    row = listing[listing.index(f'data-id="{conv.id}"') :]
    assert '<bdi class="who">&lt;i&gt;<mark>배송</mark>&lt;/i&gt;왕</bdi>' in row
    assert "<bdi><mark>배송</mark> 언제 오나요?\n&lt;script&gt;alert(&#39;x&#39;)" in row
    assert "<script>alert" not in listing and "<i>" not in listing

    thread = client.get(f"/inbox/c/{conv.id}?q=배송이").get_data(as_text=True)
    assert (
        '<div class="body" dir="auto"><mark>배송</mark> 언제 오나요?<br>'
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</div>"
    ) in thread
    assert "<script>alert" not in thread

    # Without a query nothing is marked; a quoted "배송이" finds (and marks) nothing.
    assert "<mark>" not in client.get(f"/inbox/c/{conv.id}").get_data(as_text=True)
    quoted = client.get('/inbox/?q="배송이"').get_data(as_text=True)
    assert _rows(quoted) == [] and "<mark>" not in quoted
