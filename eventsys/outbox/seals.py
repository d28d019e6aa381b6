"""Seals on stored messages: proof that what delivery is about to send is what the outbox wrote.

Every message is read back when it is stored (`headers.serialise`), and was read again before it
was sent (`headers.check_stored`), in case its row was changed in between: by a fault, or by
someone with access to the database. That second reading cost two thirds of delivery. Now the
outbox seals each message when it stores it: an HMAC-SHA256, keyed from SECRET_KEY, of the
message and of the row's envelope (sender, recipient, subject, Message-ID). Delivery checks the
seal in microseconds and sends a message whose seal holds without reading it again; one whose
seal does not hold (changed since, stored before seals existed, or sealed under an earlier
SECRET_KEY) gets the full reading and is refused if its headers are wrong. A seal never refuses
a message by itself: it only spares the reading of one that is unchanged.
"""

import hashlib
import hmac

from flask import Flask

_PURPOSE = b"eventsys outbox seal 1"


class Sealer:
    """Seals and checks messages with the key of one application."""

    def __init__(self, app: Flask) -> None:
        secret = app.config["SECRET_KEY"]
        secret = secret.encode() if isinstance(secret, str) else secret
        # A key of its own, so that a seal is no signature any other part of the app accepts.
        self._key = hmac.new(secret, _PURPOSE, hashlib.sha256).digest()

    def seal(
        self, raw_message: bytes, sender: str, recipient: str, subject: str, message_id: str
    ) -> str:
        mac = hmac.new(self._key, digestmod=hashlib.sha256)
        for field in (sender.encode(), recipient.encode(), subject.encode(), message_id.encode()):
            # Each field with its length, so that no two different rows give the same input.
            mac.update(len(field).to_bytes(8, "big"))
            mac.update(field)
        mac.update(raw_message)
        return mac.hexdigest()

    def holds(
        self,
        seal: str | None,
        raw_message: bytes,
        sender: str,
        recipient: str,
        subject: str,
        message_id: str,
    ) -> bool:
        if not seal:
            return False
        expected = self.seal(raw_message, sender, recipient, subject, message_id)
        return hmac.compare_digest(seal, expected)
