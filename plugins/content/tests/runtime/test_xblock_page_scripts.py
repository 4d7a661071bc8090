"""What an XBlock page gives the browser: jQuery with jquery-migrate from PyPI, the runtime, the wrapper's
data attributes Open edX's JS runtime reads, and a CSP that admits third-party blocks' own inline handlers
by hash only. (The browser side is tests/e2e/test_xblock_js_runtime.py.)"""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from kampus_content.runtime.fragments import third_party_script_policy
from kampus_content.store.interface import Block
from kampus_content.testing.xblocks import publish_course

from kampus.testing import DEFAULT_COURSE

pytestmark = pytest.mark.kampus_plugins("content")


@pytest.fixture
def usage(app):
    return publish_course(app, DEFAULT_COURSE, {
        "plain": [Block("html", "intro", {"data": "<p>Hello</p>"})],
        "family": [Block("acid_parent", "parent", {"name": "parent"}, [("acid", "left")])],
        "opinion": [Block("feedback", "fb", {"display_name": "Your opinion"})],
    }, extra_blocks=[Block("acid", "left", {"name": "left-child"})])


def scripts(html: str) -> list[str]:
    return re.findall(r'<script src="([^"]+)"', html)


def test_page_loads_jquery_then_migrate_then_the_runtime(client_as, usage):
    html = client_as("learner").get(f"/xblock/{usage['plain']}").get_data(as_text=True)
    order = [src for src in scripts(html) if "vendor/jquery" in src or "xblock-runtime" in src]
    assert order == ["/static/vendor/jquery/jquery.min.js", "/static/vendor/jquery-migrate/jquery-migrate.min.js",
                     "/static/content/xblock-runtime.js"]


def test_vendor_files_come_from_the_pypi_packages(client):
    jquery = client.get("/static/vendor/jquery/jquery.min.js")
    assert jquery.status_code == 200 and b"jQuery v3." in jquery.data[:200]
    migrate = client.get("/static/vendor/jquery-migrate/jquery-migrate.min.js")
    assert migrate.status_code == 200 and b"jQuery Migrate v3." in migrate.data[:200]
    assert "javascript" in migrate.mimetype
    assert client.get("/static/vendor/jquery-ui/jquery-ui.js").status_code == 404
    assert client.get("/static/vendor/jquery/../__init__.py").status_code == 404


def test_wrapper_carries_name_course_and_runtime(client_as, usage):
    html = client_as("learner").get(f"/xblock/{usage['family']}").get_data(as_text=True)
    parent = re.search(r'<div class="xblock [^"]*xblock-student_view-acid_parent"[^>]*>', html).group(0)
    assert 'data-name="parent"' in parent and 'data-init="AcidParentBlock"' in parent
    assert f'data-course-id="{DEFAULT_COURSE}"' in parent
    assert 'data-runtime-class="KampusRuntime"' in parent and 'data-runtime-version="1"' in parent
    child = re.search(r'<div class="xblock [^"]*xblock-student_view-acid"[^>]*>', html).group(0)
    assert 'data-name="left-child"' in child
    # an html block without a name gets no data-name
    html = client_as("learner").get(f"/xblock/{usage['plain']}").get_data(as_text=True)
    assert "data-name=" not in re.search(r'<div class="xblock [^"]*-html"[^>]*>', html).group(0)


def test_third_party_inline_handlers_are_allowed_by_hash_only(client_as, usage):
    response = client_as("learner").get(f"/xblock/{usage['opinion']}")
    html = response.get_data(as_text=True)
    assert 'onsubmit="return false;"' in html  # feedback-xblock's form, as written for Open edX
    policy = response.headers["Content-Security-Policy"]
    script_src = next(part.strip() for part in policy.split(";") if part.strip().startswith("script-src"))
    digest = base64.b64encode(hashlib.sha256(b"return false;").digest()).decode()
    assert script_src.split() == ["script-src", "'self'", "'unsafe-eval'", "'unsafe-hashes'", f"'sha256-{digest}'"]
    assert "'unsafe-inline'" not in script_src


def test_script_policy_hashes_each_distinct_handler_decoded():
    body = ('<form onsubmit="return false;"><button onclick=\'go("a&amp;b")\'>x</button></form>'
            '<a onclick="return false;" href="#">y</a><p title="onclick">z</p>')
    policy = third_party_script_policy(body)
    expected = sorted(base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
                      for code in ("return false;", 'go("a&b")'))
    assert policy == ("script-src 'self' 'unsafe-eval' 'unsafe-hashes' "
                      + " ".join(f"'sha256-{digest}'" for digest in expected))
    assert third_party_script_policy("<p>plain</p>") == "script-src 'self' 'unsafe-eval'"


def test_first_party_pages_keep_the_strict_policy(client_as, usage):
    policy = client_as("learner").get(f"/xblock/{usage['plain']}").headers["Content-Security-Policy"]
    assert "script-src" not in policy and policy.startswith("default-src 'self';")
