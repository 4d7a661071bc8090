"""The contract every ``kampus.mailer`` driver passes.

Subclass :class:`MailerContract` and provide two fixtures: ``mailer`` (the
driver, built with settings whose ``mail_from`` is :data:`MAIL_FROM`) and
``mail_received`` (a function returning the messages that reached the other
end so far, as :class:`email.message.EmailMessage` parsed with
``email.policy.default``; for SMTP, what a test server received)::

    class TestMyMailer(MailerContract):
        @pytest.fixture
        def mailer(self, tmp_path):
            return MyMailer(driver_settings(tmp_path, mail_from=MAIL_FROM))

        @pytest.fixture
        def mail_received(self, mailer):
            return lambda: fetch_messages_from_my_test_server()
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from email.utils import getaddresses

import pytest

from kampus.drivers.mailer import Mailer, message_html, message_text

MAIL_FROM = "Kampus Test <noreply@kampus.test>"
LONG_LINK = "https://kampus.test/confirm?token=" + "Ab0-_" * 40 + "&next=%2Fcourses%2F&a=b"


def _addresses(message: EmailMessage, header: str) -> list[str]:
    return [address for _name, address in getaddresses(message.get_all(header, []))]


class MailerContract:
    """Behaviour shared by every mailer. Needs ``mailer`` and ``mail_received`` fixtures."""

    @pytest.fixture
    def mailer(self) -> Mailer:
        raise NotImplementedError("provide a `mailer` fixture built with mail_from=MAIL_FROM")

    @pytest.fixture
    def mail_received(self) -> Callable[[], list[EmailMessage]]:
        raise NotImplementedError("provide a `mail_received` fixture returning the messages received so far")

    def test_is_a_mailer(self, mailer: Mailer) -> None:
        assert isinstance(mailer, Mailer)

    def test_plain_text_message(self, mailer: Mailer, mail_received: Callable[[], list[EmailMessage]]) -> None:
        sent = mailer.send("ada@example.com", "Welcome", "Hello Ada,\nwelcome to Kampus.\n")
        assert isinstance(sent, EmailMessage)
        assert sent["From"] == MAIL_FROM
        assert sent["Message-ID"]
        assert sent["Date"]
        received = mail_received()
        assert len(received) == 1
        message = received[0]
        assert _addresses(message, "From") == ["noreply@kampus.test"]
        assert _addresses(message, "To") == ["ada@example.com"]
        assert message["Subject"] == "Welcome"
        assert message.get_content_type() == "text/plain"
        assert message_text(message).replace("\r\n", "\n") == "Hello Ada,\nwelcome to Kampus.\n"
        assert message_html(message) is None

    def test_html_alternative(self, mailer: Mailer, mail_received: Callable[[], list[EmailMessage]]) -> None:
        mailer.send("bob@example.com", "Both", "plain body", html="<p>html <b>body</b></p>")
        message = mail_received()[-1]
        assert message.get_content_type() == "multipart/alternative"
        assert message_text(message).strip() == "plain body"
        assert message_html(message).strip() == "<p>html <b>body</b></p>"  # type: ignore[union-attr]

    def test_several_recipients(self, mailer: Mailer, mail_received: Callable[[], list[EmailMessage]]) -> None:
        mailer.send(["a@example.com", "B <b@example.org>"], "Hi all", "text")
        received = mail_received()
        assert len(received) == 1
        assert _addresses(received[0], "To") == ["a@example.com", "b@example.org"]

    def test_unicode(self, mailer: Mailer, mail_received: Callable[[], list[EmailMessage]]) -> None:
        mailer.send("zoe@example.com", "Привет, Zoë ✓", "Grüße — 你好\n", html="<p>Grüße — 你好</p>")
        message = mail_received()[-1]
        assert message["Subject"] == "Привет, Zoë ✓"
        assert message_text(message).strip() == "Grüße — 你好"
        assert "你好" in (message_html(message) or "")

    def test_long_links_survive(self, mailer: Mailer, mail_received: Callable[[], list[EmailMessage]]) -> None:
        mailer.send("c@example.com", "Confirm", f"Confirm your address:\n{LONG_LINK}\n")
        assert LONG_LINK in message_text(mail_received()[-1])

    def test_each_send_is_one_message(self, mailer: Mailer, mail_received: Callable[[], list[EmailMessage]]) -> None:
        for index in range(3):
            mailer.send(f"user{index}@example.com", f"Message {index}", "x")
        assert [message["Subject"] for message in mail_received()] == ["Message 0", "Message 1", "Message 2"]

    @pytest.mark.parametrize(
        "to, subject",
        [
            ([], "No recipient"),
            ("", "No recipient"),
            ("not-an-address", "Bad recipient"),
            ("a@example.com\r\nBcc: victim@example.com", "Injected"),
            ("a@example.com", "Injected\r\nBcc: victim@example.com"),
        ],
    )
    def test_refuses_bad_headers(
        self, mailer: Mailer, mail_received: Callable[[], list[EmailMessage]], to: str | list[str], subject: str
    ) -> None:
        with pytest.raises(ValueError):
            mailer.send(to, subject, "text")
        assert mail_received() == []
