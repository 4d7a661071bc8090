"""``kampus create-oauth-client`` and ``kampus create-token`` from an empty folder."""

from __future__ import annotations

from click.testing import CliRunner

from kampus import cli
from kampus.app import create_app


def test_commands_in_a_new_site(tmp_path, monkeypatch) -> None:
    home = tmp_path / "site"
    monkeypatch.setenv("KAMPUS_HOME", str(home))
    runner = CliRunner()
    refused = runner.invoke(cli.main, ["create-token", "admin"])
    assert refused.exit_code == 2 and "kampus init" in refused.output  # no site yet: a clear message

    assert runner.invoke(cli.main, ["init", "--plugins", ""]).exit_code == 0
    made = runner.invoke(cli.main, ["create-oauth-client", "Grader", "--type", "confidential", "--user", "admin",
                                    "--client-id", "grader"])
    assert made.exit_code == 0, made.output
    lines = dict(line.split(": ", 1) for line in made.output.strip().splitlines())
    assert lines["client_id"] == "grader" and len(lines["client_secret"]) > 30
    mobile = runner.invoke(cli.main, ["create-oauth-client", "Mobile"])
    assert mobile.exit_code == 0 and "client_secret" not in mobile.output
    bad = runner.invoke(cli.main, ["create-oauth-client", "Server", "--type", "confidential"])
    assert bad.exit_code != 0 and "service user" in bad.output
    token = runner.invoke(cli.main, ["create-token", "admin"])
    assert token.exit_code == 0, token.output
    assert runner.invoke(cli.main, ["create-token", "nobody"]).exit_code != 0

    app = create_app()
    client = app.test_client()
    me = client.get("/api/user/v1/me", headers={"Authorization": f"Bearer {token.output.strip()}"})
    assert me.get_json() == {"username": "admin"}
    issued = client.post("/oauth2/access_token", data={"grant_type": "client_credentials", "client_id": "grader",
                                                       "client_secret": lines["client_secret"], "token_type": "jwt"})
    assert issued.status_code == 200, issued.text
    jwt_me = client.get("/api/user/v1/me", headers={"Authorization": f"JWT {issued.get_json()['access_token']}"})
    assert jwt_me.get_json() == {"username": "admin"}
