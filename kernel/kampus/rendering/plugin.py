"""The kernel's pages: the home page."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user
from kampus_hookspecs import hookimpl

from kampus.current import current_kampus
from kampus.plugins import flatten

pages = Blueprint("kampus", __name__)


@pages.get("/")
def home() -> Any:
    front_page = current_kampus().hook.kampus_front_page(user=current_user)
    if front_page is not None:
        return front_page
    panels: list[Any] = []
    if current_user.is_authenticated:
        panels = flatten(current_kampus().hook.kampus_dashboard_panels(user=current_user))
    return render_template("kampus/home.html", panels=panels)


@hookimpl
def kampus_blueprints(app: Any) -> list[Blueprint]:
    return [pages]
