"""Settings an OLX import (or an old edit) can carry out of range are read without crashing: a huge
``days_early_for_beta`` is clamped to the calendar, a date with an impossible UTC offset is no date, a
non-finite weight is no weight."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from kampus_content.api import get_structure, parse_date, release_info
from kampus_content.release import EARLIEST
from kampus_content.settings_fields import typed
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE

pytestmark = pytest.mark.kampus_plugins("content")

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("days", [1000000, "1000000", 1e300, "1e999", "nan", -5])
def test_beta_days_out_of_range_are_clamped(app, days):
    publish_course(app, DEFAULT_COURSE, {"later": [Block("html", "h", {"data": "<p>x</p>"})]},
                   unit_fields={"later": {"start": "2027-01-01T00:00:00Z"}},
                   course_fields={"start": "2025-01-01T00:00:00Z", "days_early_for_beta": days})
    with app.app_context():
        info = release_info(get_structure(DEFAULT_COURSE))
        key = ("vertical", "later")
        assert 0 <= info.beta_days.get(key, 0.0) <= (info.starts[key] - EARLIEST).days
        visible_to_beta = info.visible(key, NOW, beta=True)
        assert not info.visible(key, NOW)
        assert visible_to_beta == (key in info.beta_days)
        assert info.beta_start(key) <= info.starts[key]


def test_beta_start_before_the_calendar_does_not_overflow(app):
    publish_course(app, DEFAULT_COURSE, {"u": [Block("html", "h", {"data": "<p>x</p>"})]},
                   unit_fields={"u": {"start": "0001-01-05T00:00:00Z"}},
                   course_fields={"start": "0001-01-01T00:00:00Z", "days_early_for_beta": 3000})
    with app.app_context():
        info = release_info(get_structure(DEFAULT_COURSE))
        assert info.visible(("vertical", "u"), NOW, beta=True)


@pytest.mark.parametrize("text", ["2026-09-01T09:00:00+99:00", "2026-09-01T09:00:00-24:00",
                                  "0001-01-01T00:00:00+05:00", "9" * 5000])
def test_impossible_dates_are_no_dates(text):
    assert parse_date(text) is None


def test_good_dates_still_parse():
    assert parse_date("2026-09-01T09:00:00+02:00") == datetime(2026, 9, 1, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", ["1e999", "nan", "inf", float("nan"), float("inf")])
def test_non_finite_numbers_are_no_numbers(value):
    assert typed("weight", value) is None
    assert typed("max_attempts", value) is None

