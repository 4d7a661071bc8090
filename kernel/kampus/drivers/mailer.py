"""The mailer driver family (``kampus.mailer``): console, smtp, memory.

Every mailer is built with the app's settings and sends with::

    kampus.mailer.send(to, subject, text, html=None) -> email.message.EmailMessage

``to`` is one address or a list; ``text`` is the plain-text body; ``html``, when
given, is added as an alternative part. The message's ``From`` is the setting
``mail_from``. Drivers only implement :meth:`Mailer.deliver`; every driver
passes :class:`kampus.testing.contracts.mailer.MailerContract`.

* ``console`` (the default of a development site): prints each message to
  standard output and keeps it as an ``.eml`` file in ``mail_outbox``, where a
  developer or a browser test finds confirmation links
  (:func:`read_outbox`);
* ``smtp``: sends through ``smtp_host``/``smtp_port`` (``smtp_ssl`` or
  ``smtp_starttls``, login when ``smtp_username`` is set);
* ``memory`` (tests): keeps messages in ``.outbox``.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import sys
import tempfile
import threading
import uuid
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from pathlib import Path
from typing import Any, TextIO

log = logging.getLogger(__name__)

#: Longest line (in bytes) RFC 5322 allows; shorter bodies are sent unencoded.
_MAX_LINE = 998


class MailError(Exception):
    """A message could not be sent. The text never holds a password."""


def _recipients(to: str | list[str] | tuple[str, ...]) -> list[str]:
    items = [to] if isinstance(to, str) else list(to)
    addresses = [address.strip() for address in items if address and address.strip()]
    if not addresses:
        raise ValueError("an e-mail needs at least one recipient")
    for address in addresses:
        if "\r" in address or "\n" in address:
            raise ValueError("a recipient address may not contain a line break")
        _name, addr = parseaddr(address)
        if "@" not in addr:
            raise ValueError(f"not an e-mail address: {address!r}")
    return addresses


def _body_cte(body: str) -> str:
    """A transfer encoding that leaves links readable whenever the standard allows."""
    lines = body.encode("utf-8").splitlines() or [b""]
    if max(len(line) for line in lines) > _MAX_LINE:
        return "quoted-printable"
    return "7bit" if body.isascii() else "8bit"


def build_message(
    mail_from: str, to: str | list[str], subject: str, text: str, html: str | None = None
) -> EmailMessage:
    """An :class:`EmailMessage` from ``mail_from`` to ``to``: plain text, plus
    ``html`` as an alternative when given."""
    recipients = _recipients(to)
    if "\r" in subject or "\n" in subject:
        raise ValueError("an e-mail subject may not contain a line break")
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text, cte=_body_cte(text))
    if html is not None:
        message.add_alternative(html, subtype="html", cte=_body_cte(html))
    return message


def add_one_click_unsubscribe(message: EmailMessage, url: str) -> None:
    """Give ``message`` RFC 8058's one-click unsubscribe headers (``List-Unsubscribe: <url>`` and
    ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``), each on one line: a header folded at 78
    characters is sent as encoded words, which mail providers do not read as a link (RFC 5322 allows 998)."""
    message.policy = message.policy.clone(max_line_length=998)
    del message["List-Unsubscribe"]
    del message["List-Unsubscribe-Post"]
    message["List-Unsubscribe"] = f"<{url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"


def message_text(message: EmailMessage) -> str:
    """The plain-text body of ``message``, decoded."""
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def message_html(message: EmailMessage) -> str | None:
    """The HTML body of ``message``, decoded, or ``None``."""
    part = message.get_body(preferencelist=("html",))
    return part.get_content() if part is not None else None


class Mailer(ABC):
    """Interface of the ``kampus.mailer`` drivers; built with the app's settings."""

    def __init__(self, settings: Any):
        self.settings = settings

    def send(self, to: str | list[str], subject: str, text: str, html: str | None = None) -> EmailMessage:
        """Build the message, deliver it, and return it."""
        message = build_message(self.settings.mail_from, to, subject, text, html)
        self.deliver(message)
        return message

    @abstractmethod
    def deliver(self, message: EmailMessage) -> None:
        """Send a complete message (``From``, ``To``, ``Subject`` set) or raise :class:`MailError`."""


class MemoryMailer(Mailer):
    """Keeps every message in :attr:`outbox` (a list), for tests."""

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.outbox: list[EmailMessage] = []
        self._lock = threading.Lock()

    def deliver(self, message: EmailMessage) -> None:
        with self._lock:
            self.outbox.append(message)


class ConsoleMailer(Mailer):
    """Prints each message and keeps it as ``<time>-<id>.eml`` in ``settings.mail_outbox``."""

    def __init__(self, settings: Any, stream: TextIO | None = None):
        super().__init__(settings)
        self.folder = Path(settings.mail_outbox)
        self.stream = stream
        self._lock = threading.Lock()

    def deliver(self, message: EmailMessage) -> None:
        data = message.as_bytes()
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}.eml"
        fd, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".eml", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temp, self.folder / name)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        lines = [f"{header}: {message[header]}" for header in ("From", "To", "Subject", "Date") if message[header]]
        rule = "-" * 72
        printed = "\n".join([rule, *lines, f"Saved-As: {self.folder / name}", "", message_text(message), rule, ""])
        with self._lock:
            stream = self.stream or sys.stdout
            stream.write(printed)
            stream.flush()


def read_outbox(folder: str | os.PathLike[str]) -> list[EmailMessage]:
    """Messages the console mailer kept in ``folder``, oldest first."""
    messages = []
    for path in sorted(Path(folder).glob("*.eml")):
        messages.append(message_from_bytes(path.read_bytes(), policy=policy.default))
    return messages  # type: ignore[return-value]


class SmtpMailer(Mailer):
    """Sends through an SMTP server: ``smtp_host``, ``smtp_port``, ``smtp_ssl``
    (TLS from the start) or ``smtp_starttls``, login with ``smtp_username`` and
    ``smtp_password`` when a user name is set, ``smtp_timeout`` seconds.
    Certificates are checked against the system's trusted authorities."""

    def __init__(self, settings: Any, ssl_context: ssl.SSLContext | None = None):
        super().__init__(settings)
        self.ssl_context = ssl_context

    def _context(self) -> ssl.SSLContext:
        return self.ssl_context or ssl.create_default_context()

    def connect(self) -> smtplib.SMTP:
        """An open, authenticated connection (close it with ``quit()``)."""
        s = self.settings
        if s.smtp_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                s.smtp_host, s.smtp_port, timeout=s.smtp_timeout, context=self._context()
            )
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
        try:
            if s.smtp_starttls and not s.smtp_ssl:
                smtp.starttls(context=self._context())
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def deliver(self, message: EmailMessage) -> None:
        s = self.settings
        recipients = [addr for _name, addr in getaddresses(message.get_all("To", []) + message.get_all("Cc", []))]
        where = f"{s.smtp_host}:{s.smtp_port}"
        try:
            smtp = self.connect()
            try:
                refused = smtp.send_message(message)
            finally:
                try:
                    smtp.quit()
                except (smtplib.SMTPException, OSError):
                    smtp.close()
        except smtplib.SMTPAuthenticationError as exc:
            raise MailError(f"SMTP server {where} refused the login of {s.smtp_username!r} ({exc.smtp_code})") from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailError(f"SMTP server {where} refused every recipient: {', '.join(exc.recipients)}") from None
        except smtplib.SMTPResponseException as exc:
            raise MailError(f"SMTP server {where} answered {exc.smtp_code}: {_reply(exc.smtp_error)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"cannot send e-mail through {where}: {type(exc).__name__}: {exc}") from None
        if refused:
            log.warning("SMTP server %s refused recipients %s", where, ", ".join(refused))
        log.info("sent e-mail %r to %s through %s", message["Subject"], ", ".join(recipients), where)


def _reply(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


__all__ = [
    "ConsoleMailer",
    "MailError",
    "Mailer",
    "MemoryMailer",
    "SmtpMailer",
    "build_message",
    "message_html",
    "message_text",
    "read_outbox",
]
