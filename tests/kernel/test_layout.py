"""The layout: every stylesheet and script it links is served."""

from __future__ import annotations

import re


def test_layout_assets_are_served(client_as):
    client = client_as("learner")
    html = client.get("/").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_user_menu_is_a_dropdown_with_a_logout_button(client_as):
    client = client_as("learner")
    html = client.get("/").get_data(as_text=True)
    assert 'id="user-menu"' in html and 'data-bs-toggle="dropdown"' in html
    assert 'id="logout-button"' in html
    assert "popper" in html or "bootstrap.bundle" in html  # Bootstrap dropdowns need Popper
