"""The public API of the bulk e-mail area, for the dashboard's other areas (Open edX's ``bulk_email`` API)."""

from __future__ import annotations

from kampus_instructor.bulk_email.models import BulkEmailMessage
from kampus_instructor.bulk_email.service import (
    BulkEmailError,
    DeliveryCounts,
    cancel_scheduled,
    create_message,
    delivery_counts,
    dispatch_due,
    history,
    is_opted_out,
    sanitize_html,
    set_optout,
    unsubscribe_url,
)

__all__ = ["BulkEmailError", "BulkEmailMessage", "DeliveryCounts", "cancel_scheduled", "create_message",
           "delivery_counts", "dispatch_due", "history", "is_opted_out", "sanitize_html", "set_optout",
           "unsubscribe_url"]
