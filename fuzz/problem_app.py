"""The app the CAPA fuzz targets render in, as the problem block does inside a request.

Outside an app the engine renders with a fresh standalone Jinja environment each time (templates
compiled on every call); inside one it uses the app's environment, with Flask-Babel's gettext and
compiled templates kept. Fuzzing in a request context is both faithful and fast.
"""

from __future__ import annotations

import tempfile

from flask import Flask

from kampus import create_app


def problem_app() -> Flask:
    """A Kampus app with the content and problems plugins, its site in a fresh temporary folder."""
    home = tempfile.mkdtemp(prefix="kampus-fuzz-site-")
    return create_app({"home": home, "secret_key": "fuzz", "event_sinks": []}, plugins=["content", "problems"])
