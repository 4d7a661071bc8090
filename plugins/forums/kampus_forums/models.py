"""Every table of the forums, imported in one place for Alembic and the migration test."""

from __future__ import annotations

from kampus_forums.interactions.models import AbuseFlag, Follow, Vote
from kampus_forums.moderation.models import AuditEntry, Restriction, RestrictionException
from kampus_forums.notifications.models import DigestSent, Notification, NotificationPreference
from kampus_forums.threads.models import Comment, EditRecord, ReadState, Thread
from kampus_forums.topics.models import DiscussionSettings

__all__ = ["AbuseFlag", "AuditEntry", "Comment", "DigestSent", "DiscussionSettings", "EditRecord", "Follow",
           "Notification", "NotificationPreference", "ReadState", "Restriction", "RestrictionException", "Thread",
           "Vote"]
