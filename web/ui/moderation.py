"""Hide, unhide or delete a customer's comment from the thread (buttons on the comment).

A plain form POST (CSRF token, no inline script), redirected back to the thread, where the
comment shows the pending request and then what the platform said.
"""

from __future__ import annotations

from flask import abort, flash, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from inbox.models import Message
from inbox.moderation import ModerationRefused
from web.moderating import moderate
from web.runtime import current_runtime
from web.ui.actions import _back
from web.ui.common import roles, user_row, visible_conversation
from web.ui.inbox import AGENTS, bp
from web.ui.text import say


@bp.post("/messages/<int:message_id>/moderate")
@roles(*AGENTS)
def moderate_message(message_id: int) -> BaseResponse:
    rt = current_runtime()
    action = request.form.get("action", "")
    with rt.db.session() as db:
        user = user_row(db)
        message = db.get(Message, message_id)
        if message is None:
            abort(404)
        conversation_id = message.conversation_id
        visible_conversation(db, user, conversation_id)  # 404 outside the agent's inboxes
        try:
            _row, created = moderate(rt, db, message, action, user)
        except ModerationRefused as exc:
            db.rollback()
            flash(_("Not done: %(reason)s", reason=say(exc)), "error")
            return _back(conversation_id)
    if created:
        flash(_("Sent to the platform; the comment shows the result in a moment."), "info")
    return _back(conversation_id)
