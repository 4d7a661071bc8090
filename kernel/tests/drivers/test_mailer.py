"""The mailers: memory, console and SMTP (against a real SMTP server, aiosmtpd)."""

from __future__ import annotations

import io
import logging
import socket
import ssl
import subprocess
from email import message_from_bytes, policy

import pytest

from kampus.drivers.mailer import (
    ConsoleMailer,
    MailError,
    MemoryMailer,
    SmtpMailer,
    add_one_click_unsubscribe,
    build_message,
    message_text,
    read_outbox,
)
from kampus.testing.contracts import driver_settings
from kampus.testing.contracts.mailer import LONG_LINK, MAIL_FROM, MailerContract

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is needed for the SMTP tests")
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

SMTP_USER = "mailer"
SMTP_PASSWORD = "s3cret-Pa55word"


# -- memory ---------------------------------------------------------------------
class TestMemoryMailer(MailerContract):
    @pytest.fixture
    def mailer(self, tmp_path):
        return MemoryMailer(driver_settings(tmp_path, mail_from=MAIL_FROM))

    @pytest.fixture
    def mail_received(self, mailer):
        # Round-trip through bytes, as a real receiver would see the message.
        return lambda: [message_from_bytes(m.as_bytes(), policy=policy.default) for m in mailer.outbox]


def test_mailbox_fixture_is_the_memory_outbox(app, mailbox):
    kampus = app.extensions["kampus"]
    assert isinstance(kampus.mailer, MemoryMailer)
    message = kampus.mailer.send("ada@example.com", "Hello", "Text", html="<p>HTML</p>")
    assert mailbox == [message]
    assert message["From"] == kampus.settings.mail_from


# -- console ----------------------------------------------------------------------
class TestConsoleMailer(MailerContract):
    @pytest.fixture
    def mailer(self, tmp_path):
        return ConsoleMailer(driver_settings(tmp_path, mail_from=MAIL_FROM), stream=io.StringIO())

    @pytest.fixture
    def mail_received(self, mailer):
        return lambda: read_outbox(mailer.folder)


def test_console_prints_and_keeps_eml_files(tmp_path, capsys):
    mailer = ConsoleMailer(driver_settings(tmp_path, mail_from=MAIL_FROM))
    mailer.send("ada@example.com", "Confirm your e-mail", f"Open this link:\n{LONG_LINK}\n", html="<a>link</a>")
    printed = capsys.readouterr().out
    assert "To: ada@example.com" in printed
    assert "Subject: Confirm your e-mail" in printed
    assert LONG_LINK in printed
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1
    # The raw file holds the link as is, so a browser test can read it with a regular expression.
    assert LONG_LINK.encode() in files[0].read_bytes()
    assert message_text(read_outbox(tmp_path / "outbox")[0]).strip().endswith(LONG_LINK)


def test_console_is_the_default_of_a_site(make_app, tmp_path):
    app = make_app(settings={"mailer": "console"})
    assert isinstance(app.extensions["kampus"].mailer, ConsoleMailer)
    assert app.extensions["kampus"].mailer.folder == tmp_path / "site0" / "outbox"


# -- SMTP -------------------------------------------------------------------------
class Receiver:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.original_content)))
        return "250 Message accepted for delivery"

    def messages(self):
        return [message_from_bytes(content, policy=policy.default) for _f, _r, content in self.envelopes]


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == SMTP_USER.encode() \
        and auth_data.password == SMTP_PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    """A running SMTP server on 127.0.0.1 that accepts a login (without TLS)."""
    receiver = Receiver()
    controller = aiosmtpd_controller.Controller(
        receiver, hostname="127.0.0.1", port=_free_port(),
        authenticator=_authenticator, auth_require_tls=False,
    )
    controller.start()
    yield controller, receiver
    controller.stop()


def _smtp_settings(tmp_path, port, **values):
    values = {"mailer": "smtp", "mail_from": MAIL_FROM, "smtp_host": "127.0.0.1", "smtp_port": port,
              "smtp_timeout": 5.0, **values}
    return driver_settings(tmp_path, **values)


class TestSmtpMailer(MailerContract):
    @pytest.fixture
    def mailer(self, tmp_path, smtp_server):
        controller, _receiver = smtp_server
        return SmtpMailer(_smtp_settings(tmp_path, controller.port))

    @pytest.fixture
    def mail_received(self, smtp_server):
        return smtp_server[1].messages


def test_smtp_envelope(tmp_path, smtp_server):
    controller, receiver = smtp_server
    mailer = SmtpMailer(_smtp_settings(tmp_path, controller.port))
    mailer.send(["a@example.com", "Bee <b@example.org>"], "Envelope", "text")
    mail_from, rcpt_tos, _content = receiver.envelopes[0]
    assert mail_from == "noreply@kampus.test"
    assert rcpt_tos == ["a@example.com", "b@example.org"]


def test_smtp_login_and_no_password_in_logs(tmp_path, smtp_server, caplog):
    controller, receiver = smtp_server
    caplog.set_level(logging.DEBUG)
    mailer = SmtpMailer(_smtp_settings(tmp_path, controller.port, smtp_username=SMTP_USER,
                                       smtp_password=SMTP_PASSWORD))
    mailer.send("a@example.com", "Logged in", "text")
    assert len(receiver.envelopes) == 1
    assert SMTP_PASSWORD not in caplog.text

    wrong = SmtpMailer(_smtp_settings(tmp_path, controller.port, smtp_username=SMTP_USER,
                                      smtp_password="wrong-" + SMTP_PASSWORD))
    with pytest.raises(MailError) as error:
        wrong.send("a@example.com", "Refused", "text")
    assert "refused the login" in str(error.value)
    assert SMTP_PASSWORD not in str(error.value)
    assert SMTP_PASSWORD not in caplog.text
    assert len(receiver.envelopes) == 1


def test_smtp_server_down(tmp_path):
    mailer = SmtpMailer(_smtp_settings(tmp_path, _free_port(), smtp_timeout=2.0))
    with pytest.raises(MailError, match="cannot send e-mail through 127.0.0.1"):
        mailer.send("a@example.com", "Lost", "text")


def test_smtp_loaded_by_name(make_app, smtp_server):
    controller, receiver = smtp_server
    app = make_app(settings={"mailer": "smtp", "smtp_host": "127.0.0.1", "smtp_port": controller.port})
    app.extensions["kampus"].mailer.send("a@example.com", "From the app", "text")
    assert receiver.messages()[0]["Subject"] == "From the app"


# -- SMTP over TLS ------------------------------------------------------------------
@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    try:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True, timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot make a test certificate with openssl: {exc}")
    return cert, key


def _tls_contexts(certificate):
    cert, key = certificate
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


def test_smtp_starttls(tmp_path, certificate):
    server_context, client_context = _tls_contexts(certificate)
    receiver = Receiver()
    controller = aiosmtpd_controller.Controller(
        receiver, hostname="127.0.0.1", port=_free_port(), tls_context=server_context, require_starttls=True,
        authenticator=_authenticator,
    )
    controller.start()
    try:
        settings = _smtp_settings(tmp_path, controller.port, smtp_starttls=True, smtp_username=SMTP_USER,
                                  smtp_password=SMTP_PASSWORD)
        SmtpMailer(settings, ssl_context=client_context).send("a@example.com", "Over STARTTLS", "text")
        assert receiver.messages()[0]["Subject"] == "Over STARTTLS"
        # Without STARTTLS the server refuses to go on.
        plain = SmtpMailer(_smtp_settings(tmp_path, controller.port))
        with pytest.raises(MailError):
            plain.send("a@example.com", "In clear", "text")
        # A certificate nobody trusts is refused.
        with pytest.raises(MailError):
            SmtpMailer(_smtp_settings(tmp_path, controller.port, smtp_starttls=True)).send("a@example.com", "x", "y")
    finally:
        controller.stop()
    assert len(receiver.envelopes) == 1


def test_smtp_implicit_tls(tmp_path, certificate):
    server_context, client_context = _tls_contexts(certificate)
    receiver = Receiver()
    controller = aiosmtpd_controller.Controller(
        receiver, hostname="127.0.0.1", port=_free_port(), ssl_context=server_context,
    )
    controller.start()
    try:
        settings = _smtp_settings(tmp_path, controller.port, smtp_ssl=True)
        SmtpMailer(settings, ssl_context=client_context).send("a@example.com", "Over TLS", "text")
    finally:
        controller.stop()
    assert receiver.messages()[0]["Subject"] == "Over TLS"


def test_one_click_unsubscribe_headers_stay_on_one_line() -> None:
    """A long unsubscribe URL is sent as it is (a folded header becomes encoded words, no longer a link)."""
    url = "https://kampus.example/courses/course-v1:KampusX+Mail101+2026/bulk_email/unsubscribe/" + "a" * 120
    message = build_message("Kampus <no-reply@kampus.example>", "learner@example.org", "Hello", "text")
    add_one_click_unsubscribe(message, url)
    add_one_click_unsubscribe(message, url)  # set twice: still one header of each
    raw = message.as_bytes().decode("ascii")
    assert f"List-Unsubscribe: <{url}>\n" in raw and "=?utf-8?" not in raw
    assert raw.count("List-Unsubscribe:") == 1
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n" in raw
