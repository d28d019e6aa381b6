"""Encrypting the TOTP secrets that the database keeps.

Why: whoever holds a TOTP secret can make every code of that account. Database dumps and
backups travel further than the instance folder (they go to backup storage, to a colleague
looking into a problem), so the secret is stored encrypted with a key that lives elsewhere: it
is derived (HKDF-SHA256) from the app's SECRET_KEY, kept in `instance/secret_key` or the
deployment's settings, never in the database. A dump alone then gives no second factor.

Fernet (from `cryptography`) is authenticated encryption: a token changed in the database is
refused rather than decrypted into another secret. The keys in SECRET_KEY_FALLBACKS still
decrypt, so the SECRET_KEY can be rotated without locking anyone out; secrets written after the
rotation use the new key.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

# Binds the derived key to this one use: the same SECRET_KEY signs sessions and links.
KEY_PURPOSE = b"eventsys two-factor secret encryption"


class SecretUnreadable(ValueError):
    """A stored secret that no current or fallback key decrypts (the key was replaced)."""


def _fernet_for(secret_key: str | bytes) -> Fernet:
    material = secret_key.encode("utf-8") if isinstance(secret_key, str) else secret_key
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_PURPOSE).derive(
        material
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def _box() -> MultiFernet:
    keys = [
        current_app.config["SECRET_KEY"],
        *(current_app.config.get("SECRET_KEY_FALLBACKS") or []),
    ]
    return MultiFernet([_fernet_for(key) for key in keys])


def seal(secret: str) -> str:
    """`secret` encrypted with the current key, as text for a database column."""
    return _box().encrypt(secret.encode("ascii")).decode("ascii")


def open_sealed(token: str) -> str:
    """The secret in `token`; raises SecretUnreadable if no configured key opens it."""
    try:
        return _box().decrypt(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as error:
        raise SecretUnreadable("the stored two-factor secret cannot be decrypted") from error
