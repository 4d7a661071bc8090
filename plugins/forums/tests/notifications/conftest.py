"""The notifications' tests: no waiting between retries of a failing mailer."""

from __future__ import annotations

import pytest


@pytest.fixture
def kampus_settings():
    return {"forums_notification_mail_retry_seconds": 0.0, "forums_notification_mail_retries": 1}
