"""The OpenAPI 3 document of every plugin's API, and request validation from the same schemas.

Built on SpecTree (pydantic models; it wraps plain Flask views and needs no special blueprint
class). The document is served at ``/api/openapi.json``, with Swagger UI at ``/api/docs`` (its
files come from the ``flask-swagger-ui`` package on PyPI, served by the site itself).

How a plugin declares its API
-----------------------------

Make one :class:`ApiSection` per group of endpoints (it becomes a tag of the document) and decorate
each view with its :meth:`ApiSection.doc`, *under* the route and any login decorator (so that
authentication is checked before the parameters)::

    from pydantic import BaseModel, Field
    from kampus.api_docs import ApiSection

    grades_api = ApiSection("grades", "Course grades (Open edX's grades API)", errors="openedx")

    class GradeQuery(BaseModel):
        username: str | None = Field(None, description="Whose grades (staff only).")
        page_size: int = Field(100, ge=1, le=1000)

    @bp.get("/api/grades/v1/courses/<course_id>/")
    @login_required
    @grades_api.doc(query=GradeQuery, resp={200: GradeList, 403: None, 404: None})
    def course_grades(course_id): ...

``query``, ``json`` and ``form`` models are validated before the view runs; the validated objects
are ``flask.request.context.query`` / ``.json`` / ``.form``. Bad input gets **400** with the
section's error shape (``errors=``, per section and overridable per route): ``"kampus"`` (the
default: ``{"error": {"status", "message", "field_errors"}, "field_errors": {...}}``) or
``"openedx"`` (``{"developer_message", "field_errors": {name: {"developer_message",
"user_message"}}}``, what Open edX's REST API answers); :func:`register_error_shape` adds others.
A field's own message can be set exactly with :func:`checked` (to keep an endpoint's existing
wording). ``resp`` documents the answers; they are checked against their models at run time only
when the setting ``api_validate_responses`` is on (tests and ``make test``), where a mismatch is a
500. ``scopes`` are the route's required scopes (Open edX's ``required_scopes``): restricted clients'
JWTs need them (:func:`kampus.oauth2.authn.require_scopes`), and a view without scopes refuses those
JWTs (:func:`kampus.oauth2.authn.unrestricted_view_refusal`). The document lists them on the operation's
``oauth2`` and ``jwt`` security requirements (:func:`security`); the ``oauth2`` scheme names the token
endpoint, its grants and every scope the site knows.

Routes under ``/api/``, ``/oauth2/`` and ``/user_api/`` appear in the document even when they are
not declared (with their docstring as description); declared routes appear wherever they live.
No hook is needed: the document is made from the app's URL map, which holds every plugin's
blueprints.
"""

from __future__ import annotations

import copy
import threading
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, TypeVar

from flask import Flask, json, request
from pydantic import AfterValidator, BaseModel, Field, RootModel
from pydantic_core import PydanticCustomError
from spectree import Response as SpecResponse
from spectree import SecurityScheme, SpecTree, Tag
from spectree.models import InType, SecureType, SecuritySchemeData
from spectree.plugins.flask_plugin import FlaskPlugin

from kampus.course_keys import is_course_id
from kampus.current import current_kampus
from kampus.oauth2.authn import require_scopes
from kampus.oauth2.models import SCOPES

F = TypeVar("F", bound=Callable[..., Any])

#: Paths documented even when their views are not declared.
API_PREFIXES = ("/api/", "/oauth2/", "/user_api/")
#: Where clients get tokens (Open edX's path), for the ``oauth2`` scheme's flows.
TOKEN_URL = "/oauth2/access_token"


def security(scopes: Sequence[str] = ()) -> list[dict[str, list[str]]]:
    """The alternatives of authentication of an API route: the session, an OAuth2 token (sent as
    ``Bearer``, or ``JWT`` for a JWT) or a personal token. ``scopes`` (the route's required scopes) are
    listed on the ``oauth2`` and ``jwt`` alternatives: the tokens that must hold them (restricted
    clients' JWTs; OpenAPI 3.1 allows scopes on a non-OAuth2 scheme as role names)."""
    needed = list(scopes)
    return [{"session": []}, {"oauth2": needed}, {"bearer": []}, {"jwt": needed}]


# -- error shapes ----------------------------------------------------------------------------------------------


def _field_name(location: Sequence[Any]) -> str:
    return ".".join(str(part) for part in location) or "body"


def field_messages(errors: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """``{field: message}`` of pydantic's error list (first message per field)."""
    messages: dict[str, str] = {}
    for error in errors:
        messages.setdefault(_field_name(error.get("loc", ())), str(error.get("msg", "Invalid value.")))
    return messages


def kampus_errors(messages: Mapping[str, str]) -> dict[str, Any]:
    """Kampus's 400 body: the ``error`` object of every Kampus API, with the fields' messages."""
    first = next(iter(messages.values()), "Invalid request.")
    field_errors = {name: {"developer_message": message, "user_message": message} for name, message in messages.items()}
    return {"error": {"status": 400, "message": first, "field_errors": dict(messages)}, "field_errors": field_errors}


def openedx_errors(messages: Mapping[str, str]) -> dict[str, Any]:
    """Open edX's 400 body (``developer_message``, ``field_errors``), plus Kampus's ``error`` object."""
    first = next(iter(messages.values()), "Invalid request.")
    return {
        "developer_message": first,
        "field_errors": {name: {"developer_message": message, "user_message": message}
                         for name, message in messages.items()},
        "error": {"status": 400, "message": first},
    }


ErrorShape = Callable[[Mapping[str, str]], dict[str, Any]]
ERROR_SHAPES: dict[str, ErrorShape] = {"kampus": kampus_errors, "openedx": openedx_errors}


class FieldErrorDetail(BaseModel):
    developer_message: str
    user_message: str


class KampusErrorObject(BaseModel):
    status: int
    message: str
    field_errors: dict[str, str] = {}


class KampusValidationError(BaseModel):
    """400: a parameter or field is wrong."""

    error: KampusErrorObject
    field_errors: dict[str, FieldErrorDetail] = {}


class OpenEdxValidationError(BaseModel):
    """400: a parameter or field is wrong (Open edX's shape)."""

    developer_message: str
    field_errors: dict[str, FieldErrorDetail] = {}
    error: KampusErrorObject | None = None


ERROR_MODELS: dict[str, type[BaseModel]] = {"kampus": KampusValidationError, "openedx": OpenEdxValidationError}


class KampusErrorBody(BaseModel):
    """An error the site answers before or around the view (a refused token, a missing login, an
    unknown path, a throttle): Kampus's ``error`` object, with Open edX's fields beside it when the
    API has them (``developer_message``, ``error_code``, ``detail``)."""

    error: KampusErrorObject


_EITHER: dict[tuple[type[BaseModel], type[BaseModel]], type[BaseModel]] = {}


def either(first: type[BaseModel], second: type[BaseModel]) -> type[BaseModel]:
    """A model that documents (and accepts) a body of either model, made once per pair."""
    if first is second:
        return first
    key = (first, second)
    if key not in _EITHER:
        _EITHER[key] = types.new_class(f"{first.__name__}Or{second.__name__}",
                                       (RootModel[first | second],))  # type: ignore[valid-type]
    return _EITHER[key]


def register_error_shape(name: str, shape: ErrorShape, model: type[BaseModel]) -> None:
    """Add an error shape: ``shape(messages)`` builds the 400 body, ``model`` documents it."""
    ERROR_SHAPES[name] = shape
    ERROR_MODELS[name] = model


def checked(check: Callable[[Any], bool], message: str) -> AfterValidator:
    """A pydantic validator whose failure message is exactly ``message`` (``{value}`` is replaced):
    ``course_id: Annotated[str, checked(is_course_id, "'{value}' is not a course id.")]``."""
    def validate(value: Any) -> Any:
        if value is not None and value != "" and not check(value):
            raise PydanticCustomError("kampus_check", message.replace("{value}", "{input}"), {"input": str(value)})
        return value
    return AfterValidator(validate)


def _shaping(shape_name: str) -> Callable[..., None]:
    shape = ERROR_SHAPES[shape_name]

    def before(req: Any, resp: Any, req_validation_error: Any, instance: Any, *args: Any) -> None:
        if req_validation_error is None or resp is None:
            return
        resp.set_data(json.dumps(shape(field_messages(req_validation_error.errors()))))
        resp.mimetype = "application/json"
        resp.status_code = 400
    return before


# -- the SpecTree instance and its routes ------------------------------------------------------------------


class KampusFlaskPlugin(FlaskPlugin):
    """SpecTree's Flask backend, keeping API routes and declared routes (not the HTML pages)."""

    def find_routes(self) -> Any:
        app = self.get_current_app()
        for rule in super().find_routes():
            if str(rule).startswith(API_PREFIXES) or self.spectree.get_function_metadata(
                    app.view_functions[rule.endpoint]) is not None:
                yield rule


class DocumentedResponse(SpecResponse):
    """Responses checked at run time only when the setting ``api_validate_responses`` is on."""

    def find_model(self, code: int) -> Any:
        if not current_kampus().settings.api_validate_responses:
            return None
        return super().find_model(code)


spec = SpecTree(
    "flask",
    backend=KampusFlaskPlugin,
    mode="normal",
    path="_kampus_spectree",  # never served: the document is served by kampus.api_docs.views
    title="Kampus API",
    version="1",
    openapi_version="3.1.0",
    annotations=False,
    validation_error_status=400,
    validation_error_model=KampusValidationError,
    before=_shaping("kampus"),
    security_schemes=[
        SecurityScheme(name="session", data=SecuritySchemeData(
            type=SecureType.API_KEY, field_in=InType.COOKIE, name="kampus_session",
            description="The site's session cookie (state changes need the CSRF token).")),
        SecurityScheme(name="oauth2", data=SecuritySchemeData(
            type=SecureType.OAUTH_TWO,
            description="OAuth2 as Open edX serves it: the password grant for registered public clients (the "
                        "mobile apps), client credentials for servers, refresh tokens. Send the token as "
                        "`Authorization: Bearer <token>`, or ask token_type=jwt and send `Authorization: JWT "
                        "<token>`. The scopes an operation lists are required of restricted clients' tokens "
                        "(Open edX's required_scopes); other tokens pass.",
            flows={"password": {"tokenUrl": TOKEN_URL, "refreshUrl": TOKEN_URL, "scopes": dict(SCOPES)},
                   "clientCredentials": {"tokenUrl": TOKEN_URL, "scopes": dict(SCOPES)}})),
        SecurityScheme(name="bearer", data=SecuritySchemeData(
            type=SecureType.HTTP, scheme="bearer",
            description="An OAuth2 access token from /oauth2/access_token, or a personal token (kmp_…).")),
        SecurityScheme(name="jwt", data=SecuritySchemeData(
            type=SecureType.API_KEY, field_in=InType.HEADER, name="Authorization",
            description="`JWT <token>`: a JWT from /oauth2/access_token with token_type=jwt.")),
    ],
)

_generate_lock = threading.Lock()


class ApiSection:
    """A group of documented endpoints: a tag of the document, an error shape, default security."""

    def __init__(self, name: str, description: str = "", errors: str = "kampus", public: bool = False):
        if errors not in ERROR_SHAPES:
            raise ValueError(f"unknown error shape {errors!r}; one of {', '.join(ERROR_SHAPES)}")
        self.tag = Tag(name=name, description=description)
        self.errors = errors
        self.public = public

    def doc(self, *, query: type[BaseModel] | None = None, json: type[BaseModel] | None = None,
            form: type[BaseModel] | None = None, resp: Mapping[int, type[BaseModel] | None] | None = None,
            errors: str | None = None, scopes: Sequence[str] = (), public: bool | None = None,
            validate: bool = True, deprecated: bool = False) -> Callable[[F], F]:
        """Declare a view: its parameters (validated unless ``validate`` is false), answers and scopes."""
        shape = errors or self.errors
        codes = [f"HTTP_{code}" for code, model in (resp or {}).items() if model is None]
        # An error a view declares may also come from the site itself (the validation of its parameters,
        # the sign-in, the router, the throttle): such answers carry Kampus's error object.
        models = {f"HTTP_{code}": either(model, KampusErrorBody) if code >= 400 else model
                  for code, model in (resp or {}).items() if model is not None}
        if (query or json or form) and validate:
            declared = (resp or {}).get(400)
            models["HTTP_400"] = either(declared, ERROR_MODELS[shape]) if declared else ERROR_MODELS[shape]
        response = DocumentedResponse(*codes, **models) if (codes or models) else None
        is_public = self.public if public is None else public

        def decorate(view: F) -> F:
            target: Callable[..., Any] = require_scopes(*scopes)(view) if scopes else view
            wrapped = spec.validate(
                query=query, json=json, form=form, resp=response, tags=[self.tag],
                security=[] if is_public else security(scopes), before=_shaping(shape),
                skip_validation=not validate, deprecated=deprecated,
            )(target)
            wrapped.kampus_api_scopes = tuple(scopes)  # type: ignore[attr-defined]
            return wrapped  # type: ignore[return-value]
        return decorate


def validated(name: str) -> Any:
    """The validated ``query``/``json``/``form`` object of the current request (``None`` when not declared)."""
    context = getattr(request, "context", None)
    return getattr(context, name, None) if context is not None else None


def _fill_gaps(document: dict[str, Any]) -> None:
    """Every operation needs at least one documented answer."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not operation.get("responses"):
                operation["responses"] = {"default": {"description": "The answer (not described in detail yet)."}}


def openapi_document(app: Flask) -> dict[str, Any]:
    """The OpenAPI document of ``app`` (made once per app; needs an app context)."""
    def make() -> dict[str, Any]:
        with _generate_lock:
            saved = copy.deepcopy(spec.models)  # generating lifts nested definitions out of the models
            try:
                document = spec._generate_spec()
            finally:
                spec.models = saved
        settings = app.extensions["kampus"].settings
        document["info"] = {
            "title": f"{settings.site_name} API",
            "version": "1",
            "description": "Kampus's REST API: Open edX's paths and fields where Open edX has the same API. "
                           "Get a token at /oauth2/access_token (password grant for public clients, client "
                           "credentials for servers); send it as `Authorization: Bearer <token>` or, with "
                           "token_type=jwt, `Authorization: JWT <token>`.",
        }
        _fill_gaps(document)
        return document
    return app.extensions["kampus"].kept("api_docs:document", make)


#: An optional course id query parameter (``course-v1:Org+Number+Run``), with Kampus's usual message.
CourseIdParam = Annotated[
    str | None,
    checked(is_course_id, "'course_id' is not a course id (course-v1:Org+Number+Run)."),
    Field(None, description="A course id (course-v1:Org+Number+Run)."),
]
