"""Ask the platforms for a customer's profile again (name, picture), from the contact pane."""

from __future__ import annotations

from flask import flash, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from inbox.profiles import request_refresh
from web.runtime import current_runtime
from web.ui.actions import _back
from web.ui.common import roles, thread_contact, user_row
from web.ui.inbox import AGENTS, bp


@bp.post("/contacts/<int:contact_id>/refresh-profile")
@roles(*AGENTS)
def refresh_profile(contact_id: int) -> BaseResponse:
    rt = current_runtime()
    conversation_id = request.form.get("conversation_id", type=int) or 0
    with rt.db.session() as db:
        user = user_row(db)
        contact = thread_contact(db, user, conversation_id, contact_id)
        accounts = request_refresh(db, contact.id)
        contact_id = contact.id
    for account_id in accounts:
        rt.jobs.enqueue(
            "workers.lookups.look_up_account",
            account_id,
            contact_id,
            queue="poll",
            job_id=f"lookups:{account_id}:contact:{contact_id}",
        )
    flash(_("Asking the platform for the customer's profile again."), "info")
    return _back(conversation_id)
