"""URL builders compiled once per process and shared by rules of the same shape, each bound to its own rule."""

from __future__ import annotations

import uuid

from flask import Flask, url_for
from werkzeug.routing import BaseConverter, Rule

from kampus.url_rules import SharedBuilderRule, builders_compiled


class PaddedConverter(BaseConverter):
    """Writes numbers with four digits: an app whose converter differs from the other's."""

    regex = r"\d+"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return f"{int(value):04d}"


def _app(padded: bool, prefix: str) -> Flask:
    app = Flask(f"app{int(padded)}")
    app.url_rule_class = SharedBuilderRule
    if padded:
        app.url_map.converters["num"] = PaddedConverter
    else:
        app.url_map.converters["num"] = type("PlainConverter", (PaddedConverter,), {"to_url": lambda self, v: str(v)})

    @app.get(f"{prefix}/items/<num:item>/parts/<name>")
    def part(item: int, name: str) -> str:
        return f"{item}:{name}"

    @app.get(f"{prefix}/pages/", defaults={"page": 1})
    @app.get(f"{prefix}/pages/<num:page>")
    def pages(page: int) -> str:
        return str(page)

    @app.get(f"{prefix}/first/<num:page>", defaults={"page": 1})  # a default written into the built URL
    def first(page: int) -> str:
        return str(page)

    return app


def test_two_apps_share_builders_and_each_builds_with_its_own_converters() -> None:
    prefix = f"/t{uuid.uuid4().hex[:8]}"  # shapes no other test compiled in this process
    plain = _app(padded=False, prefix=prefix)
    compiled = builders_compiled()
    _app(padded=False, prefix=prefix)  # the same shapes: no builder compiled again
    assert builders_compiled() == compiled
    padded = _app(padded=True, prefix=prefix)  # the same shapes but one: /first/ has its default written in, as 0001
    assert builders_compiled() == compiled + 2  # that rule's two builders (with and without a query string)
    with plain.test_request_context():
        assert url_for("part", item=7, name="a b") == prefix + "/items/7/parts/a%20b"
        assert url_for("part", item=7, name="x", sort="new") == prefix + "/items/7/parts/x?sort=new"  # unknown: query
        assert url_for("pages") == prefix + "/pages/"
        assert url_for("pages", page=3) == prefix + "/pages/3"
    with padded.test_request_context():
        assert url_for("part", item=7, name="x") == prefix + "/items/0007/parts/x"
        assert url_for("pages", page=3) == prefix + "/pages/0003"
        assert url_for("first") == prefix + "/first/0001"
    with plain.test_request_context():
        assert url_for("first") == prefix + "/first/1"
    assert plain.test_client().get(prefix + "/items/0012/parts/y").text == "12:y"


def test_the_kernel_app_uses_the_rule_class(app) -> None:
    assert app.url_rule_class is SharedBuilderRule
    assert all(isinstance(rule, SharedBuilderRule) for rule in app.url_map.iter_rules())


def test_every_shared_builder_is_the_code_werkzeug_would_compile(app) -> None:
    """For each route of the kernel app, the builder taken from the shared cache is the function werkzeug
    compiles for that rule itself (same code, names, constants and defaults): a later werkzeug whose builder
    depends on more than the cache's key fails here."""
    for rule in app.url_map.iter_rules():
        for append_unknown in (False, True):
            shared = rule._compile_builder(append_unknown)
            own = Rule._compile_builder(rule, append_unknown)
            assert shared is not own  # the stock method compiled anew
            for attribute in ("co_code", "co_consts", "co_names", "co_varnames"):
                assert getattr(shared.__code__, attribute) == getattr(own.__code__, attribute), rule.rule
            assert shared.__defaults__ == own.__defaults__, rule.rule
