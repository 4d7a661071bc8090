"""The ``kampus.mailer`` driver ``ses``: each message goes to Amazon SES as a raw MIME message
(SESv2 ``SendEmail`` with ``Content.Raw``), so it leaves exactly as :func:`kampus.drivers.mailer.build_message`
and its callers wrote it (alternatives, ``List-Unsubscribe``, ``Message-ID``).

Settings: ``ses_region``, ``ses_endpoint_url`` (tests), ``ses_access_key_id`` and
``ses_secret_access_key`` (else boto3's credential chain), ``ses_configuration_set``,
``ses_from_address`` and ``ses_timeout``. Each mailer builds its own boto3 session and client (thread-safe;
nothing shared between two apps of one process).
"""

from __future__ import annotations

import copy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from kampus.drivers.mailer import Mailer, MailError

#: SES's error codes worth a retry (the caller decides; the text names the code).
TRANSIENT_CODES = frozenset({"Throttling", "ThrottlingException", "TooManyRequestsException",
                             "ServiceUnavailable", "InternalFailure", "RequestTimeout"})


def _setting(settings: Any, name: str, default: Any) -> Any:
    value = getattr(settings, name, default)
    return default if value is None else value


class SesMailer(Mailer):
    """Sends through Amazon SES (see the module's documentation)."""

    def __init__(self, settings: Any, client: Any = None):
        super().__init__(settings)
        self.configuration_set = str(_setting(settings, "ses_configuration_set", ""))
        self.from_address = str(_setting(settings, "ses_from_address", ""))
        self.client = client if client is not None else self._make_client(settings)

    @staticmethod
    def _make_client(settings: Any) -> Any:
        key = str(_setting(settings, "ses_access_key_id", ""))
        secret = str(_setting(settings, "ses_secret_access_key", ""))
        session = boto3.session.Session(aws_access_key_id=key or None, aws_secret_access_key=secret or None,
                                        region_name=str(_setting(settings, "ses_region", "")) or None)
        timeout = float(_setting(settings, "ses_timeout", 30.0))
        config = Config(connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 3, "mode": "standard"})
        return session.client("sesv2", endpoint_url=str(_setting(settings, "ses_endpoint_url", "")) or None,
                              config=config)

    def deliver(self, message: EmailMessage) -> None:
        """Send ``message`` through SES; :class:`MailError` (naming SES's error code) when it fails."""
        destination: dict[str, list[str]] = {}
        for header, field in (("To", "ToAddresses"), ("Cc", "CcAddresses"), ("Bcc", "BccAddresses")):
            addresses = [address for _name, address in getaddresses(message.get_all(header, [])) if address]
            if addresses:
                destination[field] = addresses
        if not destination:
            raise ValueError("an e-mail needs at least one recipient")
        raw = message
        if message["Bcc"]:  # blind copies go in the envelope only
            raw = copy.deepcopy(message)
            del raw["Bcc"]
        request: dict[str, Any] = {
            "FromEmailAddress": self.from_address or parseaddr(str(message["From"]))[1],
            "Destination": destination,
            "Content": {"Raw": {"Data": raw.as_bytes()}},
        }
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            self.client.send_email(**request)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = error.get("Code", "Unknown")
            kind = "transient" if code in TRANSIENT_CODES else "refused"
            raise MailError(f"SES {kind}: {code}: {error.get('Message', '')}"[:500]) from None
        except BotoCoreError as exc:
            raise MailError(f"cannot reach SES: {type(exc).__name__}: {exc}"[:500]) from None

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()
