"""The kernel's own settings, declared through the same hook as any plugin's."""

from __future__ import annotations

from kampus_hookspecs import Setting, hookimpl


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("plugins", list, [], "Enabled plugins, in order (entry-point names of the group kampus.plugins)."),
        Setting("site_name", str, "Kampus", "Name of the site, shown in the header and in e-mails."),
        Setting("base_url", str, "",
                "Public URL of the site (e.g. https://learn.example.org), used in e-mailed links and API answers. "
                "Empty: the scheme and host of each request (outside a request: http://127.0.0.1:8000)."),
        Setting("secret_key", str, None, "Secret used to sign sessions and tokens. `kampus init` generates one.",
                secret=True),
        Setting("debug", bool, False, "Flask debug mode. Never on a public site."),
        Setting("session_cookie_secure", bool, False,
                "Send the session cookie over HTTPS only (turn on behind HTTPS)."),
        Setting("trusted_proxies", list, [],
                "Addresses or networks (CIDR) of the reverse proxies in front of the site, e.g. 127.0.0.1 or "
                "10.0.0.0/8. Only requests from these take the client address and scheme from "
                "X-Forwarded-For / X-Forwarded-Proto. Empty: the headers are ignored."),
        Setting("access_log", str, "{home}/logs/access.log",
                "Access log of `kampus serve` (paths only, no query strings). Empty: no access log."),
        Setting("access_log_max_bytes", int, 10 * 1024 * 1024, "Size at which the access log is rotated, in bytes."),
        Setting("access_log_backups", int, 5, "Rotated access logs kept (access.log.1 … access.log.N)."),
        Setting("event_rate_limit", int, 120,
                "Browser events (POST /event) accepted per user, or per address for anonymous users, "
                "within event_rate_window seconds (bursts up to this many); more get 429. 0: no limit."),
        Setting("event_rate_window", int, 60, "Window of event_rate_limit, in seconds."),
        Setting("session_lifetime_hours", int, 336, "How long a login lasts, in hours."),
        Setting("max_request_bytes", int, 64 * 1024 * 1024, "Largest request body accepted, in bytes."),
        Setting("site_templates", str, "{home}/templates", "Folder of site template overrides, searched first."),
        Setting("default_locale", str, "en", "Language of the site when the user has not chosen one."),
        Setting("default_timezone", str, "UTC", "Time zone of the site when the user has not chosen one."),
        Setting("blob_store", str, "filesystem", "Driver of the blob store (entry points kampus.blob_store)."),
        Setting("blob_store_path", str, "{home}/blobs", "Folder of the filesystem blob store."),
        Setting("search", str, "sql",
                "Driver of the search index (entry points kampus.search): sql (the site's database), "
                "or elasticsearch from a plugin."),
        Setting("sandbox", str, "none",
                "Driver that runs instructor Python (entry points kampus.sandbox, from a plugin), "
                "or none: then problems that need Python refuse to run."),
        Setting("mailer", str, "console", "Driver that sends e-mail (entry points kampus.mailer): console, smtp."),
        Setting("mail_from", str, "Kampus <noreply@localhost>", "Sender of the site's e-mail."),
        Setting("mail_outbox", str, "{home}/outbox", "Folder where the console mailer also keeps each message."),
        Setting("smtp_host", str, "localhost", "SMTP server host."),
        Setting("smtp_port", int, 25, "SMTP server port."),
        Setting("smtp_username", str, "", "SMTP user name (empty: no login)."),
        Setting("smtp_password", str, "", "SMTP password.", secret=True),
        Setting("smtp_starttls", bool, False, "Use STARTTLS with the SMTP server."),
        Setting("smtp_ssl", bool, False, "Connect to the SMTP server over TLS."),
        Setting("smtp_timeout", float, 10.0, "SMTP connection timeout in seconds."),
    ]
