"""What each platform accepts in a post, checked before an announcement is saved.

The same `render` that builds the text sent to a platform feeds the checks, so what the
marketer sees counted is exactly what is posted. The limits are each channel's declared
`PostRules` (connectors/<slug>/channel.py; the facts behind them are in docs/platform-apis.md);
the ones a platform changes (hashtag caps, Facebook's length) can be overridden per account in
its options.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from connectors import CHANNELS
from connectors import channel as declared_channel
from connectors.base import PostRules, Words, words

JPEG, PNG, GIF, WEBP = "image/jpeg", "image/png", "image/gif", "image/webp"
MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, JPEG),
    (b"\x89PNG\r\n\x1a\n", 0, PNG),
    (b"GIF87a", 0, GIF),
    (b"GIF89a", 0, GIF),
    (b"WEBP", 8, WEBP),
)

# The channels announcements can go to, with their rules (the fake one where it is enabled).
RULES: dict[str, PostRules] = {slug: c.posts for slug, c in CHANNELS.items() if c.posts is not None}


def rules_for(channel: str) -> PostRules | None:
    """The channel's post rules (the fake channel's too); None: it cannot publish."""
    declared = declared_channel(channel)
    return declared.posts if declared is not None else None


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
    rules = rules_for(channel)
    if rules is None:
        return Rendered(text=text, link=link, with_images=has_images)
    with_images = has_images and rules.attaches_images
    if not link or link in text:
        return Rendered(text=text, link=None, with_images=with_images)
    if rules.link == "preview" and not with_images:
        return Rendered(text=text, link=link, with_images=False)  # link preview card
    if rules.link == "drop":
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
    rules = rules_for(channel)
    if rules is None:
        return TargetCheck(
            channel=channel,
            rendered=Rendered(text, link, False),
            count="",
            errors=(
                Words(
                    f"announcements cannot be published to {channel} accounts",
                    f"{channel} 계정에는 공지를 게시할 수 없습니다",
                ),
            ),
        )
    rendered = render(channel, text, link, bool(images))
    errors: list[str] = []
    warnings: list[str] = []
    if not rendered.text.strip() and not rendered.with_images and not rendered.link:
        errors.append(
            Words(f"{rules.label}: the post is empty", f"{rules.label}: 게시물이 비어 있습니다")
        )
    count = _check_text(rules, rendered.text, options, errors)
    if rules.link_warning and link and link not in text:
        warnings.append(words(rules.link_warning))
    _check_images(rules, images, options, errors, warnings)
    return TargetCheck(
        channel=channel,
        rendered=rendered,
        count=count,
        errors=tuple(errors),
        warnings=tuple(warnings),
    )


def _check_text(
    rules: PostRules, text: str, options: Mapping[str, object], errors: list[str]
) -> str:
    limit = rules.max_chars
    if rules.max_chars_option:
        limit = _int_option(options, rules.max_chars_option, limit)
    length = rules.text_length(text)
    count = f"{length:,}/{limit:,}" if rules.count_thousands else f"{length}/{limit}"
    if length > limit:
        errors.append(words(rules.too_long, label=rules.label, count=count))
    errors.extend(rules.text_checks(text, options))
    return count


def _check_images(
    rules: PostRules,
    images: Sequence[ImageInfo],
    options: Mapping[str, object],
    errors: list[str],
    warnings: list[str],
) -> None:
    if rules.needs_image and not images:
        errors.append(
            Words(
                f"{rules.label}: a post needs at least one image",
                f"{rules.label}: 이미지가 한 장 이상 있어야 합니다",
            )
        )
    if not images:
        return
    if not rules.attaches_images:
        warnings.append(
            Words(
                f"{rules.label}: images are not attached yet; the post goes out as text",
                f"{rules.label}: 아직 이미지를 첨부할 수 없어 글만 게시합니다",
            )
        )
        return
    if len(images) > rules.max_images:
        errors.append(
            Words(
                f"{rules.label}: {len(images)} images; at most {rules.max_images}",
                f"{rules.label}: 이미지 {len(images)}장, 최대 {rules.max_images}장까지",
            )
        )
    max_bytes = _int_option(options, "max_image_bytes", rules.max_image_bytes)
    for number, image in enumerate(images, start=1):
        name = image.filename or f"image {number}"
        ko_name = image.filename or f"이미지 {number}"
        if image.content_type not in rules.image_types:
            kinds = ", ".join(sorted(t.split("/")[1].upper() for t in rules.image_types))
            errors.append(
                Words(
                    f"{rules.label}: {name} is {image.content_type}; only {kinds}",
                    f"{rules.label}: {ko_name}은(는) {image.content_type}입니다. {kinds}만 됩니다",
                )
            )
        if image.size > max_bytes:
            size, limit = f"{image.size / 1048576:.1f} MB", f"{max_bytes / 1048576:.0f} MB"
            errors.append(
                Words(
                    f"{rules.label}: {name} is {size}; the limit is {limit}",
                    f"{rules.label}: {ko_name}은(는) {size}입니다. 한도는 {limit}입니다",
                )
            )


def _int_option(options: Mapping[str, object], name: str, default: int) -> int:
    value = options.get(name)
    if isinstance(value, int | str) and str(value).isdigit():
        return int(value)
    return default
