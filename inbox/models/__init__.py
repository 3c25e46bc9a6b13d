"""Every model, importable from one place; feature modules register by one import line here."""

import inbox.faq.models
import inbox.models.announcements
import inbox.models.assignment  # assignment_policy, assignment_turn
import inbox.models.moderation  # comment_moderation
import inbox.models.notifications
import inbox.models.oauth  # oauth_state
import inbox.models.privacy  # privacy_request
import inbox.models.reports  # report_bucket, report_state, csat_survey, category_rule
import inbox.models.rules  # automation_rule, rule_firing
import inbox.models.sla  # business_hours, sla_policy, conversation_sla
import inbox.models.webhooks
import inbox.models.workflow  # noqa: F401  (saved_view, macro)
from inbox.models.base import Base, UTCDateTime, utcnow
from inbox.models.canned import CannedResponse, LoginFailure
from inbox.models.channels import ChannelAccount, InboundDelivery, SyncCursor
from inbox.models.conversations import (
    DELIVERY_STATUSES,
    PRIORITIES,
    STATUSES,
    Attachment,
    AuditLog,
    Conversation,
    ConversationCount,
    ConversationLabelCount,
    EarlyReceipt,
    Label,
    Message,
    conversation_label,
)
from inbox.models.people import (
    ROLES,
    ApiToken,
    Contact,
    ContactIdentity,
    Team,
    User,
    inbox_member,
    team_member,
)

__all__ = [
    "DELIVERY_STATUSES",
    "PRIORITIES",
    "ROLES",
    "STATUSES",
    "ApiToken",
    "Attachment",
    "AuditLog",
    "Base",
    "CannedResponse",
    "ChannelAccount",
    "Contact",
    "ContactIdentity",
    "Conversation",
    "ConversationCount",
    "ConversationLabelCount",
    "EarlyReceipt",
    "InboundDelivery",
    "Label",
    "LoginFailure",
    "Message",
    "SyncCursor",
    "Team",
    "UTCDateTime",
    "User",
    "conversation_label",
    "inbox_member",
    "team_member",
    "utcnow",
]
