"""`flask minutes pdf`: stored versions byte for byte, a draft when none is approved, clear
errors."""

import hashlib
from datetime import UTC, datetime

import pytest

from eventsys.extensions import db
from eventsys.minutes import snapshot
from eventsys.minutes.document import Approval, minutes_pdf
from eventsys.minutes.models import Minutes, MinutesVersion
from eventsys.minutes.states import MinutesState
from tests.minutes.conftest import make_plenary
from tests.pdf.pdf_contents import embedded_files, page_texts, reader


def store_version(minutes: Minutes, number: int, reason: str = "") -> MinutesVersion:
    """An approved version as approval stores it: the snapshot and its PDF, rendered once."""
    minutes.version_number = number
    minutes.correction_reason = reason
    content = snapshot.take(minutes)
    approval = Approval(
        number, datetime(2026, 3, 19 + number, 9, tzinfo=UTC), "Maria Muster", reason
    )
    pdf = minutes_pdf(content, language="de", approval=approval)
    version = MinutesVersion(
        minutes=minutes,
        number=number,
        reason=reason,
        content=content,
        approved_at=approval.approved_at,
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
    )
    db.session.add(version)
    minutes.state = MinutesState.APPROVED
    db.session.commit()
    return version


@pytest.fixture
def two_versions(record) -> tuple[bytes, bytes]:
    first = store_version(record.minutes, 1).pdf
    record.minutes.state = MinutesState.DRAFT
    db.session.commit()
    second = store_version(record.minutes, 2, reason="Name in TOP 2 berichtigt").pdf
    return first, second


def test_writes_the_latest_approved_version_as_stored(runner, record, two_versions, tmp_path):
    output = tmp_path / "protokoll.pdf"

    result = runner.invoke(args=["minutes", "pdf", str(record.session.id), "--output", str(output)])

    assert result.exit_code == 0, result.output
    assert output.read_bytes() == two_versions[1]
    assert hashlib.sha256(two_versions[1]).hexdigest() in result.stderr
    assert "version 2" in result.stderr


def test_writes_an_earlier_version_on_request(runner, record, two_versions, tmp_path):
    output = tmp_path / "fassung-1.pdf"

    result = runner.invoke(
        args=["minutes", "pdf", str(record.session.id), "--version", "1", "-o", str(output)]
    )

    assert result.exit_code == 0, result.output
    assert output.read_bytes() == two_versions[0]
    assert reader(output.read_bytes()).xmp_metadata.pdfaid_part == "3"
    assert "minutes.json" in embedded_files(output.read_bytes())


def test_renders_a_draft_while_nothing_is_approved(runner, record, tmp_path):
    output = tmp_path / "entwurf.pdf"

    arguments = ["minutes", "pdf", str(record.session.id), "-o", str(output), "--language", "en"]

    result = runner.invoke(args=arguments)

    assert result.exit_code == 0, result.output
    texts = page_texts(output.read_bytes())
    assert all("DRAFT" in text for text in texts)
    assert "Item 2 – Datenstrategien der Kommunen" in " ".join(texts)
    assert "no version is approved yet" in result.stderr


def test_writes_to_standard_output(runner, record, two_versions):
    result = runner.invoke(args=["minutes", "pdf", str(record.session.id), "--output", "-"])

    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == two_versions[1]


def refused(result, message: str) -> None:
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_unknown_session_is_a_clear_error(runner, app, tmp_path):
    output = tmp_path / "x.pdf"

    result = runner.invoke(args=["minutes", "pdf", "999", "--output", str(output)])

    refused(result, "There is no session 999.")
    assert not output.exists()


def test_a_session_without_minutes_is_a_clear_error(runner, app, tmp_path):
    session = make_plenary(["Begrüßung"])
    db.session.commit()
    output = tmp_path / "x.pdf"

    result = runner.invoke(args=["minutes", "pdf", str(session.id), "--output", str(output)])

    refused(result, f"Session {session.id} has no minutes yet.")
    assert not output.exists()


def test_a_version_that_does_not_exist_is_a_clear_error(runner, record, two_versions, tmp_path):
    output = tmp_path / "x.pdf"

    result = runner.invoke(
        args=["minutes", "pdf", str(record.session.id), "--version", "3", "-o", str(output)]
    )

    refused(result, "no approved version 3 (approved versions: 1, 2)")
    assert not output.exists()


def test_asking_for_a_version_of_unapproved_minutes_does_not_fall_back_to_a_draft(
    runner, record, tmp_path
):
    output = tmp_path / "x.pdf"

    result = runner.invoke(
        args=["minutes", "pdf", str(record.session.id), "--version", "1", "-o", str(output)]
    )

    refused(result, "no approved version 1 (approved versions: none)")
    assert not output.exists()


def test_a_version_whose_pdf_is_still_being_prepared_is_a_clear_error(runner, record, tmp_path):
    record.minutes.state = MinutesState.APPROVED
    db.session.add(
        MinutesVersion(minutes=record.minutes, number=1, content=snapshot.take(record.minutes))
    )
    db.session.commit()
    output = tmp_path / "x.pdf"

    result = runner.invoke(args=["minutes", "pdf", str(record.session.id), "-o", str(output)])

    refused(result, "The PDF of version 1 is not stored yet: it is being prepared")
    assert not output.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["minutes", "pdf", "1"], "Missing option '--output'"),
        (["minutes", "pdf", "eins", "-o", "x.pdf"], "'eins' is not a valid integer"),
        (["minutes", "pdf", "1", "--version", "0", "-o", "x.pdf"], "0 is not in the range x>=1"),
        (["minutes", "pdf", "1", "--language", "fr", "-o", "x.pdf"], "'fr' is not one of"),
    ],
)
def test_wrong_arguments_are_usage_errors(runner, app, arguments, message):
    result = runner.invoke(args=arguments)

    assert result.exit_code == 2
    assert message in result.output
