"""OAuth2 as Open edX serves it, on Authlib: clients, tokens, JWTs and API authentication.

- :mod:`kampus.oauth2.models`: registered clients and issued tokens (stored hashed).
- :mod:`kampus.oauth2.server`: the Authlib authorization server of an app (password, client
  credentials and refresh-token grants; revocation).
- :mod:`kampus.oauth2.jwt`: JWTs in Open edX's shape, signed HS256 with a key derived from the
  site's ``secret_key``.
- :mod:`kampus.oauth2.authn`: the one code path that turns an ``Authorization`` header
  (``Bearer kmp_…`` personal tokens, ``Bearer`` OAuth2 access tokens, ``JWT …``) into a user.
- :mod:`kampus.oauth2.api_access`: throttling and CORS of ``/api/`` and ``/oauth2/``.
- :mod:`kampus.oauth2.views`: ``/oauth2/access_token``, ``/oauth2/revoke_token`` and the staff
  page of clients; :mod:`kampus.oauth2.commands`: ``kampus create-oauth-client`` and
  ``kampus create-token``.
"""
