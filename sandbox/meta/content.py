"""Posts, comments, replies, moderation, mentions and publishing (FB feed/photos, IG containers)."""

from __future__ import annotations

import re
from typing import Any

from sandbox.meta import events
from sandbox.meta.calls import Call, deliverer, missing, paged
from sandbox.meta.world import Comment, Container, GraphError, Post, World, graph_time

HASHTAG = re.compile(r"(?<!\w)#\w+")


# -- posts, comments, moderation --------------------------------------------------------------


def read_node(call: Call, node: str) -> dict[str, Any]:
    w = call.world
    fields = call.text("fields")
    if node == w.page.id:
        return {
            "id": w.page.id,
            "name": w.page.name,
            "instagram_business_account": {"id": w.page.ig_id},
        }
    if node == w.page.ig_id:
        return _ig_user(call, fields)
    if node in w.posts:
        return _post_json(w.posts[node])
    if node in w.comments and not w.comments[node].deleted:
        return _comment_json(w, w.comments[node])
    if node in w.containers:
        return _container_status(w.containers[node])
    raise missing(node)


def _ig_user(call: Call, fields: str) -> dict[str, Any]:
    w = call.world
    match = re.match(r"mentioned_comment\.comment_id\((\w+)\)", fields)
    if match:
        comment = w.comments.get(match.group(1))
        if comment is None:
            raise missing(match.group(1))
        post = w.posts[comment.object_id]
        return {
            "id": w.page.ig_id,
            "mentioned_comment": {
                "id": comment.id,
                "text": comment.text,
                "timestamp": graph_time(comment.created),
                "username": comment.author_name,
                "from": {"id": comment.author_id, "username": comment.author_name},
                "media": {"id": post.id, "permalink": post.permalink, "caption": post.text},
            },
        }
    match = re.match(r"mentioned_media\.media_id\((\w+)\)", fields)
    if match:
        media = w.posts.get(match.group(1))
        if media is None:
            raise missing(match.group(1))
        return {
            "id": w.page.ig_id,
            "mentioned_media": {
                "id": media.id,
                "caption": media.text,
                "username": w.names.get(media.owner_id, "someone"),
                "permalink": media.permalink,
                "timestamp": graph_time(media.created),
            },
        }
    return {"id": w.page.ig_id, "username": w.page.ig_username}


def _post_json(post: Post) -> dict[str, Any]:
    if post.platform == "instagram":
        return {
            "id": post.id,
            "caption": post.text,
            "timestamp": graph_time(post.created),
            "permalink": post.permalink,
            "media_type": "IMAGE",
            "media_url": post.image_urls[0] if post.image_urls else None,
        }
    return {
        "id": post.id,
        "message": post.text,
        "created_time": graph_time(post.created),
        "updated_time": graph_time(post.updated),
        "permalink_url": post.permalink,
        "full_picture": post.image_urls[0] if post.image_urls else None,
    }


def _comment_json(w: World, c: Comment, *, with_replies: bool = False) -> dict[str, Any]:
    if c.platform == "instagram":
        item: dict[str, Any] = {
            "id": c.id,
            "text": c.text,
            "username": c.author_name,
            "timestamp": graph_time(c.created),
            "hidden": c.hidden,
            "from": {"id": c.author_id, "username": c.author_name},
        }
        if c.parent_id:
            item["parent_id"] = c.parent_id
        if with_replies:
            replies = [_comment_json(w, r) for r in _children(w, c.id)]
            if replies:
                item["replies"] = {"data": replies}
        return item
    item = {
        "id": c.id,
        "message": c.text,
        "from": {"id": c.author_id, "name": c.author_name},
        "created_time": graph_time(c.created),
        "is_hidden": c.hidden,
    }
    if c.parent_id:
        item["parent"] = {"id": c.parent_id}
    return item


def _children(w: World, parent_id: str) -> list[Comment]:
    return sorted(
        (c for c in w.comments.values() if c.parent_id == parent_id and not c.deleted),
        key=lambda c: c.created,
    )


def list_comments(call: Call, node: str) -> dict[str, Any]:
    """FB posts: `filter=stream` flattens replies; `order=reverse_chronological` newest first."""
    w = call.world
    if node in w.comments:  # FB replies to a comment
        return paged(call, [_comment_json(w, c) for c in _children(w, node)])
    post = w.posts.get(node)
    if post is None:
        raise missing(node)
    found = [c for c in w.comments.values() if c.object_id == post.id and not c.deleted]
    if post.platform == "instagram" or call.text("filter") != "stream":
        found = [c for c in found if c.parent_id is None]
    found.sort(
        key=lambda c: c.created,
        reverse=call.text("order") == "reverse_chronological" or post.platform == "instagram",
    )
    with_replies = "replies" in call.text("fields")
    return paged(call, [_comment_json(w, c, with_replies=with_replies) for c in found])


def list_replies(call: Call, node: str) -> dict[str, Any]:
    if node not in call.world.comments:
        raise missing(node)
    return paged(call, [_comment_json(call.world, c) for c in _children(call.world, node)])


def add_comment(call: Call, node: str) -> dict[str, Any]:
    """POST /{post}/comments, /{fb-comment}/comments, /{ig-comment}/replies as the Page."""
    w = call.world
    text = call.text("message")
    if not text:
        raise GraphError(100, "(#100) The parameter message is required")
    if node in w.comments:
        target = own_comment(call, node)
        post = w.posts[target.object_id]
        parent = target.parent_id or target.id  # one level deep: replies attach to the top
    elif node in w.posts and w.posts[node].owner_id in w.owner_ids():
        post, parent = w.posts[node], None
    else:
        raise missing(node)
    ours = post.platform == "instagram"
    comment = w.add_comment(
        post,
        author_id=w.page.ig_id if ours else w.page.id,
        author_name=w.page.ig_username if ours else w.page.name,
        text=text,
        parent_id=parent,
    )
    deliverer().emit(
        [events.comment_change(w, comment, post)], mode=w.config.get("ECHO_MODE", "now")
    )
    return {"id": comment.id}


def reply_to_mention(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    if owner != w.page.ig_id:
        raise missing(owner)
    media_id = call.text("media_id")
    post = w.posts.get(media_id)
    if post is None:
        raise GraphError(100, "(#100) media_id is required and must be a media we are mentioned on")
    parent = call.text("comment_id") or None
    if parent is not None and parent not in w.comments:
        raise missing(parent)
    comment = w.add_comment(
        post,
        author_id=w.page.ig_id,
        author_name=w.page.ig_username,
        text=call.text("message"),
        parent_id=parent,
    )
    return {"id": comment.id}


def moderate(call: Call, node: str) -> dict[str, Any]:
    comment = own_comment(call, node)
    hide = call.flag("is_hidden") if comment.platform == "facebook" else call.flag("hide")
    if hide is None:
        raise GraphError(100, "(#100) is_hidden (Facebook) or hide (Instagram) is required")
    comment.hidden = hide
    return {"success": True}


def delete_node(call: Call, node: str) -> dict[str, Any]:
    comment = own_comment(call, node)
    comment.deleted = True
    return {"success": True}


def own_comment(call: Call, comment_id: str) -> Comment:
    w = call.world
    comment = w.comments.get(comment_id)
    if comment is None or comment.deleted:
        raise missing(comment_id)
    post = w.posts[comment.object_id]
    if post.owner_id not in w.owner_ids() and comment.author_id not in w.owner_ids():
        raise GraphError(200, "(#200) Requires permission on the media this comment belongs to")
    return comment


# -- feed and publishing ----------------------------------------------------------------------


def list_feed(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    posts = sorted(
        (
            p
            for p in w.posts.values()
            if p.owner_id == owner and p.platform == "facebook" and p.published
        ),
        key=lambda p: p.created,
        reverse=True,
    )
    return paged(call, [_post_json(p) for p in posts])


def publish_feed(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    if owner != w.page.id:
        raise missing(owner)
    text = call.text("message")
    attached = call.obj("attached_media") or []
    if not text and not call.params.get("link") and not attached:
        raise GraphError(100, "(#100) Post must have message, link or attached_media")
    post = w.add_post("facebook", text)
    post.image_urls = [w.photos.pop(str(a.get("media_fbid")), "") for a in attached]
    return {"id": post.id}


def publish_photo(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    if owner != w.page.id:
        raise missing(owner)
    url = call.text("url")
    if not url:
        raise GraphError(100, "(#100) url or source is required")
    photo_id = w.numeric_id("55")
    if call.flag("published") is False:
        w.photos[photo_id] = url
        return {"id": photo_id}
    post = w.add_post("facebook", call.text("caption") or call.text("message"))
    post.image_urls = [url]
    return {"id": photo_id, "post_id": post.id}


def list_media(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    posts = sorted(
        (p for p in w.posts.values() if p.owner_id == owner and p.platform == "instagram"),
        key=lambda p: p.created,
        reverse=True,
    )
    return paged(call, [_post_json(p) for p in posts])


def create_container(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    if owner != w.page.ig_id:
        raise missing(owner)
    caption = call.text("caption")
    carousel = call.text("media_type") == "CAROUSEL"
    image_url = call.text("image_url") or None
    if not carousel and not image_url:
        raise GraphError(100, "(#100) The parameter image_url is required.")
    if len(caption) > 2200:
        raise GraphError(
            100, "(#100) The caption is too long (2,200 characters at most).", subcode=2207035
        )
    if len(HASHTAG.findall(caption)) > int(w.config.get("MAX_HASHTAGS", 30)):
        raise GraphError(100, "(#100) The caption has too many hashtags.", subcode=2207034)
    children = [c for c in call.text("children").split(",") if c] if carousel else []
    if carousel and any(c not in w.containers for c in children):
        raise GraphError(100, "(#100) children must be carousel item containers")
    container = Container(
        id=w.numeric_id("17"),
        owner_id=owner,
        caption=caption,
        image_url=image_url,
        checks_left=int(w.config.get("CONTAINER_CHECKS", 1)),
        children=children,
        is_carousel_item=bool(call.flag("is_carousel_item")),
    )
    w.containers[container.id] = container
    return {"id": container.id}


def _container_status(container: Container) -> dict[str, Any]:
    if container.status == "IN_PROGRESS":
        if container.checks_left <= 0:
            failed = container.image_url is not None and "error" in container.image_url
            container.status = "ERROR" if failed else "FINISHED"
        container.checks_left -= 1
    return {"id": container.id, "status_code": container.status}


def media_publish(call: Call, owner: str) -> dict[str, Any]:
    w = call.world
    container = w.containers.get(call.text("creation_id"))
    if owner != w.page.ig_id or container is None:
        raise GraphError(100, "(#100) creation_id is not a container of this account")
    if container.status != "FINISHED":
        raise GraphError(9007, "Media ID is not available", subcode=2207027, kind="OAuthException")
    post = w.add_post("instagram", container.caption)
    post.image_urls = (
        [container.image_url]
        if container.image_url
        else [w.containers[c].image_url or "" for c in container.children]
    )
    container.status, container.media_id = "PUBLISHED", post.id
    return {"id": post.id}
