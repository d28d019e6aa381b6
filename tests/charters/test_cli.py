"""`flask charter pdf` and `flask charter redline`: files written, errors clear."""

import pytest

from eventsys.charters import versions
from eventsys.extensions import db
from tests.charters.conftest import clause_from
from tests.charters.test_document import whole_text
from tests.charters.test_versions import arrange
from tests.pdf.pdf_contents import page_texts


@pytest.fixture
def two_versions(charter, workshops, staff):
    arrange(charter)
    versions.freeze(charter, staff.secretariat)
    db.session.commit()
    clause_from(
        charter, f"E-{workshops.first.id}.1.1"
    ).text_de = "Kommunen entwickeln eine gemeinsame Digitalstrategie mit messbaren Zielen."
    db.session.commit()
    versions.freeze(charter, staff.secretariat)
    db.session.commit()
    return charter


def test_writes_a_version_as_pdf(runner, two_versions, tmp_path):
    output = tmp_path / "charta.pdf"

    result = runner.invoke(
        args=["charter", "pdf", str(two_versions.id), "--version", "0.1", "-o", str(output)]
    )

    assert result.exit_code == 0, result.output
    text = whole_text(output.read_bytes())
    assert "Kommunen entwickeln eine eigene Digitalstrategie" in text
    assert "ENTWURF" not in text
    assert "Wrote version 0.1 (working_draft) in de" in result.stderr


def test_writes_the_working_text_as_a_draft_in_english(runner, two_versions, tmp_path):
    output = tmp_path / "draft.pdf"

    result = runner.invoke(
        args=["charter", "pdf", str(two_versions.id), "-o", str(output), "--language", "en"]
    )

    assert result.exit_code == 0, result.output
    texts = page_texts(output.read_bytes())
    assert all("DRAFT" in text for text in texts)
    assert "Working text, not frozen" in texts[0]
    assert "the working text in en" in result.stderr


def test_writes_both_languages_to_standard_output(runner, two_versions):
    result = runner.invoke(
        args=[
            *("charter", "pdf", str(two_versions.id)),
            *("--version", "0.2", "--language", "both", "--output", "-"),
        ]
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(b"%PDF")
    assert "Deutsch English" in whole_text(result.stdout_bytes)


def test_writes_a_redline(runner, two_versions, tmp_path):
    output = tmp_path / "redline.pdf"

    result = runner.invoke(
        args=[
            *("charter", "redline", str(two_versions.id), "--from", "0.1", "--to", "0.2"),
            *("-o", str(output), "--language", "en"),
        ]
    )

    assert result.exit_code == 0, result.output
    text = whole_text(output.read_bytes())
    assert "Redline: version 0.1 → 0.2" in text
    assert "eigene" in text and "gemeinsame" in text
    assert "1 reworded" in result.stderr


def test_writes_a_redline_against_the_working_text(runner, two_versions, tmp_path):
    output = tmp_path / "redline.pdf"

    result = runner.invoke(
        args=[
            *("charter", "redline", str(two_versions.id), "--from", "0.1", "--to", "draft"),
            *("-o", str(output)),
        ]
    )

    assert result.exit_code == 0, result.output
    assert all("ENTWURF" in text for text in page_texts(output.read_bytes()))


def refused(result, message: str) -> None:
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_an_unknown_charter_is_a_clear_error(runner, app, tmp_path):
    output = tmp_path / "x.pdf"

    result = runner.invoke(args=["charter", "pdf", "999", "-o", str(output)])

    refused(result, "There is no charter 999.")
    assert not output.exists()


@pytest.mark.parametrize(
    "arguments",
    [
        ["pdf", "{id}", "--version", "0.3"],
        ["pdf", "{id}", "--version", "zwei"],
        ["redline", "{id}", "--from", "0.3", "--to", "0.2"],
        ["redline", "{id}", "--from", "0.1", "--to", "1.0"],
    ],
)
def test_an_unknown_version_is_a_clear_error(runner, two_versions, tmp_path, arguments):
    output = tmp_path / "x.pdf"
    arguments = [argument.format(id=two_versions.id) for argument in arguments]

    result = runner.invoke(args=["charter", *arguments, "-o", str(output)])

    refused(result, f"Charter {two_versions.id} has no version")
    assert "(versions: 0.1, 0.2)" in result.output
    assert not output.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["charter", "pdf", "1"], "Missing option '--output'"),
        (["charter", "pdf", "eins", "-o", "x.pdf"], "'eins' is not a valid integer"),
        (["charter", "pdf", "1", "--language", "fr", "-o", "x.pdf"], "'fr' is not one of"),
        (["charter", "redline", "1", "--to", "0.2", "-o", "x.pdf"], "Missing option '--from'"),
    ],
)
def test_wrong_arguments_are_usage_errors(runner, app, arguments, message):
    result = runner.invoke(args=arguments)

    assert result.exit_code == 2
    assert message in result.output
