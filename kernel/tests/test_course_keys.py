"""Course keys are read by edx-opaque-keys: what it accepts is a course, what it refuses is not."""

from __future__ import annotations

import pytest

from kampus.course_keys import course_id_from_url, is_course_id, org_of, parse_course_key


@pytest.mark.parametrize("url, course_id", [
    ("http://x/courses/course-v1:edX+DemoX+Demo_Course/courseware/a/b/", "course-v1:edX+DemoX+Demo_Course"),
    ("http://x/xblock/block-v1:edX+DemoX+Demo_Course+type@vertical+block@1?x=1", "course-v1:edX+DemoX+Demo_Course"),
    ("http://x/courses/course-v1%3AOrg%2BN%2BR/info", "course-v1:Org+N+R"),
    ("/courses/edX/DemoX/Demo_Course/courseware/", "edX/DemoX/Demo_Course"),  # an old-style course id
    ("http://x/dashboard?next=/courses/course-v1:A+B+C/", ""),  # only the path names the page's course
    ("http://x/courses/course-v1:Org+Num/", ""),  # not a course key: opaque-keys refuses it
    ("http://x/courses/course-v1:Org+N+R+extra/", ""),
    ("http://x/dashboard", ""),
    (None, ""),
])
def test_course_id_from_url(url, course_id):
    assert course_id_from_url(url) == course_id


def test_course_ids_and_orgs():
    assert is_course_id("course-v1:Org+Num+Run") and is_course_id("edX/DemoX/Demo_Course")
    assert not is_course_id("not a course") and not is_course_id("") and not is_course_id(None)
    assert not is_course_id("block-v1:Org+Num+Run+type@html+block@x")  # a usage key is not a course key
    assert org_of("course-v1:Org+Num+Run") == "Org" and org_of("edX/DemoX/Demo_Course") == "edX"
    assert org_of("garbage") == "" and org_of(None) == ""
    assert str(parse_course_key("course-v1:Org+Num+Run")) == "course-v1:Org+Num+Run"
