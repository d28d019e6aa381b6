"""German texts that speak of a named person assume no gender: where English says "their"
about %(name)s, German must not say "ihrer" or "seiner" (the deputy mail once invited a man
"an ihrer Stelle"). The person is named again, or called "die Person", or the sentence is
turned so that no pronoun is needed."""

import re

from tools.catalogues import extract, read_catalogue

# Placeholders that stand for a person.
PERSON = re.compile(r"%\((name|attendee|invitee|deputy|sender)\)s")
# English that refers back to that person without a gender.
ENGLISH_BACK_REFERENCE = re.compile(r"\b(they|their|them)\b")
# German pronouns that would give the person a gender (or, "deren"/"dessen", read as one).
GENDERED = re.compile(
    r"\b(er|ihn|ihm|sein|seine|seiner|seinen|seinem|seines|ihr|ihre|ihrer|ihren|ihrem|ihres"
    r"|deren|dessen)\b"
)


def test_no_german_text_guesses_the_gender_of_a_named_person():
    wanted = {message.id for message in extract() if message.id}
    guesses = []
    for message in read_catalogue("de"):
        if message.id not in wanted or not message.string:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        if not any(PERSON.search(s) and ENGLISH_BACK_REFERENCE.search(s) for s in sources):
            continue
        guesses += [target for target in targets if GENDERED.search(target)]
    assert guesses == []
