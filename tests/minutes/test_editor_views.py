"""The minutes editor over HTTP, as a browser without JavaScript uses it (the whole form in one
POST, buttons that save first) and as the editor's script does (the same POST, JSON back)."""

import re
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from eventsys.extensions import db
from eventsys.minutes import editing
from eventsys.minutes.models import ActionItem, Minutes, MinutesTopic
from eventsys.minutes.states import MinutesState
from tests.conftest import page_text, reading_english, sign_in
from tests.minutes.conftest import build_record, fill_topic, make_people, make_plenary

JSON = {"Accept": "application/json"}


@pytest.fixture
def staff(staff):
    return reading_english(staff)


@pytest.fixture
def writer(client, staff):
    return sign_in(client, staff.secretariat)


class _EditorFields(HTMLParser):
    """The fields of the editor form with the values a browser would send."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self._in_form = self._in_template = False
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id") == "minutes-editor":
            self._in_form = True
        elif tag == "template":
            self._in_template = True
        if not self._in_form or self._in_template:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            self.fields[name] = attributes.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select":
            self._select = name
            self.fields[name] = ""
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields[self._select] = attributes.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "template":
            self._in_template = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            # A browser drops the line break that follows <textarea>.
            self.fields[self._textarea] += data.removeprefix("\r\n").removeprefix("\n")


def editor_fields(response) -> dict[str, str]:
    parser = _EditorFields()
    parser.feed(response.get_data(as_text=True))
    assert "revision" in parser.fields, "no editor form on the page"
    return parser.fields


def edit_url(session) -> str:
    return f"/minutes/session/{session.id}"


def stored(session_id: int) -> Minutes:
    db.session.rollback()
    db.session.expire_all()
    return editing.load_minutes(session_id)


# Opening the editor


def test_the_first_visit_starts_the_minutes_from_the_agenda(app, writer):
    make_people()
    session = make_plenary(["Begrüßung", "Datenräume"])
    db.session.commit()

    response = writer.get(edit_url(session))

    assert response.status_code == 200
    fields = editor_fields(response)
    assert fields["topics-0-title"] == "Begrüßung"
    assert fields["topics-1-title"] == "Datenräume"
    assert fields["revision"] == "1"
    minutes = stored(session.id)
    assert [topic.title for topic in minutes.topics] == ["Begrüßung", "Datenräume"]


def test_the_editor_offers_owners_grouped_and_the_four_guidelines(app, writer, record):
    html = writer.get(edit_url(record.session)).get_data(as_text=True)

    experts = re.search(r'<optgroup label="Experts">(.*?)</optgroup>', html, re.S).group(1)
    organisations = re.search(r'<optgroup label="Organisations">(.*?)</optgroup>', html, re.S)
    assert "Schmidt, Anna (Stadt Köln)" in experts
    assert "BBSR" in organisations.group(1)
    assert "2. Digital transformation needs transparency, participation and co-creation" in html
    assert 'id="row-template-action_items"' in html


def test_the_session_page_links_to_the_minutes(app, writer, record):
    html = writer.get(f"/sessions/{record.session.id}").get_data(as_text=True)

    assert f'href="{edit_url(record.session)}"' in html


# Saving without JavaScript


def test_the_whole_form_is_saved_in_one_post(app, writer, record, staff):
    fields = editor_fields(writer.get(edit_url(record.session)))
    fields["opening"] = "Die Leitung eröffnet die Sitzung."
    fields["next_session_date"] = "2026-07-02"
    fields["topics-1-discussion"] = "Neue **Diskussion**.\r\nZweite Zeile."
    fields["topics-0-action_items-1-owner"] = f"expert:{record.people.claire.id}"
    fields["topics-0-action_items-1-due_date"] = "2026-05-15"
    fields["topics-2-recommendations-1-actors"] = "  Bund, Länder  "

    response = writer.post(edit_url(record.session), data=fields)

    assert response.status_code == 302
    minutes = stored(record.session.id)
    assert minutes.revision == 2
    assert minutes.opening == "Die Leitung eröffnet die Sitzung."
    assert minutes.next_session_date == date(2026, 7, 2)
    assert minutes.topics[1].discussion == "Neue **Diskussion**.\nZweite Zeile."
    item = minutes.topics[0].action_items[1]
    assert (item.owner_expert_id, item.owner_organisation_id) == (record.people.claire.id, None)
    assert item.due_date == date(2026, 5, 15)
    assert minutes.topics[2].recommendations[1].actors == "Bund, Länder"
    assert "Saved at" in page_text(writer.get(response.headers["Location"]))


def test_add_a_row_saves_first_and_comes_back_with_an_empty_row(app, writer, record):
    fields = editor_fields(writer.get(edit_url(record.session)))
    fields["topics-1-discussion"] = "Vor dem Hinzufügen getippt."
    fields["action"] = "add-decisions:topics-1"

    response = writer.post(edit_url(record.session), data=fields)

    minutes = stored(record.session.id)
    assert minutes.topics[1].discussion == "Vor dem Hinzufügen getippt."
    location = response.headers["Location"]
    assert f"topic={minutes.topics[1].id}" in location
    assert location.endswith("#top-2")
    fields = editor_fields(writer.get(location))
    assert fields["topics-1-decisions-2-text"] == ""
    assert fields["topics-1-decisions-2-id"] == ""

    fields["topics-1-decisions-2-text"] = "Neuer Beschluss"
    writer.post(edit_url(record.session), data=fields)
    assert [d.text for d in stored(record.session.id).topics[1].decisions][-1] == "Neuer Beschluss"


def test_an_empty_new_row_is_not_saved(app, writer, record):
    fields = editor_fields(writer.get(f"{edit_url(record.session)}?add=topic"))
    assert fields["topics-3-title"] == ""

    writer.post(edit_url(record.session), data=fields)

    minutes = stored(record.session.id)
    assert len(minutes.topics) == 3
    assert minutes.revision == 1


def test_a_new_topic_is_added_at_the_end(app, writer, record):
    fields = editor_fields(writer.get(f"{edit_url(record.session)}?add=topic"))
    fields["topics-3-title"] = "Verschiedenes"
    fields["topics-3-discussion"] = "Keine Wortmeldungen."

    writer.post(edit_url(record.session), data=fields)

    topic = stored(record.session.id).topics[3]
    assert (topic.position, topic.title, topic.agenda_item_id) == (4, "Verschiedenes", None)
    assert "Not on the agenda." in page_text(writer.get(edit_url(record.session)))


def test_remove_and_move_buttons(app, writer, record):
    minutes = stored(record.session.id)
    first, second, third = (topic.id for topic in minutes.topics)
    kept_decision = minutes.topics[0].decisions[1].id
    fields = editor_fields(writer.get(edit_url(record.session)))

    writer.post(edit_url(record.session), data=fields | {"action": "remove:topics-0-decisions-0"})
    fields = editor_fields(writer.get(edit_url(record.session)))
    writer.post(edit_url(record.session), data=fields | {"action": "down:topics-0"})
    fields = editor_fields(writer.get(edit_url(record.session)))
    writer.post(edit_url(record.session), data=fields | {"action": "remove:topics-2"})

    minutes = stored(record.session.id)
    assert [topic.id for topic in minutes.topics] == [second, first]
    assert [decision.id for decision in minutes.topics[1].decisions] == [kept_decision]
    assert db.session.get(MinutesTopic, third) is None


# Bad input


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"topics-0-title": ""}, "Enter the title of the TOP."),
        ({"topics-0-action_items-0-owner": "expert:999999"}, "no longer in the directory"),
        ({"topics-0-action_items-0-owner": "jemand"}, "Choose the owner from the list."),
        ({"topics-0-action_items-0-due_date": "31.02.2026"}, "date"),
        ({"topics-0-recommendations-0-guideline": ""}, "Choose the guideline"),
        ({"topics-0-recommendations-0-guideline": "999"}, "This guideline does not exist."),
        ({"topics-0-discussion": "> " * 40 + "tief"}, "levels deep"),
        ({"opening": "x" * 60_000}, "too long"),
        ({"topics-0-decisions-0-id": "abc"}, "The form is damaged"),
        ({"revision": ""}, "The form is incomplete"),
        ({"revision": "zwei"}, "The form is damaged"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_changes(
    app, writer, record, changes, message
):
    fields = editor_fields(writer.get(edit_url(record.session)))
    fields["closing"] = "Dieser Text wird nicht gespeichert, bleibt aber im Formular."

    response = writer.post(edit_url(record.session), data=fields | changes)

    assert response.status_code == 200
    text = page_text(response)
    assert "Not saved. Please correct the following:" in text
    assert message in text
    assert editor_fields(response)["closing"] == fields["closing"]
    minutes = stored(record.session.id)
    assert minutes.revision == 1
    assert minutes.closing == "Die Leitung dankt allen für die Mitarbeit."


def test_a_problem_points_at_its_field(app, writer, record):
    fields = editor_fields(writer.get(edit_url(record.session)))
    fields["topics-1-action_items-1-text"] = "  "

    html = writer.post(edit_url(record.session), data=fields).get_data(as_text=True)

    assert '<a href="#topics-1-action_items-1-text">TOP 2, action item 2: Action item:' in html
    assert 'aria-describedby="topics-1-action_items-1-text-error"' in html


def test_an_empty_post_is_answered_with_the_editor(app, writer, record):
    response = writer.post(edit_url(record.session), data={})

    assert response.status_code == 200
    assert "The form is incomplete" in page_text(response)


def test_an_unknown_session_is_not_found(app, writer):
    assert writer.get("/minutes/session/4242").status_code == 404


# Two people at once


def test_a_late_save_shows_the_conflict_and_keeps_the_text(app, client, staff, record):
    url = edit_url(record.session)
    sign_in(client, staff.secretariat)
    my_fields = editor_fields(client.get(url))
    # The organiser's requests run in an app context of their own, as in production: the
    # test's context (with its signed-in user) would otherwise be shared.
    with app.app_context():
        organiser = sign_in(app.test_client(), staff.organiser)
        organisers_fields = editor_fields(organiser.get(url))
        organisers_fields["topics-0-discussion"] = "Fassung der Organisatorin"
        assert organiser.post(url, data=organisers_fields).status_code == 302

    my_fields["topics-0-discussion"] = "Fassung der Geschäftsstelle"
    response = client.post(url, data=my_fields)

    assert response.status_code == 409
    text = page_text(response)
    assert f"{staff.organiser.name} saved these minutes on" in text
    fields = editor_fields(response)
    assert fields["topics-0-discussion"] == "Fassung der Geschäftsstelle"
    assert fields["revision"] == "2"
    conflict = response.get_data(as_text=True).split('id="minutes-editor"')[0]
    assert "Fassung der Organisatorin" in conflict
    assert stored(record.session.id).topics[0].discussion == "Fassung der Organisatorin"

    # With the other version in view, saving again is a decision: it goes through.
    assert client.post(url, data=fields).status_code == 302
    minutes = stored(record.session.id)
    assert minutes.topics[0].discussion == "Fassung der Geschäftsstelle"
    assert minutes.revision == 3


# The editor's script: the same POST, answered in JSON


def test_autosave_answers_with_the_revision_the_new_ids_and_a_status(app, writer, record):
    third_topic = stored(record.session.id).topics[2].id
    fields = editor_fields(
        writer.get(f"{edit_url(record.session)}?add=action_items&topic={third_topic}")
    )
    fields["topics-2-action_items-2-text"] = "Protokoll verteilen"
    fields["topics-2-action_items-2-owner"] = f"organisation:{record.people.bbsr.id}"

    response = writer.post(edit_url(record.session), data=fields, headers=JSON)

    assert response.status_code == 200
    answer = response.get_json()
    minutes = stored(record.session.id)
    new_item = minutes.topics[2].action_items[2]
    assert answer["revision"] == 2
    assert answer["ids"]["topics-2-action_items-2"] == new_item.id
    assert answer["ids"]["topics-0"] == minutes.topics[0].id
    assert re.fullmatch(r"Saved at \d\d:\d\d\.", answer["status"])

    # The script puts the new id in the form: the next autosave changes that row.
    fields["topics-2-action_items-2-id"] = str(new_item.id)
    fields["topics-2-action_items-2-text"] = "Protokoll an alle verteilen"
    fields["revision"] = "2"
    assert writer.post(edit_url(record.session), data=fields, headers=JSON).status_code == 200
    items = stored(record.session.id).topics[2].action_items
    assert [item.text for item in items][2:] == ["Protokoll an alle verteilen"]


def test_autosave_with_a_problem_answers_422(app, writer, record):
    fields = editor_fields(writer.get(edit_url(record.session)))
    fields["topics-0-title"] = ""

    response = writer.post(edit_url(record.session), data=fields, headers=JSON)

    assert response.status_code == 422
    assert response.get_json()["problems"] == [
        "TOP 1: Title of the TOP: Enter the title of the TOP."
    ]


def test_autosave_after_someone_elses_save_answers_409_with_their_version(
    app, writer, record, staff
):
    url = edit_url(record.session)
    fields = editor_fields(writer.get(url))
    minutes = stored(record.session.id)
    changes = editing.changes_from(minutes)
    editing.save(
        minutes,
        replace(changes, closing="Von der Organisatorin geändert"),
        based_on_revision=1,
        user=staff.organiser,
    )
    db.session.commit()

    fields["opening"] = "Meine Eröffnung"
    response = writer.post(url, data=fields, headers=JSON)

    assert response.status_code == 409
    answer = response.get_json()
    assert answer["revision"] == 2
    assert f"{staff.organiser.name} saved these minutes" in answer["conflict"]
    assert "Von der Organisatorin geändert" in answer["conflict"]
    assert stored(record.session.id).opening != "Meine Eröffnung"


# Approved minutes


def test_approved_minutes_are_shown_read_only(app, writer, record):
    record.minutes.state = MinutesState.APPROVED
    db.session.commit()

    response = writer.get(edit_url(record.session))

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="minutes-editor"' not in html
    assert "<strong>Thema 1</strong>" in html
    assert "shown read-only" in page_text(response)
    assert f"E-{record.session.id}.2.1" in html


def test_a_save_after_approval_is_refused_and_the_text_stays(app, writer, record):
    fields = editor_fields(writer.get(edit_url(record.session)))
    db.session.execute(
        sa.update(Minutes)
        .where(Minutes.id == record.minutes.id)
        .values(state=MinutesState.APPROVED)
    )
    db.session.commit()
    fields["opening"] = "Zu spät geschrieben"

    response = writer.post(edit_url(record.session), data=fields)

    assert response.status_code == 409
    assert "start a correction" in page_text(response)
    assert editor_fields(response)["opening"] == "Zu spät geschrieben"
    json_answer = writer.post(edit_url(record.session), data=fields, headers=JSON)
    assert json_answer.status_code == 409
    assert "revision" not in json_answer.get_json()


# Action items from earlier sessions


def test_open_action_items_from_earlier_sessions_are_listed(app, writer, record):
    text = page_text(writer.get(edit_url(record.session)))

    assert f"A-{record.earlier.id}.1.1 Leitfaden Datenräume vorlegen" in text
    assert "Owner: BBSR" in text
    assert f"A-{record.earlier.id}.1.2 Umfrage auswerten" in text
    assert "Closed in these minutes on" in text
    assert "Bereits erledigte Aufgabe" not in text


def test_closing_and_reopening_from_the_editor(app, writer, record):
    base = f"{edit_url(record.session)}/action-items/{record.still_open.id}"

    response = writer.post(f"{base}/close", data={"note": "Liegt vor."})

    assert response.headers["Location"].endswith("#carried-over")
    item = db.session.get(ActionItem, record.still_open.id)
    db.session.refresh(item)
    assert item.closed_in_minutes_id == record.minutes.id
    assert item.closed_note == "Liegt vor."
    assert "has been closed" in page_text(writer.get(response.headers["Location"]))

    writer.post(f"{base}/reopen")
    db.session.refresh(item)
    assert item.closed_at is None


def test_closing_an_item_of_this_session_is_refused_with_a_message(app, writer, record):
    own = record.minutes.topics[0].action_items[0]

    response = writer.post(
        f"{edit_url(record.session)}/action-items/{own.id}/close", data={"note": ""}
    )

    assert response.status_code == 302
    assert "Only action items from earlier sessions" in page_text(
        writer.get(response.headers["Location"])
    )
    db.session.refresh(own)
    assert own.closed_at is None


def test_an_overlong_closing_note_is_refused(app, writer, record):
    response = writer.post(
        f"{edit_url(record.session)}/action-items/{record.still_open.id}/close",
        data={"note": "x" * 2001},
    )

    assert "2000" in page_text(writer.get(response.headers["Location"]))
    db.session.refresh(record.still_open)
    assert record.still_open.closed_at is None


# A fixed number of queries


def test_the_editor_needs_as_many_queries_for_20_topics_as_for_2(app, writer, count_queries):
    record = build_record(2)
    url = edit_url(record.session)
    writer.get(url)
    # The test shares the database session with the requests: start both from the same state.
    db.session.expire_all()
    with count_queries() as two_topics:
        writer.get(url)
    for position in range(3, 21):
        topic = MinutesTopic(position=position, title=f"Thema {position}")
        record.minutes.topics.append(topic)
        fill_topic(topic, record.people)
    db.session.commit()
    db.session.expire_all()

    with count_queries() as twenty_topics:
        response = writer.get(url)

    assert editor_fields(response)["topics-19-recommendations-1-text"].startswith("Der Bund")
    assert twenty_topics.count == two_topics.count
