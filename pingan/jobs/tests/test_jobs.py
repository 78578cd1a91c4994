"""Jobs: claimed once however many workers ask, recovered after a crash, given up
after three, and an upload's import run by the worker rather than the web process."""

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.utils import timezone
from openpyxl import Workbook

from pingan.conftest import signed_in
from pingan.jobs.handlers import register
from pingan.jobs.models import Job
from pingan.jobs.services import job_claim, job_enqueue, job_execute, job_recover

RAN: list[int] = []


def _count(job, progress):
    RAN.append(job.pk)
    progress(1, 1)
    return "ok"


def _given_up(job, message):
    RAN.append(-job.pk)


register("test.count", _count, _given_up)


@pytest.fixture(autouse=True)
def clean_ran():
    RAN.clear()


def test_a_job_is_claimed_by_one_worker_only(db):
    job = job_enqueue(kind="test.count")
    assert job_claim("a").pk == job.pk
    assert job_claim("b") is None
    claimed = Job.objects.get()
    assert (claimed.status, claimed.worker, claimed.attempts) == ("running", "a", 1)
    done = job_execute(claimed)
    assert done.status == "done" and (done.done, done.total) == (1, 1) and [job.pk] == RAN


def test_many_workers_at_once_never_run_a_job_twice(db):
    """Four threads, each with its own PostgreSQL connection, claim 30 committed jobs."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's (SKIP LOCKED)")
    import psycopg

    params = connection.get_connection_params()
    outside = psycopg.connect(
        dbname=connection.settings_dict["NAME"],
        **{k: params[k] for k in ("host", "port", "user") if k in params},
        autocommit=True,
    )
    ids = [
        outside.execute(
            "INSERT INTO jobs_job (kind, args, status, done, total, message, worker, attempts,"
            " created_at) VALUES ('test.count', '{}', 'pending', 0, 0, '', '', 0, now())"
            " RETURNING id"
        ).fetchone()[0]
        for _ in range(30)
    ]
    claimed: list[int] = []
    lock = threading.Lock()

    def worker(name):
        try:
            while (job := job_claim(name)) is not None:
                with lock:
                    claimed.append(job.pk)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(claimed) == ids  # each exactly once
        rows = outside.execute(
            "SELECT count(DISTINCT worker), sum(attempts) FROM jobs_job WHERE id = ANY(%s)", [ids]
        ).fetchone()
        assert rows[1] == 30 and rows[0] >= 1
    finally:
        outside.execute("DELETE FROM jobs_job WHERE id = ANY(%s)", [ids])
        outside.close()


def test_a_job_whose_process_died_is_queued_again_then_given_up(db, settings):
    job = job_enqueue(kind="test.count")
    later = timezone.now() + dt.timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    for attempt in range(1, 4):
        assert job_claim("crashy").attempts == attempt
        assert job_recover(later) == 1
    job.refresh_from_db()
    assert job.status == "failed" and "已放弃" in job.message and [-job.pk] == RAN


def test_a_live_job_is_left_alone(db):
    job = job_enqueue(kind="test.count")
    job_claim("busy")
    assert job_recover() == 0
    job.refresh_from_db()
    assert job.status == "running"


def upload(rows):
    from pingan.registry import columns

    book = Workbook()
    book.active.append(columns.headers("people"))
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "people.xlsx"
    return data


def test_an_upload_is_queued_and_the_worker_imports_it(tree, personas, settings):
    from pingan.registry.models import ImportJob

    settings.IMPORT_IN_BACKGROUND = True
    officer = signed_in(personas.village_officer)
    response = officer.post("/data/import/", {"kind": "people", "file": upload([])})
    imported = ImportJob.objects.get()
    assert response["Location"] == f"/data/import/{imported.pk}/"
    assert imported.status == "pending" and Job.objects.get().kind == "registry.import"
    assert "排队中" in officer.get(f"/data/import/{imported.pk}/").content.decode()
    call_command("worker", "--once")
    imported.refresh_from_db()
    assert imported.status in ("done", "refused") and Job.objects.get().status == "done"


def test_an_import_given_up_says_so_on_its_page(tree, personas, settings):
    from pingan.registry.models import ImportJob

    settings.IMPORT_IN_BACKGROUND = True
    officer = signed_in(personas.village_officer)
    officer.post("/data/import/", {"kind": "people", "file": upload([])})
    later = timezone.now() + dt.timedelta(seconds=settings.JOB_STALE_SECONDS + 1)
    for _ in range(3):
        job_claim("crashy")
        job_recover(later)
    imported = ImportJob.objects.get()
    assert imported.status == "failed" and "请重新上传" in imported.errors[0][2]
