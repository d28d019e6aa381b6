"""Domain events that cross features, as blinker signals (the library Flask's signals use).

The feature that changes something sends; a feature that must react connects a receiver in its
own package, so that the sender never imports it. Receivers run at once, in the sender's
transaction and before the caller commits, in the order they were connected; an exception in a
receiver reaches the sender's caller as if the receiver had been called directly.

Receivers are connected when their module is imported (`create_app` imports each of them, see
`eventsys._connect_receivers`). blinker keys a receiver by its identity, so importing or building
the app again never connects one twice.
"""

from blinker import Namespace

_signals = Namespace()

session_changed = _signals.signal(
    "session-changed",
    doc="""A session's details were changed and the change recorded.

    The sender is the `Session`; `changes` maps each changed field to its [old, new] values
    (as in the audit trail). `announce` False asks that invitees' calendars are not updated (a
    typo fixed that nobody needs to hear about); `reason` is the organisers' word on a
    cancellation.
    """,
)

answer_recorded = _signals.signal(
    "answer-recorded",
    doc="""An invitee's answer was recorded (by link, calendar reply or by hand) and flushed.

    The sender is the `Invitation`, whose current answer is the new one; its newest
    `InvitationAnswer` is this answer's history row. `previous` is the `Response` it had before.
    """,
)

minutes_approved = _signals.signal(
    "minutes-approved",
    doc="""A version of minutes was approved and stored; its content is frozen from now on.
    Its archival PDF is rendered after the commit (see `document_prepared`).

    The sender is the new `MinutesVersion`.
    """,
)

document_prepared = _signals.signal(
    "document-prepared",
    doc="""A PDF asked for through `eventsys.documents.preparation` was rendered, in the
    renderer's transaction, before it commits.

    The sender is the `PreparedDocument` (ready, with its `subject` and `pdf`). A receiver that
    stores the PDF where it belongs (an approved version of minutes keeps its own) returns True;
    the prepared copy is then deleted in the same transaction instead of being kept.
    """,
)

agenda_item_removing = _signals.signal(
    "agenda-item-removing",
    doc="""An agenda item is about to be deleted; a receiver that must keep it raises
    `SessionError` with the reason, and nothing is deleted.

    The sender is the `AgendaItem`.
    """,
)

experts_invited = _signals.signal(
    "experts-invited",
    doc="""Experts were invited to a session; their invitation mails are queued, to be composed
    after the commit.

    The sender is the `Session`; `experts` lists the experts invited now.
    """,
)
