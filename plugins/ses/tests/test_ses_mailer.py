"""The SES driver passes the mailer contract against moto in server mode (boto3 over HTTP on 127.0.0.1);
messages are read back from moto's own record of what SES received (``/moto-api/data.json``)."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
import requests
from kampus_ses import plugin as ses_plugin
from kampus_ses.mailer import SesMailer

from kampus.drivers.mailer import MailError
from kampus.testing.contracts import driver_settings
from kampus.testing.contracts.mailer import MAIL_FROM, MailerContract

from .conftest import raw_sesv2


def moto_messages(server) -> list[dict]:
    """Every raw message moto's SES backends received so far, from moto's introspection endpoint."""
    data = requests.get(f"{server.endpoint_url}/moto-api/data.json", timeout=10).json()
    found = []
    for service in ("ses", "sesv2"):
        found += data.get(service, {}).get("RawMessage", [])
    return found


def _settings(tmp_path, server, **values):
    base = {"mail_from": MAIL_FROM, "ses_endpoint_url": server.endpoint_url, "ses_region": server.region,
            "ses_access_key_id": "testing", "ses_secret_access_key": "testing"}
    return driver_settings(tmp_path, [ses_plugin], **{**base, **values})


@pytest.fixture
def clean_moto(moto_server):
    requests.post(f"{moto_server.endpoint_url}/moto-api/reset", timeout=10)
    raw_sesv2(moto_server).create_email_identity(EmailIdentity="noreply@kampus.test")
    return moto_server


class TestSesMailer(MailerContract):
    @pytest.fixture
    def mailer(self, tmp_path, clean_moto):
        return SesMailer(_settings(tmp_path, clean_moto))

    @pytest.fixture
    def mail_received(self, clean_moto):
        def received():
            return [message_from_bytes(item["raw_data"].encode("utf-8"), policy=policy.default)
                    for item in moto_messages(clean_moto)]

        return received


def test_headers_destinations_and_configuration_set(tmp_path, clean_moto):
    raw_sesv2(clean_moto).create_configuration_set(ConfigurationSetName="kampus-mail")
    mailer = SesMailer(_settings(tmp_path, clean_moto, ses_configuration_set="kampus-mail"))
    message = mailer.send(["ada@example.com", "bob@example.org"], "Course news", "Hello",
                          html="<p>Hello</p>")
    message_id = message["Message-ID"]
    (item,) = moto_messages(clean_moto)
    # moto adds the To header's addresses to the envelope's: compare the sets
    assert set(item["destinations"]) == {"ada@example.com", "bob@example.org"}
    assert item["source"] == "noreply@kampus.test"
    sent = message_from_bytes(item["raw_data"].encode("utf-8"), policy=policy.default)
    assert sent["Message-ID"] == message_id


def test_unverified_sender_is_a_mail_error(tmp_path, clean_moto):
    mailer = SesMailer(_settings(tmp_path, clean_moto, ses_from_address="stranger@elsewhere.test"))
    with pytest.raises(MailError, match="MessageRejected"):
        mailer.send("ada@example.com", "Hi", "text")
    assert moto_messages(clean_moto) == []


def test_unreachable_endpoint_is_a_mail_error(tmp_path):
    from dataclasses import dataclass

    @dataclass
    class Nowhere:
        endpoint_url: str = "http://127.0.0.1:9"
        region: str = "us-east-1"

    mailer = SesMailer(_settings(tmp_path, Nowhere(), ses_timeout=2.0))
    with pytest.raises(MailError, match="cannot reach SES"):
        mailer.send("ada@example.com", "Hi", "text")


def test_registered_as_the_ses_mailer_and_off_by_default():
    from importlib.metadata import entry_points

    found = {ep.name: ep.value for ep in entry_points(group="kampus.mailer")}
    assert found.get("ses") == "kampus_ses.mailer:SesMailer"
    assert ses_plugin.kampus_site_defaults().enable_on_init is False


def test_a_site_with_mailer_ses_sends_bulk_email_through_ses(make_app, clean_moto):
    """The instructor dashboard's bulk e-mail reaches SES with its unsubscribe headers."""
    from kampus_content.testing.xblocks import publish_course
    from kampus_lms.api import enroll

    from kampus.testing import client_as, make_user

    app = make_app(plugins=["content", "problems", "lms", "instructor", "ses"], settings={
        "mailer": "ses", "mail_from": MAIL_FROM, "ses_endpoint_url": clean_moto.endpoint_url,
        "ses_region": clean_moto.region, "ses_access_key_id": "testing", "ses_secret_access_key": "testing"})
    course = "course-v1:SesX+Mail+2026"
    publish_course(app, course, {"unit": []})
    learner = make_user(app, "user", username="sesler")
    with app.test_request_context():
        enroll(learner, course, check_access=False)
    staff = client_as(app, "staff", course)
    answer = staff.post(f"/courses/{course}/instructor/api/send_email",
                        json={"send_to": ["learners"], "subject": "Via SES", "message": "<p>Hello</p>"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    (item,) = moto_messages(clean_moto)
    sent = message_from_bytes(item["raw_data"].encode("utf-8"), policy=policy.default)
    assert set(item["destinations"]) == {"sesler@example.com"}
    assert sent["Subject"] == "Via SES"
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
