"""Two apps with different plugins in one process never see each other's hooks."""

from __future__ import annotations

from flask import Blueprint
from kampus_hookspecs import NavItem, hookimpl


class RoutePlugin:
    """An inline plugin serving ``/<name>`` with a nav item of the same name."""

    def __init__(self, name: str):
        self.name = name

    @hookimpl
    def kampus_blueprints(self, app):
        bp = Blueprint(f"inline_{self.name}", __name__)
        bp.add_url_rule(f"/{self.name}", f"page_{self.name}", lambda: f"page {self.name}")
        return [bp]

    @hookimpl
    def kampus_nav_items(self, user):
        return [NavItem(f"Nav {self.name.upper()}", f"/{self.name}")]


def test_two_apps_do_not_share_plugins(make_app):
    plugin_a, plugin_b = RoutePlugin("a"), RoutePlugin("b")
    app_a = make_app(plugins=[plugin_a])
    app_b = make_app(plugins=[plugin_b])
    client_a, client_b = app_a.test_client(), app_b.test_client()

    assert client_a.get("/a").get_data(as_text=True) == "page a"
    assert client_a.get("/b").status_code == 404
    assert client_b.get("/b").get_data(as_text=True) == "page b"
    assert client_b.get("/a").status_code == 404

    home_a = client_a.get("/").get_data(as_text=True)
    home_b = client_b.get("/").get_data(as_text=True)
    assert "Nav A" in home_a and "Nav B" not in home_a
    assert "Nav B" in home_b and "Nav A" not in home_b

    pm_a, pm_b = app_a.extensions["kampus"].pm, app_b.extensions["kampus"].pm
    assert pm_a is not pm_b
    assert pm_a.hook.kampus_nav_items is not pm_b.hook.kampus_nav_items
    assert pm_a.is_registered(plugin_a) and not pm_a.is_registered(plugin_b)
    assert pm_b.is_registered(plugin_b) and not pm_b.is_registered(plugin_a)
    impls_a = {impl.plugin for impl in pm_a.hook.kampus_blueprints.get_hookimpls()}
    impls_b = {impl.plugin for impl in pm_b.hook.kampus_blueprints.get_hookimpls()}
    assert plugin_a in impls_a and plugin_b not in impls_a
    assert plugin_b in impls_b and plugin_a not in impls_b
    assert app_a.extensions["kampus"].celery is not app_b.extensions["kampus"].celery


def test_entry_point_plugin_only_in_the_app_that_enables_it(make_app):
    with_example = make_app(plugins=["example"])
    without = make_app(plugins=[])
    assert with_example.test_client().get("/hello").status_code == 200
    assert without.test_client().get("/hello").status_code == 404
    assert without.extensions["kampus"].pm.get_plugin("example") is None
