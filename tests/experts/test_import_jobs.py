"""A CSV upload runs as an import job outside the request: the page shows its progress, then
its report; the upload is not kept once the job is done; a bad row is reported, not raised."""

import io
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from eventsys.database import utcnow
from eventsys.experts import import_jobs
from eventsys.experts.import_jobs import ImportJob, JobState
from eventsys.experts.models import Expert
from eventsys.extensions import db
from tests.conftest import page_text
from tests.experts.test_csv_import import csv_bytes

pytestmark = pytest.mark.usefixtures("app")


def many_rows(count: int, bad_every: int = 0) -> bytes:
    """`count` experts of one new organisation; every `bad_every`-th row has no last name."""
    rows = []
    for number in range(1, count + 1):
        last_name = "" if bad_every and number % bad_every == 0 else f"Nachname{number}"
        rows.append(
            [f"person{number}@ulm.example", f"Vorname{number}", last_name, "", "Stadt Ulm",
             "municipalities", "", "de", "Europe/Berlin", "", ""]
        )  # fmt: skip
    return csv_bytes(rows)


def post_upload(client, data: bytes, button: str = "save"):
    return client.post(
        "/experts/import",
        data={"file": (io.BytesIO(data), "experten.csv"), button: "1"},
        content_type="multipart/form-data",
    )


@pytest.fixture
def app_config():
    # Imports in a thread of the app, as on a single server without a broker.
    return {"EXPERT_IMPORTS": "background"}


def wait_until_finished(client, job_id: int, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        # The test's requests share its session: end its transaction, so that each request
        # sees what the worker has committed since.
        db.session.rollback()
        progress = client.get(f"/experts/import/{job_id}.json").get_json()
        if progress["state"] in ("done", "failed"):
            return progress
        assert time.monotonic() < deadline, progress
        time.sleep(0.1)


def test_2000_rows_are_imported_in_the_background_with_a_report_of_the_bad_ones(
    organiser_client,
):
    response = post_upload(organiser_client, many_rows(2000, bad_every=500))

    assert response.status_code == 302
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    progress = wait_until_finished(organiser_client, job_id)
    assert progress == {"state": "done", "done": 2000, "total": 2000, "stalled": False}
    page = page_text(organiser_client.get(f"/experts/import/{job_id}"))
    assert "Result of the import" in page
    assert "Created: 1996" in page and "Rejected: 4" in page
    assert "501 person500@ulm.example rejected" in page  # line 1 holds the headings
    assert "and 1800 more rows" in page  # the page lists 200 rows, the rejected ones first
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Expert.id))) == 1996
    job = db.session.get(ImportJob, job_id)
    assert job.upload is None  # the file's personal data is not kept once the job is done


def test_a_check_runs_as_a_job_too_and_saves_nothing(organiser_client):
    response = post_upload(organiser_client, many_rows(300), button="check")

    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert wait_until_finished(organiser_client, job_id)["state"] == "done"
    page = page_text(organiser_client.get(f"/experts/import/{job_id}"))
    assert "This was a check only: nothing has been saved" in page
    assert "Created: 300" in page
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Expert.id))) == 0


def test_a_waiting_job_shows_its_progress_and_a_job_runs_once(organiser_client, staff):
    job = import_jobs.create_job(many_rows(20), dry_run=False, user_id=staff.organiser.id)
    db.session.commit()

    page = organiser_client.get(f"/experts/import/{job.id}").get_data(as_text=True)
    assert '<progress id="import-bar" max="20" value="0">' in page
    assert "0 of 20 rows done" in page_text(organiser_client.get(f"/experts/import/{job.id}"))

    assert import_jobs.run(job.id) is JobState.DONE
    assert import_jobs.run(job.id) is None  # a finished job is not run again
    assert db.session.scalar(sa.select(sa.func.count(Expert.id))) == 20


def test_a_file_that_cannot_be_read_is_refused_at_once(organiser_client):
    response = post_upload(organiser_client, b"\xff\xfe\x00garbage")

    assert response.status_code == 200
    assert "experts/import/" not in response.headers.get("Location", "")
    assert db.session.scalar(sa.select(sa.func.count(ImportJob.id))) == 0


def test_only_planners_see_an_import(secretariat_client, staff):
    job = import_jobs.create_job(many_rows(2), dry_run=True, user_id=staff.organiser.id)
    db.session.commit()

    assert secretariat_client.get(f"/experts/import/{job.id}").status_code == 403
    assert secretariat_client.get(f"/experts/import/{job.id}.json").status_code == 403


def stall(job_id: int, minutes: int = 10) -> None:
    """As if the job's worker had been stopped `minutes` ago, after it took the job."""
    db.session.execute(
        sa.update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(state=JobState.RUNNING, progressed_at=utcnow() - timedelta(minutes=minutes))
    )
    db.session.commit()


def test_a_stalled_import_says_so_and_can_be_continued(organiser_client):
    job = import_jobs.create_job(many_rows(30), dry_run=False, user_id=None)
    db.session.commit()
    stall(job.id)

    page = page_text(organiser_client.get(f"/experts/import/{job.id}"))
    assert "has not moved on for a while" in page
    assert organiser_client.get(f"/experts/import/{job.id}.json").get_json()["stalled"] is True

    response = organiser_client.post(f"/experts/import/{job.id}/continue")
    assert response.status_code == 302
    assert wait_until_finished(organiser_client, job.id)["state"] == "done"
    assert db.session.scalar(sa.select(sa.func.count(Expert.id))) == 30
    assert "has not moved on" not in page_text(organiser_client.get(f"/experts/import/{job.id}"))


def test_a_job_that_moves_on_is_not_taken_by_a_second_worker(organiser_client):
    job = import_jobs.create_job(many_rows(10), dry_run=False, user_id=None)
    db.session.commit()
    stall(job.id, minutes=0)  # running, and moved on just now

    assert not job.stalled
    assert import_jobs.run(job.id) is None
    response = organiser_client.post(f"/experts/import/{job.id}/continue")
    assert response.status_code == 302
    db.session.expire_all()
    assert job.state is JobState.RUNNING and job.rows_done == 0

    stall(job.id)
    assert import_jobs.run(job.id) is JobState.DONE
    assert db.session.scalar(sa.select(sa.func.count(Expert.id))) == 10
