"""What each platform accepts in a post, checked before an announcement is saved.

The same `render` that builds the text sent to a platform feeds the checks, so what the
marketer sees counted is exactly what is posted. Limits come from ../shared/docs/platform-apis.md
(§1.14, §2.7); the ones Meta changes (hashtag caps) are read from the account's options.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from connectors.instagram.connector import CAPTION_LIMIT, DEFAULT_MAX_HASHTAGS, HASHTAG
from connectors.x.weighted_length import (
    MAX_WEIGHTED_LENGTH,
    has_invalid_characters,
    weighted_length,
)

MENTION = re.compile(r"(?<![\w@])@\w+")
IG_MAX_MENTIONS = 20
FACEBOOK_MAX_CHARS = 63_206

JPEG, PNG, GIF, WEBP = "image/jpeg", "image/png", "image/gif", "image/webp"
MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, JPEG),
    (b"\x89PNG\r\n\x1a\n", 0, PNG),
    (b"GIF87a", 0, GIF),
    (b"GIF89a", 0, GIF),
    (b"WEBP", 8, WEBP),
)


@dataclass(frozen=True, slots=True)
class ChannelRules:
    label: str
    image_types: frozenset[str]
    max_image_bytes: int
    max_images: int
    needs_image: bool = False
    attaches_images: bool = True  # False: images are left out of the post (warning)
    link_in_text: bool = True  # append the link to the text (else a separate field or none)


RULES: dict[str, ChannelRules] = {
    "facebook": ChannelRules(
        label="Facebook",
        image_types=frozenset({JPEG, PNG, GIF}),
        max_image_bytes=10 * 1024 * 1024,
        max_images=10,
        link_in_text=False,
    ),
    "instagram": ChannelRules(
        label="Instagram",
        image_types=frozenset({JPEG}),  # the content-publishing API takes JPEG only
        max_image_bytes=8 * 1024 * 1024,
        max_images=10,  # a carousel holds at most 10
        needs_image=True,
        link_in_text=False,  # captions do not make links clickable
    ),
    "x": ChannelRules(
        label="X",
        image_types=frozenset({JPEG, PNG, GIF, WEBP}),
        max_image_bytes=5 * 1024 * 1024,
        max_images=4,
        attaches_images=False,  # media upload is not implemented yet (issue 6)
    ),
}


@dataclass(frozen=True, slots=True)
class ImageInfo:
    content_type: str
    size: int
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class Rendered:
    """Exactly what goes to one platform."""

    text: str
    link: str | None
    with_images: bool


@dataclass(frozen=True, slots=True)
class TargetCheck:
    """The verdict for one target: errors block saving; warnings and the count are shown."""

    channel: str
    rendered: Rendered
    count: str  # e.g. "152/280" (X weighted) or "1,024/2,200"
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Verdict:
    general: tuple[str, ...] = ()
    targets: Mapping[int, TargetCheck] = field(default_factory=dict)  # by channel account id

    @property
    def ok(self) -> bool:
        return not self.general and not any(t.errors for t in self.targets.values())


def sniff_image_type(data: bytes) -> str | None:
    """Return the image type from its first bytes; the uploaded Content-Type is not trusted."""
    for magic, offset, kind in MAGIC:
        if data[offset : offset + len(magic)] == magic:
            if kind == WEBP and not data.startswith(b"RIFF"):
                continue
            return kind
    return None


def render(channel: str, text: str, link: str | None, has_images: bool) -> Rendered:
    """Build the post text for `channel`: where the link goes, whether images go along."""
    rules = RULES.get(channel)
    if rules is None:
        return Rendered(text=text, link=link, with_images=has_images)
    with_images = has_images and rules.attaches_images
    if not link or link in text:
        return Rendered(text=text, link=None, with_images=with_images)
    if channel == "facebook" and not with_images:
        return Rendered(text=text, link=link, with_images=False)  # link preview card
    if channel == "instagram":
        return Rendered(text=text, link=None, with_images=with_images)
    joined = f"{text.rstrip()}\n\n{link}" if text.strip() else link
    return Rendered(text=joined, link=None, with_images=with_images)


def check_target(
    channel: str,
    text: str,
    link: str | None,
    images: Sequence[ImageInfo],
    options: Mapping[str, object],
) -> TargetCheck:
    """Check one target's post; every message names the limit and the count."""
    rules = RULES.get(channel)
    if rules is None:
        return TargetCheck(
            channel=channel,
            rendered=Rendered(text, link, False),
            count="",
            errors=(f"announcements cannot be published to {channel} accounts",),
        )
    rendered = render(channel, text, link, bool(images))
    errors: list[str] = []
    warnings: list[str] = []
    if not rendered.text.strip() and not rendered.with_images and not rendered.link:
        errors.append(f"{rules.label}: the post is empty")
    count = _check_text(channel, rendered.text, options, errors)
    if channel == "instagram" and link and link not in text:
        warnings.append("Instagram: links in captions are not clickable; the link is left out")
    _check_images(rules, images, options, errors, warnings)
    return TargetCheck(
        channel=channel,
        rendered=rendered,
        count=count,
        errors=tuple(errors),
        warnings=tuple(warnings),
    )


def _check_text(channel: str, text: str, options: Mapping[str, object], errors: list[str]) -> str:
    if channel == "x":
        length = weighted_length(text)
        if length > MAX_WEIGHTED_LENGTH:
            errors.append(
                f"X: too long, {length}/{MAX_WEIGHTED_LENGTH} "
                "(Korean, CJK and emoji count 2, each link 23)"
            )
        if has_invalid_characters(text):
            errors.append("X: contains a character X refuses (U+FEFF, U+FFFE or U+FFFF)")
        return f"{length}/{MAX_WEIGHTED_LENGTH}"
    if channel == "instagram":
        if len(text) > CAPTION_LIMIT:
            errors.append(
                f"Instagram: caption too long, {len(text):,}/{CAPTION_LIMIT:,} characters"
            )
        max_tags = _int_option(options, "max_hashtags", DEFAULT_MAX_HASHTAGS)
        tags = len(HASHTAG.findall(text))
        if tags > max_tags:
            errors.append(f"Instagram: {tags} hashtags; at most {max_tags} are allowed")
        mentions = len(MENTION.findall(text))
        if mentions > IG_MAX_MENTIONS:
            errors.append(f"Instagram: {mentions} @-mentions; at most {IG_MAX_MENTIONS}")
        return f"{len(text):,}/{CAPTION_LIMIT:,}"
    limit = _int_option(options, "max_chars", FACEBOOK_MAX_CHARS)
    if len(text) > limit:
        errors.append(f"Facebook: too long, {len(text):,}/{limit:,} characters")
    return f"{len(text):,}/{limit:,}"


def _check_images(
    rules: ChannelRules,
    images: Sequence[ImageInfo],
    options: Mapping[str, object],
    errors: list[str],
    warnings: list[str],
) -> None:
    if rules.needs_image and not images:
        errors.append(f"{rules.label}: a post needs at least one image")
    if not images:
        return
    if not rules.attaches_images:
        warnings.append(f"{rules.label}: images are not attached yet; the post goes out as text")
        return
    if len(images) > rules.max_images:
        errors.append(f"{rules.label}: {len(images)} images; at most {rules.max_images}")
    max_bytes = _int_option(options, "max_image_bytes", rules.max_image_bytes)
    for number, image in enumerate(images, start=1):
        name = image.filename or f"image {number}"
        if image.content_type not in rules.image_types:
            kinds = ", ".join(sorted(t.split("/")[1].upper() for t in rules.image_types))
            errors.append(f"{rules.label}: {name} is {image.content_type}; only {kinds}")
        if image.size > max_bytes:
            errors.append(
                f"{rules.label}: {name} is {image.size / 1048576:.1f} MB; "
                f"the limit is {max_bytes / 1048576:.0f} MB"
            )


def _int_option(options: Mapping[str, object], name: str, default: int) -> int:
    value = options.get(name)
    if isinstance(value, int | str) and str(value).isdigit():
        return int(value)
    return default
