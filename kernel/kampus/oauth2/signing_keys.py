"""The site's JWT signing keys (Open edX's ``JWT_PRIVATE_SIGNING_JWK`` and ``JWT_PUBLIC_SIGNING_JWK_SET``).

The keys live in one JSON Web Key Set file in the site folder, beside ``kampus.toml`` and its
``secret_key`` (setting ``jwt_signing_keys_file``, default ``{home}/jwt_signing_keys.json``, mode
0600): RSA key pairs with a ``kid``, newest first, and when each was made (``created``, seconds
since the epoch). Every key in the file verifies, and the public halves of all of them are
published at ``/oauth2/jwks.json`` (cached :data:`JWKS_MAX_AGE` seconds). The newest key older
than :data:`ACTIVATION_DELAY` signs new JWTs (a key without ``created`` counts as old); while
none is, the oldest key signs (a new site's only key signs at once).

- ``kampus init`` writes the file; a site made before it existed gets one the first time a JWT
  is signed or checked, or the key set is asked for (:func:`ensure_keys`: one process wins the
  race to create it, the others read the winner's; a hard link publishes the complete file, or,
  on a file system without hard links, an exclusive create). A server that makes the file logs a
  warning: every server of a site must share it.
- ``kampus rotate-jwt-key`` puts a new key first and keeps the previous ones (``--keep``) so
  that JWTs they signed still verify until they expire (:func:`rotate_keys`). The new key is
  published at once but signs only after :data:`ACTIVATION_DELAY`: services that cached the key
  set before the rotation have fetched it again by then, so they never meet a JWT whose key they
  do not know. The key that signs at the rotation is always kept (unless ``--keep 0``).

Each process keeps the parsed keys and reads the file again when its modification time or size
changes (one ``stat`` per use), so a rotation takes effect in running servers without a restart.
Keys are made and used by joserfc (the Authlib project's JOSE library), never by hand.

Keys in the settings instead of a file (Open edX's ``JWT_AUTH`` settings), so that several servers
share a key through their configuration (``kampus.toml``, ``KAMPUS_*`` variables, a secrets manager):

- ``jwt_private_signing_jwk``: one private RSA JWK as JSON (``JWT_PRIVATE_SIGNING_JWK``; what Open
  edX's ``generate_jwt_signing_key`` prints). When set it signs every JWT and the key file is neither
  read nor made; a JWK without ``kid`` gets its RFC 7638 thumbprint (the same on every server), one
  without ``alg`` the setting ``jwt_signing_algorithm``.
- ``jwt_public_signing_jwk_set``: a public JSON Web Key Set (``JWT_PUBLIC_SIGNING_JWK_SET``) whose keys
  verify too and are published beside the signing key: the previous key while the JWTs it signed are
  still valid, after a rotation done by changing the settings.

Both are checked when the app starts (:func:`check_settings`): a value that is not such a key stops
start-up with a :class:`~kampus.errors.SettingsError` naming the setting.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from base64 import urlsafe_b64decode
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey

from kampus.errors import SettingsError

if TYPE_CHECKING:
    from kampus.app import Kampus

#: Algorithms a site may sign with (``jwt_signing_algorithm``); Open edX's default is RS512.
ALGORITHMS = ("RS512", "RS384", "RS256")
KEY_BITS = 2048
log = logging.getLogger(__name__)
#: Seconds services may cache ``/oauth2/jwks.json`` (its ``Cache-Control: max-age``).
JWKS_MAX_AGE = 300
#: Seconds a new key waits before it signs: the key set's cache lifetime and a margin for clock skew.
ACTIVATION_DELAY = JWKS_MAX_AGE + 60


class SigningKeyError(RuntimeError):
    """The key file cannot be read or holds no usable signing key."""


@dataclass(frozen=True)
class StoredKey:
    """A key of the file and when it was made (``None``: before creation times were kept)."""

    key: RSAKey
    created: float | None


def signing_key(keys: list[StoredKey], now: float) -> StoredKey:
    """The key that signs at ``now``: the newest one made at least :data:`ACTIVATION_DELAY` ago,
    else the oldest (``keys`` is newest first)."""
    for stored in keys:
        if stored.created is None or now - stored.created >= ACTIVATION_DELAY:
            return stored
    return keys[-1]


@dataclass(frozen=True)
class KeyRing:
    """The parsed key file: its keys (newest first), every key that verifies, the public key set."""

    keys: tuple[StoredKey, ...]
    verifying: KeySet
    public: dict[str, Any]
    stamp: tuple[int, int]

    def signing(self, now: float | None = None) -> RSAKey:
        """The key that signs new JWTs at ``now`` (default: the current time)."""
        return signing_key(list(self.keys), time.time() if now is None else now).key


def new_key(algorithm: str) -> RSAKey:
    """A fresh RSA key pair for ``algorithm``, with a thumbprint ``kid``."""
    if algorithm not in ALGORITHMS:
        raise SigningKeyError(f"unsupported JWT signing algorithm {algorithm!r}; one of {', '.join(ALGORITHMS)}")
    return RSAKey.generate_key(KEY_BITS, parameters={"use": "sig", "alg": algorithm}, auto_kid=True)


def _write(path: Path, keys: list[StoredKey], *, replace: bool) -> bool:
    """Write ``keys`` to ``path`` atomically (mode 0600). Without ``replace``, an existing file wins:
    returns False and leaves it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"keys": [stored.key.as_dict(private=True) for stored in keys],
                       "created": {str(stored.key.kid): stored.created for stored in keys
                                   if stored.created is not None}}, indent=1)
    handle, temporary = tempfile.mkstemp(prefix=".jwt-keys-", dir=path.parent)  # created with mode 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        if replace:
            os.replace(temporary, path)
            return True
        try:
            os.link(temporary, path)  # fails when another process made the file first
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: create it exclusively, then fill it
            return _write_exclusive(path, text)
        return True
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _write_exclusive(path: Path, text: str) -> bool:
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    return True


def read_stored_keys(path: Path) -> list[StoredKey]:
    """The keys of the file, newest first, with their creation times; raises
    :class:`SigningKeyError` when it is unusable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        keys = [RSAKey.import_key(item) for item in data["keys"]]
        created = {str(kid): float(value) for kid, value in (data.get("created") or {}).items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SigningKeyError(f"cannot read the JWT signing keys in {path}: {exc}") from exc
    if not keys or not all(key.is_private and key.kid for key in keys):
        raise SigningKeyError(f"{path} holds no private signing key with a kid")
    return [StoredKey(key, created.get(str(key.kid))) for key in keys]


def read_keys(path: Path) -> list[RSAKey]:
    """The keys of the file, newest first; raises :class:`SigningKeyError` when it is unusable."""
    return [stored.key for stored in read_stored_keys(path)]


def ensure_keys(path: Path, algorithm: str) -> bool:
    """Make the key file with one key unless it exists; True when this call made it."""
    if path.exists():
        return False
    return _write(path, [StoredKey(new_key(algorithm), time.time())], replace=False)


def rotate_keys(path: Path, algorithm: str, keep: int = 1, now: float | None = None) -> tuple[RSAKey, list[str]]:
    """Put a new key first (it verifies at once and signs after :data:`ACTIVATION_DELAY`) and keep
    the ``keep`` newest previous keys for verification, and the key that signs at ``now`` unless
    ``keep`` is 0.

    Returns the new key and the ``kid`` of the keys dropped."""
    if keep < 0:
        raise SigningKeyError("keep must be 0 or more")
    now = time.time() if now is None else now
    previous = read_stored_keys(path) if path.exists() else []
    key = new_key(algorithm)
    kept = previous[:keep]
    if keep and previous and (current := signing_key(previous, now)) not in kept:
        kept.append(current)  # rotated twice within the delay: the key that still signs stays
    _write(path, [StoredKey(key, now), *kept], replace=True)
    return key, [str(old.key.kid) for old in previous if old not in kept]


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size


def key_file(kampus: Kampus) -> Path:
    """Where the site's keys are (setting ``jwt_signing_keys_file``)."""
    return Path(kampus.settings.jwt_signing_keys_file)


def _json_setting(name: str, text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise SettingsError(f"setting {name!r}: not JSON ({exc})") from None
    if not isinstance(value, dict):
        raise SettingsError(f"setting {name!r}: expected a JSON object")
    return value


def _rsa_key(name: str, data: Any, *, private: bool, algorithm: str) -> RSAKey:
    """An RSA JWK of a setting, with a ``kid`` (its thumbprint when it has none) and an ``alg``."""
    if not isinstance(data, dict) or data.get("kty") != "RSA":
        raise SettingsError(f"setting {name!r}: expected an RSA JSON Web Key (\"kty\": \"RSA\")")
    alg = data.get("alg") or algorithm
    if alg not in ALGORITHMS:
        raise SettingsError(f"setting {name!r}: key algorithm {alg!r} is not one of {', '.join(ALGORITHMS)}")
    if private and "d" not in data:
        raise SettingsError(f"setting {name!r}: the key has no private part (\"d\"): it cannot sign")
    if data.get("use", "sig") != "sig":
        raise SettingsError(f"setting {name!r}: the key's \"use\" is {data['use']!r}, not \"sig\": it is not "
                            "for signatures")
    needed = "sign" if private else "verify"
    if "key_ops" in data and needed not in (data["key_ops"] or ()):
        raise SettingsError(f"setting {name!r}: the key's \"key_ops\" {data['key_ops']!r} do not allow {needed!r}")
    fields = dict(data) if private else {key: value for key, value in data.items() if key in _PUBLIC_FIELDS}
    try:
        bits = int.from_bytes(urlsafe_b64decode(str(fields["n"]) + "==")).bit_length()
        if bits < KEY_BITS:
            raise SettingsError(f"setting {name!r}: a {bits}-bit key is too short (at least {KEY_BITS})")
        key = RSAKey.import_key({**fields, "alg": alg})
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise SettingsError(f"setting {name!r}: not a usable RSA key ({exc})") from None
    if not key.kid:
        key = RSAKey.import_key({**fields, "alg": alg, "kid": key.thumbprint()})
    return key


#: Members of a public RSA JWK (a private member in the public key set is dropped, never published).
_PUBLIC_FIELDS = frozenset({"kty", "n", "e", "kid", "alg", "use", "key_ops", "x5c", "x5t", "x5t#S256", "x5u"})


def setting_keys(settings: Any) -> tuple[RSAKey | None, list[RSAKey]]:
    """The signing key of ``jwt_private_signing_jwk`` (``None`` when empty) and the public keys of
    ``jwt_public_signing_jwk_set``; raises :class:`~kampus.errors.SettingsError` naming the setting
    whose value is not such a key."""
    algorithm = settings.jwt_signing_algorithm
    private = None
    if settings.jwt_private_signing_jwk.strip():
        private = _rsa_key("jwt_private_signing_jwk", _json_setting("jwt_private_signing_jwk",
                                                                    settings.jwt_private_signing_jwk),
                           private=True, algorithm=algorithm)
    public: list[RSAKey] = []
    if settings.jwt_public_signing_jwk_set.strip():
        items = _json_setting("jwt_public_signing_jwk_set", settings.jwt_public_signing_jwk_set).get("keys")
        if not isinstance(items, list):
            raise SettingsError("setting 'jwt_public_signing_jwk_set': expected a JSON Web Key Set ({\"keys\": [...]})")
        public = [_rsa_key("jwt_public_signing_jwk_set", item, private=False, algorithm=algorithm)
                  for item in items]
    return private, public


def check_settings(kampus: Kampus) -> None:
    """Stop start-up on a key setting that is not a usable key (:func:`setting_keys`)."""
    setting_keys(kampus.settings)


def _ring(signing: list[StoredKey], extra_public: list[RSAKey], stamp: tuple[int, int]) -> KeyRing:
    """A key ring of private ``signing`` keys (newest first) and further public keys that verify; a
    public key with the ``kid`` of a private one is left out."""
    kids = {str(stored.key.kid) for stored in signing}
    extra = [key for key in extra_public if str(key.kid) not in kids]
    keys = [stored.key for stored in signing] + extra
    return KeyRing(keys=tuple(signing), verifying=KeySet(keys),
                   public={"keys": [key.as_dict(private=False) for key in keys]}, stamp=stamp)


def uses_key_file(kampus: Kampus) -> bool:
    """Whether the site's keys are in the key file (no ``jwt_private_signing_jwk``)."""
    return not kampus.settings.jwt_private_signing_jwk.strip()


def key_ring(kampus: Kampus) -> KeyRing:
    """The app's keys: those of the settings when ``jwt_private_signing_jwk`` is set (parsed once),
    else the key file's, read again when the file changed (a rotation) and made when the site has
    none; the keys of ``jwt_public_signing_jwk_set`` verify too."""
    if not uses_key_file(kampus):
        def from_settings() -> KeyRing:
            private, public = setting_keys(kampus.settings)
            return _ring([StoredKey(private, None)], public, (0, 0))  # type: ignore[arg-type]
        return kampus.kept("oauth2:jwt_key_ring_settings", from_settings)
    path = key_file(kampus)
    cache: dict[str, KeyRing] = kampus.kept("oauth2:jwt_key_ring", dict)
    try:
        stamp = _stamp(path)
    except FileNotFoundError:
        if ensure_keys(path, kampus.settings.jwt_signing_algorithm):
            log.warning("made the JWT signing key file %s (the site had none): every server of the site must "
                        "use this same file (a shared site folder or a copy), or the JWTs one signs fail on the "
                        "others", path)
        stamp = _stamp(path)
    ring = cache.get("ring")
    if ring is None or ring.stamp != stamp:
        ring = _ring(read_stored_keys(path), setting_keys(kampus.settings)[1], stamp)
        cache["ring"] = ring
    return ring
