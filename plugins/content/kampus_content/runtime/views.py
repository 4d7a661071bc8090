"""Web views of the XBlock runtime.

* ``GET /xblock/<usage_id>``: the block's ``student_view`` (published content,
  for users holding ``course.view``) or, with ``?view=author_view|studio_view``,
  a view of the draft (``course.edit_content``), in the site layout with the
  fragment's CSS and JavaScript;
* ``/xblock/<usage_id>/handler/<handler>[/<suffix>]``: the block's
  ``@XBlock.handler``/``@XBlock.json_handler`` (``?branch=draft`` for authors);
  the kernel checks CSRF on every POST, and a GET started by another site's
  page is refused (:mod:`kampus_content.runtime.cross_site`); learner state is
  committed per request;
* ``GET /xblock/resource/<hash>.js``: a fragment's inline JavaScript;
* ``GET /xblock/resource/<block_type>/<path>``: a file of the block's package
  under its ``public/`` folder (like Open edX's ``xblock_resource`` view);
* ``GET /static/content/<path>``: this plugin's static files (the JS runtime);
* ``GET /static/vendor/jquery|jquery-migrate|mathjax|font-awesome/<path>``: the
  libraries that Open edX content expects, from their PyPI packages
  (:mod:`kampus_content.runtime.javascript_libraries`);
* ``GET /asset-v1:<org>+<course>+<run>+type@asset+block@<name>``: Open edX's URL of
  a course file (course CSS written for Open edX uses it), redirected to the course's
  asset URL.
"""

from __future__ import annotations

import io
import mimetypes
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, send_from_directory
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import AssetKey, UsageKey
from webob import Request as WebObRequest
from xblock.exceptions import InvalidScopeError, NoSuchHandlerError, NoSuchUsage

from kampus import current_kampus, db
from kampus.db import utcnow
from kampus.identity.permissions import has_permission
from kampus.identity.tokens import bearer_token_of
from kampus.urls import site_base_url
from kampus_content.api import DRAFT, PUBLISHED, CourseNotFound, Structure, VersionConflict, content_store
from kampus_content.groups import learner_groups
from kampus_content.release import release_info
from kampus_content.runtime.cross_site import comes_from_another_site
from kampus_content.runtime.fragments import allow_third_party_scripts, load_script, resource_tags
from kampus_content.runtime.javascript_libraries import PAGE_SCRIPTS, library_folder
from kampus_content.runtime.runtime import KampusRuntime, load_block_class

STATIC = Path(__file__).resolve().parent.parent / "static" / "content"
AUTHOR_VIEWS = ("author_view", "studio_view")
VIEWS = ("student_view", *AUTHOR_VIEWS)

bp = Blueprint("xblock", __name__)



class Access:
    """Who is asking, for which course: the permission answers a request needs, each asked once."""

    def __init__(self, user: Any, course_key: str):
        self.user = user
        self.course_key = course_key
        self.staff = has_permission(user, "course.view_staff", course_key)
        self._beta: bool | None = None

    @property
    def beta(self) -> bool:
        if self._beta is None:
            self._beta = has_permission(self.user, "course.view_beta", self.course_key)
        return self._beta

    def visible_rule(self, structure: Structure) -> Any:
        """A predicate on block keys: released, not staff-only and in the learner's content groups
        (``kampus_user_partition_groups``), along the whole ancestry, and not hidden after its due
        date (:mod:`kampus_content.release`); ``None`` for staff, who see everything."""
        if self.staff:
            return None
        info = release_info(structure)
        beta = info.has_beta_days and self.beta
        now = utcnow()
        groups = learner_groups(getattr(self.user, "id", None), self.course_key) if info.groups else None
        return lambda key: info.visible(key, now, beta, groups) and not info.hidden_after_due(key, now)


def _usage_key(usage_id: str) -> UsageKey:
    try:
        key = UsageKey.from_string(usage_id)
    except InvalidKeyError:
        abort(404)
    if getattr(key, "course_key", None) is None:
        abort(404)
    return key


def _runtime_for(usage_id: str, authoring: bool) -> tuple[KampusRuntime, Any] | Response:
    """The runtime and block for this request, after the access checks (a response when refused)."""
    usage_key = _usage_key(usage_id)
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]
    course_key = str(usage_key.course_key)
    needed = "course.edit_content" if authoring else "course.view"
    if not has_permission(current_user, needed, course_key):
        abort(403, _("You do not have access to this content."))
    try:
        structure = content_store().get_branch(course_key, DRAFT if authoring else PUBLISHED)
    except CourseNotFound:
        abort(404)
    if structure is None:
        abort(404)
    key = (usage_key.block_type, usage_key.block_id)
    if key not in structure.blocks:
        abort(404)
    access = Access(current_user, course_key)
    visible = None if authoring else access.visible_rule(structure)
    if visible is not None and not visible(key):
        if release_info(structure).hidden_after_due(key, utcnow()):
            abort(403, _("The due date for this assignment has passed, so the content is hidden."))
        abort(404)
    kampus = current_kampus()
    runtime = KampusRuntime(
        structure,
        user=current_user._get_current_object(),  # type: ignore[attr-defined]
        user_is_staff=access.staff,
        authoring=authoring,
        visible=visible,
        locale=str(get_locale() or kampus.settings.default_locale),
        db_session=db.session(),
    )
    try:
        block = runtime.get_block(runtime.usage_key(key))
    except NoSuchUsage:
        abort(404)
    return runtime, block


def _commit(runtime: KampusRuntime, message: str = "") -> None:
    try:
        runtime.flush(message=message)
    except VersionConflict as exc:
        db.session().rollback()
        abort(409, str(exc))
    db.session().commit()
    runtime.after_commit()  # kampus_score_changed, only for what was committed


@bp.get("/xblock/<usage_id>")
def block_page(usage_id: str) -> Any:
    view = request.args.get("view", "student_view")
    if view not in VIEWS:
        abort(404)
    loaded = _runtime_for(usage_id, authoring=view in AUTHOR_VIEWS)
    if not isinstance(loaded, tuple):
        return loaded
    runtime, block = loaded
    if not getattr(block, "has_children", False):
        runtime.prefetch_subtree(block.scope_ids.usage_id)
    context = {"unit": request.args.get("unit")}
    frag = runtime.render(block, view, context)
    _commit(runtime)
    head, foot = resource_tags(frag)
    response = Response(render_template(
        "content/xblock_page.html",
        title=getattr(block, "display_name", None) or block.scope_ids.block_type,
        body=Markup(frag.body_html()),
        head_resources=head,
        foot_resources=foot,
        usage_id=str(block.scope_ids.usage_id),
        view=view,
        course_key=runtime.course_key,
        vendor_scripts=PAGE_SCRIPTS,
    ))
    response.headers["Cache-Control"] = "no-store"
    if runtime.third_party_loaded:
        # Third-party XBlocks need eval and their own inline event handlers: allowed on these pages only.
        allow_third_party_scripts(frag.body_html())
    return response


def _webob_request(suffix: str) -> WebObRequest:
    """A WebOb request equal to the Flask one (the body rebuilt when form parsing consumed it)."""
    environ = dict(request.environ)
    body = request.get_data(cache=True)
    if not body and request.files:
        post: list[tuple[str, Any]] = list(request.form.items(multi=True))
        uploads = request.files.items(multi=True)
        post.extend((name, (upload.filename or name, upload.read())) for name, upload in uploads)
        webob_request = WebObRequest.blank(request.full_path, environ=environ, POST=post)
    else:
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        webob_request = WebObRequest(environ)
    return webob_request


def _check_csrf() -> None:
    """The kernel's CSRF check, after the raw body is cached.

    Flask-WTF reads ``request.form``; for the form-encoded posts of jQuery's
    defaults (``$.ajax({data: JSON.stringify(...)})``, as many XBlocks send)
    that would consume the body the block's handler needs. So this view is
    exempt from the kernel's check and runs the same check here.
    """
    request.get_data(cache=True)
    if request.method in ("GET", "HEAD", "OPTIONS", "TRACE") or bearer_token_of(request) is not None:
        return
    current_app.extensions["csrf"].protect()


def _refuse_cross_site_get() -> None:
    """Refuse a handler reached by GET (or HEAD) from another site's page (:mod:`.cross_site` says why)."""
    if request.method not in ("GET", "HEAD") or bearer_token_of(request) is not None:
        return  # POSTs carry the CSRF token; a bearer token is never sent by another site's link
    if comes_from_another_site(request.headers, (request.host_url, site_base_url())):
        abort(403, _("This link to a course component came from another site, so it was not followed. "
                     "Open the component on this site instead."))


@bp.route("/xblock/<usage_id>/handler/<handler>", defaults={"suffix": ""}, methods=["GET", "POST", "PUT", "DELETE"])
@bp.route("/xblock/<usage_id>/handler/<handler>/<path:suffix>", methods=["GET", "POST", "PUT", "DELETE"])
def block_handler(usage_id: str, handler: str, suffix: str) -> Any:
    _refuse_cross_site_get()
    _check_csrf()
    authoring = request.args.get("branch") == "draft"
    loaded = _runtime_for(usage_id, authoring=authoring)
    if not isinstance(loaded, tuple):
        return loaded
    runtime, block = loaded
    method = getattr(block, handler, None)
    fallback = getattr(block, "fallback_handler", None)
    if not getattr(method, "_is_xblock_handler", False) and not getattr(fallback, "_is_xblock_handler", False):
        abort(404, _("No such handler."))
    runtime.prefetch_subtree(block.scope_ids.usage_id)
    try:
        result = runtime.handle(block, handler, _webob_request(suffix), suffix)
    except NoSuchHandlerError:
        abort(404, _("No such handler."))
    except InvalidScopeError:
        db.session().rollback()
        abort(403, _("This content cannot be changed here."))
    _commit(runtime, message=f"{block.scope_ids.block_type} {handler}")
    response = Response(result.body, status=result.status_int)
    for name, value in result.headerlist:
        if name.lower() == "content-length":
            continue
        if name.lower() == "set-cookie":
            response.headers.add(name, value)
        else:
            response.headers[name] = value
    response.headers.setdefault("Cache-Control", "no-store")
    return response


block_handler.kampus_csrf_exempt = True  # type: ignore[attr-defined]  # checked in the view: _check_csrf


@bp.get("/xblock/resource/<string:digest>.js")
def inline_script(digest: str) -> Any:
    if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
        abort(404)
    body = load_script(digest)
    if body is None:
        abort(404)
    response = Response(body, mimetype="application/javascript")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.get("/xblock/resource/<block_type>/<path:uri>")
def block_resource(block_type: str, uri: str) -> Any:
    """A public file of an XBlock's package (XBlock's ``open_local_resource`` decides what is public)."""
    cls = load_block_class(block_type)
    if getattr(cls, "unavailable_type", None):
        abort(404)
    try:
        handle = cls.open_local_resource(uri)
    except Exception:
        abort(404)
    with handle:
        data = handle.read()
    mimetype = mimetypes.guess_type(uri)[0] or "application/octet-stream"
    response = Response(data, mimetype=mimetype)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/static/content/<path:filename>")
def content_static(filename: str) -> Any:
    return send_from_directory(STATIC, filename, max_age=3600)


@bp.get('/static/vendor/<any(jquery, "jquery-migrate", mathjax, "font-awesome"):library>/<path:filename>')
def vendor_static(library: str, filename: str) -> Any:
    """jQuery, jquery-migrate, MathJax and Font Awesome for course content
    (:mod:`kampus_content.runtime.javascript_libraries`)."""
    folder = library_folder(library)
    if folder is None:
        abort(404)
    return send_from_directory(folder, filename, max_age=86400)


@bp.get("/asset-v1:<path:rest>")
def openedx_asset(rest: str) -> Any:
    """Open edX's URL of a course file, redirected to the same file at ``/assets/<course_id>/<name>``."""
    try:
        key = AssetKey.from_string(f"asset-v1:{rest}")
    except InvalidKeyError:
        abort(404)
    return redirect(f"/assets/{key.course_key}/{key.path}", code=301)
