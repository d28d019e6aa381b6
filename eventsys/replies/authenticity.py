"""Whether a calendar reply can only have come from the attendee it names.

iMIP has no sender authentication of its own (RFC 6047 § 3): anyone can write a METHOD:REPLY
naming any attendee. So the mail's sender (From, or Sender) must be the ATTENDEE's address or
the one its SENT-BY names, and where our own mail server has checked the message (its
`Authentication-Results` header, RFC 8601, identified by REPLIES_TRUSTED_AUTHSERV_ID) a DMARC
or DKIM failure for the sender's domain means the address may be forged. Only the topmost
Authentication-Results counts, and only with the configured authserv-id: every header below it
was written by servers we do not run, or by the sender.

SENT-BY is written by the sender too, so it alone proves nothing: an assistant who answers for
an invitee (Evolution and Outlook name them with SENT-BY) is taken only from the invitee's own
side, an address in the invitee's mail domain (or a subdomain of it, or the domain the
invitee's address is a subdomain of). Where that domain is a public mail service's, sharing it
says nothing, and the reply waits for a person.
"""

import re
from dataclasses import dataclass, field

from flask import current_app

from eventsys.calendar_reading import CalendarAttendee
from eventsys.replies.parsing import ParsedMessage
from eventsys.replies.reasons import Reason, reason

_COMMENT = re.compile(r"\([^()]*\)")
_RESULT = re.compile(r"^([A-Za-z0-9_-]+)(?:/[0-9]+)?\s*=\s*([A-Za-z0-9_-]+)")
_PROPERTY = re.compile(r'([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*=\s*("[^"]*"|[^\s;]+)')

# Mail services where anyone can have an address: two of their addresses are not one side.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "freenet.de",
        "gmail.com",
        "gmx.at",
        "gmx.ch",
        "gmx.de",
        "gmx.net",
        "googlemail.com",
        "hotmail.com",
        "hotmail.de",
        "icloud.com",
        "live.com",
        "live.de",
        "mac.com",
        "mail.de",
        "mailbox.org",
        "me.com",
        "msn.com",
        "outlook.com",
        "outlook.de",
        "posteo.de",
        "proton.me",
        "protonmail.com",
        "t-online.de",
        "web.de",
        "yahoo.com",
        "yahoo.de",
    }
)


@dataclass(frozen=True)
class MethodResult:
    method: str  # lower case: dmarc, dkim, spf, …
    result: str  # lower case: pass, fail, none, …
    properties: dict[str, str] = field(default_factory=dict)  # e.g. header.from, header.d


@dataclass(frozen=True)
class AuthenticationResults:
    authserv_id: str
    results: list[MethodResult]


def read_authentication_results(value: str) -> AuthenticationResults | None:
    """One Authentication-Results header (RFC 8601), or None when it names no authserv-id."""
    for _round in range(5):  # comments may nest; each round removes the innermost
        value = _COMMENT.sub(" ", value)
    parts = [part.strip() for part in value.split(";")]
    head = parts[0].split()
    if not head:
        return None
    results = []
    for part in parts[1:]:
        match = _RESULT.match(part)
        if match is None:
            continue
        properties = {
            name.lower(): text.strip('"').lower()
            for name, text in _PROPERTY.findall(part[match.end() :])
        }
        results.append(MethodResult(match.group(1).lower(), match.group(2).lower(), properties))
    return AuthenticationResults(head[0].lower(), results)


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def _aligned(domain: str, domains: set[str]) -> bool:
    """True when `domain` is one of `domains` or a parent of one (relaxed alignment)."""
    return any(domain == own or own.endswith(f".{domain}") for own in domains)


def our_servers_verdict(parsed: ParsedMessage, sender: str) -> str:
    """What our own mail server's topmost Authentication-Results says failed for the sender's
    domain ("dmarc=fail", "dkim=fail", both, or "" when nothing failed or nothing is trusted)."""
    trusted = (current_app.config.get("REPLIES_TRUSTED_AUTHSERV_ID") or "").strip().lower()
    if not trusted or not parsed.authentication_results:
        return ""
    results = read_authentication_results(parsed.authentication_results[0])
    if results is None or results.authserv_id != trusted:
        return ""
    domains = {domain_of(sender), *(domain_of(a) for a in parsed.from_addresses)} - {""}
    failed = []
    for result in results.results:
        if result.result != "fail" or result.method not in ("dmarc", "dkim"):
            continue
        if result.method == "dmarc":
            checked = result.properties.get("header.from", "")
        else:
            checked = result.properties.get("header.d", "") or domain_of(
                result.properties.get("header.i", "")
            )
        # A failure that names no domain is taken as the sender's.
        if not checked or _aligned(checked, domains):
            failed.append(f"{result.method}=fail")
    return ", ".join(dict.fromkeys(failed))


def matching_sender(parsed: ParsedMessage, attendee: CalendarAttendee) -> str:
    """The mail's sender address that is the attendee's own or its SENT-BY, or "". A From
    with several addresses counts for none of them."""
    allowed = {attendee.address, attendee.sent_by} - {""}
    candidates = list(parsed.from_addresses) if len(parsed.from_addresses) == 1 else []
    if parsed.sender_header:
        candidates.append(parsed.sender_header)
    # The attendee's own address first: SENT-BY matters only when the attendee did not send.
    for wanted in (attendee.address, attendee.sent_by):
        if wanted and wanted in candidates and wanted in allowed:
            return wanted
    return ""


def same_side(address: str, other: str) -> bool:
    """True when two addresses are of one organisation's mail domain: the same domain, or one a
    subdomain of the other; never for a public mail service's domain."""
    first, second = domain_of(address), domain_of(other)
    if "." not in first or "." not in second:
        return False
    if first in PUBLIC_MAIL_DOMAINS or second in PUBLIC_MAIL_DOMAINS:
        return False
    return first == second or first.endswith(f".{second}") or second.endswith(f".{first}")


def sender_problem(parsed: ParsedMessage, attendee: CalendarAttendee) -> Reason | None:
    """Why the reply may not have come from `attendee`, for the review queue; None when its
    sender is the attendee (or a SENT-BY of their own side) and our mail server reports no
    forgery."""
    sender = matching_sender(parsed, attendee)
    if not sender:
        written = ", ".join(
            address
            for address in dict.fromkeys([*parsed.from_addresses, parsed.sender_header])
            if address
        )
        named = attendee.address
        if attendee.sent_by:
            named = reason(
                "attendee_sent_by", attendee=attendee.address, sent_by=attendee.sent_by
            ).as_data()
        return reason(
            "sender_not_attendee",
            attendee=named,
            sender=written or reason("unreadable_address").as_data(),
        )
    if sender != attendee.address and not same_side(sender, attendee.address):
        return reason("sent_by_outside", attendee=attendee.address, sent_by=sender)
    verdict = our_servers_verdict(parsed, sender)
    if verdict:
        return reason("forged", verdict=verdict, sender=sender)
    return None
