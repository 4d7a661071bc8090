"""The forums' pages: the Discussion tab for enrolled learners and the course team only, the tab's page and
thread permalinks with the client's data attributes, the moderator pages, the preview endpoint, the inline
discussion of a unit, and the strings every script key needs."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kampus_forums.web import views

from kampus.testing import recording_statements

FORUM = "/courses/{course}/discussion/forum/"
STATIC = Path(views.__file__).resolve().parent.parent / "static" / "forums"


def _forum_url(forum) -> str:
    return FORUM.format(course=forum.COURSE)


def _tab_ids(page: str) -> list[str]:
    return re.findall(r'data-tab-id="([^"]+)"', page)


def _strings(page: str) -> dict[str, str]:
    match = re.search(r'<script type="application/json" class="kampus-forum-strings">(.*?)</script>', page, re.S)
    assert match, "the strings block is missing"
    return json.loads(match.group(1))


def test_the_tab_shows_for_enrolled_learners_and_the_team_only(forum, client):
    outline = f"/courses/{forum.COURSE}/course/"
    learner_page = forum.learner().get(outline).get_data(as_text=True)
    assert "discussion" in _tab_ids(learner_page)
    assert f'href="{_forum_url(forum)}"' in learner_page
    staff_page = forum.member("staff").get(outline).get_data(as_text=True)
    assert "discussion" in _tab_ids(staff_page)
    # Discussion sits after Progress and Dates (the LMS's order 60)
    ids = _tab_ids(learner_page)
    assert ids.index("discussion") > ids.index("dates")

    visitor = forum.learner(enrolled=False)
    assert "discussion" not in _tab_ids(visitor.get(f"/courses/{forum.COURSE}/about").get_data(as_text=True))
    with forum.app.test_request_context():
        from kampus_forums.web.tabs import discussion_tab
        assert discussion_tab(forum.COURSE, visitor.user) == []
        assert discussion_tab(forum.COURSE, None) == []
        assert discussion_tab("not a course", visitor.user) == []


def test_the_discussion_page_renders_the_client(forum):
    learner = forum.learner(username="lena")
    response = learner.get(_forum_url(forum))
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'data-forum-mode="tab"' in page
    assert f'data-course-id="{forum.COURSE}"' in page
    assert 'data-api-root="/api/discussion/"' in page
    assert f'data-preview-url="/courses/{forum.COURSE}/discussion/preview"' in page
    assert 'data-username="lena"' in page and 'data-privileged="false"' in page
    assert 'data-thread-id=""' in page
    assert 'aria-current="page"' in page and 'data-tab-id="discussion"' in page
    assert "/static/forums/discussion.js" in page and "/static/forums/discussion.css" in page
    assert "math.js" in page  # the content plugin's maths loader (MathJax on demand)
    assert "Reported content" not in page  # no moderator links for a learner
    assert "<script>" not in page  # no inline script (the CSP would refuse it)
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"].split("script-src")[-1].split(";")[0]
    assert learner.get("/static/forums/discussion.js").status_code == 200


def test_a_thread_permalink_opens_the_thread(forum):
    learner = forum.learner()
    response = learner.get(f"{_forum_url(forum)}{forum.TOPIC}/threads/42")
    assert response.status_code == 200
    assert 'data-thread-id="42"' in response.get_data(as_text=True)


def test_who_may_open_the_pages(forum, client):
    url = _forum_url(forum)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    outsider = forum.learner(enrolled=False).get(url)
    assert outsider.status_code == 302 and "about" in outsider.headers["Location"]
    assert forum.learner().get("/courses/course-v1:No+Such+Course/discussion/forum/").status_code == 404
    assert forum.learner().get("/courses/not-a-key/discussion/forum/").status_code == 404

    learner = forum.learner()
    assert learner.get(f"/courses/{forum.COURSE}/discussion/moderation/flagged").status_code == 403
    assert learner.get(f"/courses/{forum.COURSE}/discussion/moderation/audit-log").status_code == 403


def test_moderators_get_the_moderation_pages_and_links(forum):
    moderator = forum.member("discussion_moderator")
    page = moderator.get(_forum_url(forum)).get_data(as_text=True)
    assert 'data-privileged="true"' in page and 'data-moderator="true"' in page
    assert f'href="/courses/{forum.COURSE}/discussion/moderation/flagged"' in page
    assert f'href="/courses/{forum.COURSE}/discussion/moderation/audit-log"' in page
    flagged = moderator.get(f"/courses/{forum.COURSE}/discussion/moderation/flagged")
    assert flagged.status_code == 200
    assert 'data-moderation-page="flagged"' in flagged.get_data(as_text=True)
    audit = moderator.get(f"/courses/{forum.COURSE}/discussion/moderation/audit-log")
    assert audit.status_code == 200
    assert 'data-moderation-page="audit"' in audit.get_data(as_text=True)
    # a group moderator sees the reported queue (of their group) but not the log; a community TA neither
    group_moderator = forum.member("group_moderator")
    assert group_moderator.get(f"/courses/{forum.COURSE}/discussion/moderation/flagged").status_code == 200
    assert group_moderator.get(f"/courses/{forum.COURSE}/discussion/moderation/audit-log").status_code == 403
    ta = forum.member("community_ta")
    assert ta.get(f"/courses/{forum.COURSE}/discussion/moderation/flagged").status_code == 403
    assert 'data-privileged="true"' in ta.get(_forum_url(forum)).get_data(as_text=True)


def test_the_preview_renders_markdown_safely(forum, client):
    learner = forum.learner()
    url = f"/courses/{forum.COURSE}/discussion/preview"
    answer = learner.post(url, json={"raw_body": "**bold** <script>alert(1)</script> \\(x^2\\)"})
    assert answer.status_code == 200
    html = answer.get_json()["rendered_body"]
    assert "<strong>bold</strong>" in html and "<script>" not in html and "\\(x^2\\)" in html
    assert learner.post(url, json={"body": "x"}).status_code == 400
    assert learner.post(url, data="not json").status_code == 400
    assert learner.post(url, json={"raw_body": "x" * (views.MAX_PREVIEW_CHARS + 1)}).status_code == 400
    assert forum.learner(enrolled=False).post(url, json={"raw_body": "x"}).status_code == 404
    assert learner.post(url, json={"raw_body": "x"}, csrf=False).status_code in (400, 403)


def test_the_inline_discussion_fills_the_unit(forum):
    learner = forum.learner(username="ines")
    page = learner.get(forum.unit_url()).get_data(as_text=True)
    assert 'data-forum-mode="inline"' in page
    assert f'data-topic-id="{forum.TOPIC}"' in page
    assert "Discussion is not available in this course." not in page
    assert "/static/forums/discussion.js" in page and "/static/forums/discussion.css" in page
    assert "kampus-forum-strings" in page
    # course staff see it too; in Studio's authoring view the block keeps its placeholder
    staff_page = forum.member("staff").get(forum.unit_url()).get_data(as_text=True)
    assert 'data-forum-mode="inline"' in staff_page


def test_a_unit_page_with_an_inline_discussion_counts_the_bell_once(forum):
    """The forum client rendered into the unit is a second template of the request: the layout's context (the
    navigation, whose bell is a count of unread notifications) is made once per request."""
    learner = forum.learner(username="ines")
    learner.get(forum.unit_url())
    with recording_statements(forum.app) as statements:
        page = learner.get(forum.unit_url()).get_data(as_text=True)
    assert 'data-forum-mode="inline"' in page and 'href="/notifications/"' in page
    assert len([q for q in statements.queries if "FROM forums_notification" in q]) == 1


def test_the_inline_discussion_is_left_alone_for_other_views(forum):
    from types import SimpleNamespace

    from kampus_forums.web.inline import wrap_discussion
    from web_fragments.fragment import Fragment

    block = SimpleNamespace(scope_ids=SimpleNamespace(block_type="html"), runtime=SimpleNamespace(authoring=False))
    assert wrap_discussion(block, "student_view", Fragment("<p>x</p>"), {}) is None
    discussion = SimpleNamespace(scope_ids=SimpleNamespace(block_type="discussion"),
                                 runtime=SimpleNamespace(authoring=False))
    assert wrap_discussion(discussion, "author_view", Fragment("<p>x</p>"), {}) is None


def test_every_string_the_scripts_use_is_translated_in_the_page(forum):
    page = forum.learner().get(_forum_url(forum)).get_data(as_text=True)
    strings = _strings(page)
    script = (STATIC / "discussion.js").read_text()
    keys = set(re.findall(r'(?:\bthis|self)\.t\("([a-z_]+)"', script))
    keys |= set(re.findall(r'(?:actionButton|badge)\("([a-z_]+)"', script))
    keys |= {key for pair in re.findall(r'\? "([a-z_]+)" : "([a-z_]+)"', script) for key in pair}
    keys |= {f"{key}_{form}" for key in re.findall(r'\.n\("([a-z_]+)"', script) for form in ("one", "other")}
    keys |= {f"label_{label}" for label in ("staff", "moderator", "community_ta")}
    keys -= {"label_", "true", "false", "_one", "_other", "thumbs_up", "thumbs_o_up", "star", "star_o", "text_bg_info"}
    missing = sorted(key for key in keys if key not in strings)
    assert not missing, f"strings the script uses but the page does not give: {missing}"
    moderation = (STATIC / "moderation.js").read_text()
    mod_page = forum.member("discussion_moderator").get(
        f"/courses/{forum.COURSE}/discussion/moderation/flagged").get_data(as_text=True)
    mod_strings = _strings(mod_page)
    mod_keys = set(re.findall(r'\bt\("([a-z_]+)"', moderation))
    assert "action:thread.closed" in mod_strings
    missing = sorted(key for key in mod_keys if key not in mod_strings)
    assert not missing, f"strings moderation.js uses but the page does not give: {missing}"


def test_the_strings_block_is_rendered_once_per_locale(forum, monkeypatch):
    from flask_babel import force_locale
    from kampus_forums.web.config import CLIENT_STRINGS, client_strings

    environment = forum.app.jinja_env
    environment.auto_reload = False  # as in production: templates do not change while the app runs
    rendered = []
    get_template = environment.get_template

    def counting(name, *args, **kwargs):
        if name == CLIENT_STRINGS:
            rendered.append(name)
        return get_template(name, *args, **kwargs)

    monkeypatch.setattr(environment, "get_template", counting)
    learner = forum.learner()
    pages = [learner.get(_forum_url(forum)).get_data(as_text=True) for _ in range(3)]
    assert len(rendered) == 1
    assert _strings(pages[0]) == _strings(pages[2]) and _strings(pages[0])["add_post"]
    with forum.app.test_request_context(), force_locale("fr"):
        client_strings()
    assert len(rendered) == 2  # another locale, its own block
