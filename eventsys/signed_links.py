"""Signed links in mail: a small payload of ids, signed with the app's secret key and a salt
that names what the link opens.

Each feature keeps its own salt and payload (`invitations/tokens.py`, `minutes/tokens.py`,
`charters/tokens.py`); the signing and the checks on what comes back live here. Salts,
payload keys and the serializer a link was made with must never change: links already sent
would stop working.
"""

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer


@dataclass(frozen=True)
class SignedLink:
    """One kind of signed link. `timed` links carry the time they were made and are read
    with a maximum age; untimed ones are valid until the feature says otherwise."""

    salt: str
    timed: bool = True

    def _serializer(self) -> URLSafeSerializer | URLSafeTimedSerializer:
        kind = URLSafeTimedSerializer if self.timed else URLSafeSerializer
        return kind(current_app.config["SECRET_KEY"], salt=self.salt)

    def sign(self, **ids: int) -> str:
        """A token for the payload `ids` (short keys, integer values)."""
        return self._serializer().dumps(ids)

    def read_ids(self, token: str, keys: tuple[str, ...], max_age: int | None = None):
        """The integers stored under `keys`, in that order, or None for a forged, mangled or
        (timed links older than `max_age` seconds) expired token, or one whose payload does
        not hold an integer for every key."""
        try:
            if self.timed:
                payload = self._serializer().loads(token, max_age=max_age)
            else:
                payload = self._serializer().loads(token)
        except BadSignature:  # includes SignatureExpired
            return None
        if not isinstance(payload, dict):
            return None
        values = tuple(payload.get(key) for key in keys)
        if not all(isinstance(value, int) for value in values):
            return None
        return values
