"""``<int:...>`` in URLs matches database ids only: a number no id column holds is a 404, never a 500."""

from __future__ import annotations

import pytest
from werkzeug.routing import IntegerConverter

from kampus.url_converters import MAX_ID, BoundedIntegerConverter


@pytest.mark.parametrize("user_id", ["99999999999999999999999", str(2**63), str(MAX_ID + 1)])
def test_a_huge_user_id_on_a_staff_page_is_not_found(client_as, user_id):
    staff = client_as("global_staff")
    assert staff.get(f"/staff/users/{user_id}").status_code == 404
    assert staff.post(f"/staff/users/{user_id}/active", data={"is_active": "1"}).status_code == 404


def test_the_largest_id_still_reaches_the_view(client_as):
    assert client_as("global_staff").get(f"/staff/users/{MAX_ID}").status_code == 404  # no such user, no error


def test_every_int_route_is_bounded(app):
    for rule in app.url_map.iter_rules():
        for converter in rule._converters.values():
            if isinstance(converter, IntegerConverter):
                assert isinstance(converter, BoundedIntegerConverter), rule.rule
                assert converter.max is not None and converter.max <= MAX_ID, rule.rule
