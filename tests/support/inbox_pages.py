"""Browser helpers for the inbox's partial updates (issue 21): a page at one width and language,
and the checks that an action or a thread open swapped parts of the page instead of loading it.

"No reload" is checked with a marker set on `window` before acting: a full page load drops it.
"No horizontal scroll" is the document's scroll width against the viewport's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

WIDTHS = (1440, 390)
PHONE = 760  # web/static/layout.css: at or below this, one screen at a time


@contextmanager
def sized_page(browser: Any, width: int, locale: str, timeout_ms: int) -> Iterator[Any]:
    """A fresh tab (own cookies) at `width`, its browser asking for `locale` (ko-KR...)."""
    context = browser.new_context(
        locale=locale,
        viewport={"width": width, "height": 844 if width < 800 else 900},
    )
    context.set_default_timeout(timeout_ms)
    try:
        yield context.new_page()
    finally:
        context.close()


def mark_page(page: Any) -> None:
    page.evaluate("window.__stay = 'still the same page'")


def same_page(page: Any) -> bool:
    return bool(page.evaluate("window.__stay === 'still the same page'"))


def settled(page: Any) -> None:
    """Wait until htmx has finished a swap, including wiring the new content (it does that
    just after the swap: a click in between would be an ordinary link or form)."""
    page.wait_for_selector(".htmx-request, .htmx-swapping, .htmx-settling", state="detached")


def no_sideways_scroll(page: Any) -> bool:
    return bool(
        page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        and page.evaluate("document.body.scrollWidth <= window.innerWidth")
    )


def to_details(page: Any) -> None:
    """On a phone: from the thread to its details, a screen of their own."""
    page.click("#details-link")
    page.wait_for_selector("#conv-details", state="visible")
    assert page.locator("#thread").is_hidden()


def back_to_list(page: Any) -> None:
    """On a phone: from the details back to the thread, then back to the list."""
    page.click("#conv-details .details-back a")
    page.wait_for_selector("#thread", state="visible")
    assert page.locator("#conv-details").is_hidden()
    page.click("#back-to-list")
    page.wait_for_selector("#list-pane", state="visible")
    settled(page)
