"""Wiring of the ses plugin: its settings. The driver is the ``kampus.mailer`` entry point ``ses``
(:class:`kampus_ses.mailer.SesMailer`): enable the plugin and set ``mailer = "ses"``."""

from __future__ import annotations

from kampus_hookspecs import Setting, SiteDefaults, hookimpl


@hookimpl
def kampus_site_defaults() -> SiteDefaults:
    """Not enabled by ``kampus init``: SES needs a verified identity and credentials first."""
    return SiteDefaults(enable_on_init=False, order=91,
                        comment="Mail through Amazon SES: set mailer = \"ses\" and ses_region (kampus-ses's README).")


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("ses_region", str, "", "AWS region of SES (empty: boto3's default, e.g. AWS_DEFAULT_REGION)."),
        Setting("ses_endpoint_url", str, "", "URL of an SES-compatible endpoint (tests); empty for Amazon SES."),
        Setting("ses_access_key_id", str, "",
                "Access key id; empty to use boto3's credential chain (environment, ~/.aws, instance role).",
                secret=True),
        Setting("ses_secret_access_key", str, "", "Secret access key (with ses_access_key_id).", secret=True),
        Setting("ses_configuration_set", str, "", "SES configuration set every message is sent with (optional)."),
        Setting("ses_from_address", str, "",
                "Sender address SES checks (FromEmailAddress); empty: the address of mail_from."),
        Setting("ses_timeout", float, 30.0, "Seconds to wait for SES before the message counts as failed."),
    ]
