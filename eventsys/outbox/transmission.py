"""Handing one message to the mail server step by step, as `smtplib.SMTP.sendmail` does for one
recipient, with a moment between the envelope and the content: the deliverer uses it to make
sure that the outcome of the message before is committed (`outcomes.OutcomeWriter`) while the
server answered MAIL FROM and RCPT TO, instead of waiting for each in turn."""

import contextlib
import functools
import smtplib
from collections.abc import Callable


def transmit(
    host: smtplib.SMTP,
    sender: str,
    recipient: str,
    raw_message: bytes,
    before_content: Callable[[], None],
) -> None:
    """Send `raw_message` from `sender` to `recipient`, calling `before_content` once the server
    has accepted the envelope. Raises what `sendmail` raises for a refusal (after a RSET, so
    that the connection can carry the next message) or a lost connection."""
    host.ehlo_or_helo_if_needed()
    size = f" size={len(raw_message)}" if host.does_esmtp and host.has_extn("size") else ""
    # The commands `mail` and `rcpt` would send, without parsing the addresses again for each
    # message: the sender is one of a few, the recipient a bare address checked when queued.
    host.putcmd("mail", f"FROM:{_envelope_address(sender)}{size}")
    code, reply = host.getreply()
    if code != 250:
        _reset(host, code)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    host.putcmd("rcpt", f"TO:<{recipient}>")
    code, reply = host.getreply()
    if code not in (250, 251):
        _reset(host, code)
        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
    before_content()
    code, reply = host.data(raw_message)
    if code != 250:
        _reset(host, code)
        raise smtplib.SMTPDataError(code, reply)


@functools.lru_cache(maxsize=64)
def _envelope_address(mailbox: str) -> str:
    """``<address>`` of a mailbox written ``Name <address>``, as smtplib quotes it."""
    return smtplib.quoteaddr(mailbox)


def _reset(host: smtplib.SMTP, code: int) -> None:
    if code == 421:  # the server is closing the connection
        host.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):  # the next message finds it lost
        host.rset()
