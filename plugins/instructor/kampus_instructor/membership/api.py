"""The membership area's API, for the dashboard's other areas: request fields, user lookup and the course
team."""

from __future__ import annotations

from kampus_instructor.membership.fields import bool_field, find_user, text_field, user_info
from kampus_instructor.membership.service import MANAGE_ENROLLMENT, MANAGE_TEAM, role_members

__all__ = [
    "MANAGE_ENROLLMENT",
    "MANAGE_TEAM",
    "bool_field",
    "find_user",
    "role_members",
    "text_field",
    "user_info",
]
