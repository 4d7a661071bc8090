"""Wiring of the problems plugin."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kampus_hookspecs import Setting, SiteDefaults, hookimpl

from kampus_problems.capa.cli import check_problem
from kampus_problems.capa.responses import first_party_response_classes
from kampus_problems.response_types import response_classes
from kampus_problems.views import bp
from kampus_problems.xqueue import callback_bp


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("problems_external_graders", list, [],
                "Hosts (host or host:port) that externalresponse problems may post learners' answers to. "
                "Empty: none, so a problem cannot make the server call an address of its choosing."),
        Setting("xqueue_url", str, "",
                "An external Open edX XQueue server for coderesponse problems (e.g. https://xqueue.example.com). "
                "Empty: the queues of the enabled plugins (the XQueue plugin)."),
        Setting("xqueue_username", str, "", "The account this site logs in with on the external XQueue."),
        Setting("xqueue_password", str, "", "The password of that account.", secret=True),
        Setting("xqueue_callback_url", str, "",
                "The base URL an XQueue posts graders' replies to (Open edX's XQUEUE_INTERFACE callback_url), "
                "when it must differ from the site's URL. Empty: the site's URL."),
    ]


@hookimpl
def kampus_site_defaults() -> SiteDefaults:
    """A new site enables problems, after content (problems are content blocks)."""
    return SiteDefaults(enable_on_init=True, order=20)


@hookimpl
def kampus_cli_commands() -> list[object]:
    return [check_problem]


@hookimpl
def kampus_blueprints(app: object) -> list[object]:
    return [bp, callback_bp]


@hookimpl
def kampus_template_folders() -> list[str]:
    return [str(Path(__file__).parent / "templates")]


@hookimpl
def kampus_response_graders() -> dict[str, Any]:
    """The CAPA response types of upstream capa (``<choiceresponse>``, ``<numericalresponse>``, ...)."""
    return first_party_response_classes()


@hookimpl
def kampus_app_ready(app: Any) -> None:
    """Build the app's response-type registry now, so a conflict between plugins stops start-up."""
    response_classes(app.extensions["kampus"])
