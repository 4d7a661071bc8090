"""OAuth2 as Open edX serves it, on Authlib: clients, tokens, JWTs and API authentication.

- :mod:`kampus.oauth2.models`: registered clients and issued tokens (stored hashed).
- :mod:`kampus.oauth2.server`: the Authlib authorization server of an app (password, client
  credentials and refresh-token grants; revocation).
- :mod:`kampus.oauth2.jwt`: JWTs in Open edX's shape, signed RS512 (as configured) with the site's
  private key; :mod:`kampus.oauth2.signing_keys`: that key file, its rotation and the public key set.
- :mod:`kampus.oauth2.authn`: the one code path that turns an ``Authorization`` header
  (``Bearer kmp_…`` personal tokens, ``Bearer`` OAuth2 access tokens, ``JWT …``) into a user.
- :mod:`kampus.oauth2.api_access`: throttling and CORS of ``/api/`` and ``/oauth2/``.
- :mod:`kampus.oauth2.views`: ``/oauth2/access_token``, ``/oauth2/revoke_token``, ``/oauth2/jwks.json``
  and the staff page of clients; :mod:`kampus.oauth2.commands`: ``kampus create-oauth-client``,
  ``kampus create-token`` and ``kampus rotate-jwt-key``.
"""
