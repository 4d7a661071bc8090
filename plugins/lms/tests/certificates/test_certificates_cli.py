"""``kampus certificates generate | invalidate | allowlist`` with the real grader."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from kampus_lms.api import certificate_status
from kampus_lms.certificates import cli as certificates_cli

from kampus.testing import make_user

pytestmark = pytest.mark.kampus_plugins("content", "problems", "lms")


@pytest.fixture
def run(app, monkeypatch):
    monkeypatch.setattr(certificates_cli, "load_app", lambda: app)

    def invoke(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(certificates_cli.certificates_command, list(args))
        return result.exit_code, result.output

    return invoke


def test_generate_allowlist_and_invalidate(app, certs, course, run) -> None:
    learner = certs.enrolled("honor", username="ana")
    certs.enrolled("audit", username="ben")
    assert run("generate", "--course", course) == (0, f"{course}: audit_notpassing 1, notpassing 1\n")
    code, output = run("allowlist", "--course", course, "--username", "ana", "--notes", "Exam done on paper")
    assert (code, output) == (0, "ana: on the allowlist; certificate downloadable\n")
    with app.app_context():
        assert certificate_status(learner.id, course).status == "downloadable"
    assert run("invalidate", "--course", course, "--username", "ana", "--notes", "Copied") == (
        0, "ana: invalidated\n")
    assert run("generate", "--course", course, "--username", "ana") == (0, f"ana: invalidated\n{course}: "
                                                                          "invalidated 1\n")
    assert run("invalidate", "--course", course, "--username", "ana", "--remove") == (0, "ana: downloadable\n")
    assert run("allowlist", "--course", course, "--username", "ana", "--remove") == (
        0, "ana: removed from the allowlist; certificate notpassing\n")


def test_bad_arguments_get_one_line(app, certs, course, run) -> None:
    make_user(app, "user", username="cleo")
    code, output = run("generate", "--course", "course-v1:No+Such+Run")
    assert code == 1 and "no published course" in output
    code, output = run("allowlist", "--course", course, "--username", "nobody")
    assert code == 1 and "no user 'nobody'" in output
    code, output = run("invalidate", "--course", course, "--username", "cleo")
    assert code == 1 and "no certificate" in output
