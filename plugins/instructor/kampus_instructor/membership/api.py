"""The membership area's API, for the dashboard's other areas: the JSON endpoints' shared pieces
(Open edX's error bodies, the permission check, request fields, user lookup) and the course team."""

from __future__ import annotations

from kampus_instructor.membership.http import (
    ApiError,
    ErrorBody,
    bool_field,
    check,
    fields,
    find_user,
    install_errors,
    no_content,
    text_field,
    user_info,
)
from kampus_instructor.membership.service import MANAGE_ENROLLMENT, MANAGE_TEAM, role_members

__all__ = [
    "MANAGE_ENROLLMENT",
    "MANAGE_TEAM",
    "ApiError",
    "ErrorBody",
    "bool_field",
    "check",
    "fields",
    "find_user",
    "install_errors",
    "no_content",
    "role_members",
    "text_field",
    "user_info",
]
