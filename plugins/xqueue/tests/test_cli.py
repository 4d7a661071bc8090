"""``kampus xqueue create-queue / add-grader / sweep`` in a new site, as an operator runs them."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kampus import cli
from kampus.app import create_app


def test_operator_commands_in_a_new_site(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("KAMPUS_HOME", str(tmp_path / "site"))
    runner = CliRunner()
    assert runner.invoke(cli.main, ["init", "--plugins", "content,problems,xqueue"]).exit_code == 0
    made = runner.invoke(cli.main, ["xqueue", "create-queue", "python-101", "--timeout", "30"])
    assert made.exit_code == 0, made.output
    assert "Queue 'python-101' created." in made.output
    again = runner.invoke(cli.main, ["xqueue", "create-queue", "python-101"])
    assert again.exit_code != 0 and "Traceback" not in again.output
    grader = runner.invoke(cli.main, ["xqueue", "add-grader", "python-101", "watcher",
                                      "--password", "a long secret 99"])
    assert grader.exit_code == 0, grader.output
    swept = runner.invoke(cli.main, ["xqueue", "sweep"])
    assert swept.exit_code == 0, swept.output
    assert json.loads(swept.output) == {"requeued": 0, "retired": 0, "delivered": 0, "pushed": 0}

    client = create_app().test_client()
    login = client.post("/xqueue/login/", data={"username": "watcher", "password": "a long secret 99"})
    assert login.get_json() == {"return_code": 0, "content": "Logged in"}
    assert client.get("/xqueue/get_queuelen/?queue_name=python-101").get_json() == {"return_code": 0, "content": 0}
