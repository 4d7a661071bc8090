"""Wiring of OAuth2 and API access: settings, the token endpoints, the staff page, its permission."""

from __future__ import annotations

from typing import Any

from kampus_hookspecs import Setting, hookimpl

from kampus.oauth2 import views
from kampus.oauth2.signing_keys import ALGORITHMS, check_settings


@hookimpl
def kampus_settings() -> list[Setting]:
    return [
        Setting("oauth2_access_token_seconds", int, 36000,
                "Lifetime of OAuth2 access tokens and JWTs, in seconds (Open edX: 10 hours)."),
        Setting("oauth2_refresh_token_days", int, 30, "Lifetime of OAuth2 refresh tokens, in days."),
        Setting("jwt_issuer", str, "", "The 'iss' of the site's JWTs. Empty: <base_url>/oauth2."),
        Setting("jwt_audience", str, "kampus", "The 'aud' of the site's JWTs."),
        Setting("jwt_signing_algorithm", str, "RS512",
                "Algorithm of the JWT signing keys that `kampus init` and `kampus rotate-jwt-key` make "
                "(Open edX: JWT_SIGNING_ALGORITHM). A key keeps the algorithm it was made for.",
                choices=ALGORITHMS),
        Setting("jwt_signing_keys_file", str, "{home}/jwt_signing_keys.json",
                "The site's JWT signing keys (a private JSON Web Key Set; the first key signs, all verify). "
                "Made by `kampus init`, or on first use; never share it. Public keys: /oauth2/jwks.json."),
        Setting("jwt_private_signing_jwk", str, "",
                "A private RSA JSON Web Key (JSON text) that signs the site's JWTs instead of the key file, so that "
                "servers share it through their settings (Open edX: JWT_AUTH['JWT_PRIVATE_SIGNING_JWK']). Its "
                "public part is published at /oauth2/jwks.json. Empty: the key file.", secret=True),
        Setting("jwt_public_signing_jwk_set", str, "",
                "A public JSON Web Key Set (JSON text) whose keys verify JWTs too and are published at "
                "/oauth2/jwks.json: the previous key after a rotation (Open edX: "
                "JWT_AUTH['JWT_PUBLIC_SIGNING_JWK_SET'])."),
        Setting("api_token_rate_limit", int, 600,
                "API requests allowed per token within api_rate_window seconds (bursts up to this many); "
                "more get 429. 0: no limit."),
        Setting("api_user_rate_limit", int, 1200,
                "API requests allowed per user (all their tokens and sessions) within api_rate_window. 0: no limit."),
        Setting("api_anonymous_rate_limit", int, 300,
                "API requests allowed per address without a login within api_rate_window. 0: no limit."),
        Setting("api_rate_window", int, 60, "Window of the API rate limits, in seconds."),
        Setting("cors_origins", list, [],
                "Origins (https://app.example.org) whose pages may call /api/ and /oauth2/ from a browser. "
                "Empty: none."),
        Setting("cors_allow_credentials", bool, False,
                "Let those origins send the site's cookies along (state changes still need the CSRF token)."),
    ]


@hookimpl
def kampus_blueprints(app: Any) -> list[Any]:
    return [views.bp]


@hookimpl
def kampus_permissions() -> dict[str, list[str]]:
    """Registering clients is for global staff only."""
    return {"site.manage_oauth_clients": []}


@hookimpl
def kampus_app_ready(app: Any) -> None:
    """A JWT key setting that is not a usable key stops start-up, naming the setting."""
    check_settings(app.extensions["kampus"])
