"""Long jobs (lianxin/ops/longjobs.py): queued by a service, run by the worker's heavy loop with progress from a
thread of its own, cancelled, failed when their worker died, their files purged after the retention period."""

import datetime
import os
import socket
import subprocess
import sys
import time

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone

from lianxin.accounts.roles import Perm
from lianxin.cases.intake.draft import CaseDraft
from lianxin.core.errors import DomainError, ImportRejected, NotFound, PermissionDenied, RowError
from lianxin.core.models import AuditEvent
from lianxin.ops import longjobs
from lianxin.ops.heartbeat import heartbeat_reset, process_name
from lianxin.ops.longjobs import (
    JobKind,
    Output,
    job_cancel,
    job_file_open,
    job_get_visible_to,
    job_start,
    jobs_visible_to,
    longjobs_fail_orphaned,
    longjobs_purge,
    longjobs_run,
)
from lianxin.ops.models import JobStatus, LongJob, WorkerHeartbeat
from lianxin.regions.models import Region, RegionLevel


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path, monkeypatch):
    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(longjobs, "REPORT_EVERY", 0.05)


@pytest.fixture
def kind():
    """Registers a kind for one test: kind(run, name=…) -> its name."""
    added: list[str] = []

    def register(run, name="test_kind", perm=Perm.HANDLE_CASES, upload=False) -> str:
        longjobs.kind_register(JobKind(name=name, label="测试任务", perm=perm, run=run, upload=upload))
        added.append(name)
        return name

    yield register
    for name in added:
        longjobs.KINDS.pop(name, None)


def actions(job: LongJob) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="ops.longjob", object_id=str(job.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def wait_for(predicate, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_in_the_worker_and_reports_its_progress_while_it_runs(personas, kind):
    seen: list[tuple[int, int, str]] = []

    def run(job, params, progress):
        assert longjobs_fail_orphaned() == 0  # another worker's round meanwhile leaves a live job alone
        for done in range(3):
            progress(done, 3, f"第{done + 1}步")
            # The page reads this row while the job runs.
            wait_for(lambda d=done: LongJob.objects.filter(pk=job.pk, done=d, total=3).exists())
            row = LongJob.objects.get(pk=job.pk)
            seen.append((row.done, row.total, row.message))
        return Output(message=f"完成，参数 {params['n']}", file_name="结果.txt", file_data="三行".encode())

    name = kind(run)
    job = job_start(actor=personas.township_staff, kind=name, params={"n": 3})
    heartbeat_reset()
    assert job.status == JobStatus.QUEUED and job.region == personas.township_staff.role_assignments.get().region

    assert longjobs_run() == 1

    assert seen == [(0, 3, "第1步"), (1, 3, "第2步"), (2, 3, "第3步")]
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.message) == (JobStatus.DONE, 3, 3, "完成，参数 3")
    assert job.started_at and job.finished_at and job.worker.endswith(f":{os.getpid()}")
    assert job.result_name == "结果.txt" and "/media/" not in job.result_path
    with job_file_open(job) as handle:
        assert handle.read().decode() == "三行"
    assert actions(job) == ["longjob.start", "longjob.run", "longjob.done"]
    assert WorkerHeartbeat.objects.filter(name=process_name()).exists()  # the worker beats while the job runs
    assert longjobs_run() == 0  # nothing queued


@pytest.mark.django_db(transaction=True)
def test_cancel_stops_a_running_job_and_rolls_back_what_it_wrote(personas, regions, kind):
    from django.db import transaction

    steps = []

    def run(job, params, progress):
        job_cancel(actor=personas.county_staff, job=job)  # as if the clerk clicked 取消 now, in the web process
        with transaction.atomic():
            Region.objects.create(code="330521999000", name="临时", level=RegionLevel.TOWNSHIP, path="x/")
            for step in range(500):
                progress(step, 500, "写入")
                steps.append(step)
                time.sleep(0.01)
        return Output(message="不应完成")

    job = job_start(actor=personas.county_staff, kind=kind(run))
    longjobs_run()

    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and job.cancel_requested
    assert len(steps) < 500
    assert not Region.objects.filter(code="330521999000").exists()
    assert actions(job) == ["longjob.start", "longjob.run", "longjob.cancel_request", "longjob.cancelled"]


def test_a_queued_job_is_cancelled_at_once_and_only_by_its_owner(personas, kind):
    job = job_start(actor=personas.township_staff, kind=kind(lambda *a: Output("x")))
    with pytest.raises(PermissionDenied):
        job_cancel(actor=personas.county_staff, job=job)  # sees it, did not start it

    job = job_cancel(actor=personas.township_staff, job=job)

    assert job.status == JobStatus.CANCELLED and job.finished_at is not None
    assert longjobs_run() == 0
    with pytest.raises(DomainError):
        job_cancel(actor=personas.township_staff, job=job)
    assert actions(job) == ["longjob.start", "longjob.cancel"]


def test_a_rejected_import_keeps_its_row_numbered_errors(personas, kind):
    def run(job, params, progress):
        assert longjobs.upload_read(job) == b"a,b\n"
        raise ImportRejected([RowError(3, "手机号", "不是有效的手机号"), RowError(5, "姓名", "不能为空")])

    job = job_start(actor=personas.county_staff, kind=kind(run, upload=True), upload=("名册.csv", b"a,b\n"))
    longjobs_run()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.errors == [
        {"row": 3, "column": "手机号", "message": "不是有效的手机号"},
        {"row": 5, "column": "姓名", "message": "不能为空"},
    ]
    assert "共2处错误" in job.message


def test_an_import_needs_its_file_and_a_kind_needs_its_permission(personas, kind):
    name = kind(lambda *a: Output("x"), upload=True)
    with pytest.raises(DomainError) as refused:
        job_start(actor=personas.county_staff, kind=name)
    assert refused.value.field == "file"
    with pytest.raises(PermissionDenied):
        job_start(actor=personas.deputy, kind=name, upload=("a.csv", b"x"))
    with pytest.raises(NotFound):
        job_start(actor=personas.county_staff, kind="no_such_kind")
    assert not LongJob.objects.exists()


def test_an_unexpected_error_fails_the_job_with_a_plain_message(personas, kind, caplog):
    def run(job, params, progress):
        raise ValueError("boom")

    job = job_start(actor=personas.county_staff, kind=kind(run))
    longjobs_run()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "内部错误" in job.message and "boom" not in job.message


def test_others_see_a_job_only_where_they_hold_its_permission(personas, kind):
    name = kind(lambda *a: Output("x"))
    township_job = job_start(actor=personas.township_staff, kind=name)  # 武康街道
    county_job = job_start(actor=personas.county_staff, kind=name)  # 德清县

    assert set(jobs_visible_to(personas.county_staff)) == {township_job, county_job}
    assert set(jobs_visible_to(personas.township_staff)) == {township_job}
    assert set(jobs_visible_to(personas.outsider)) == set()  # 乾元镇
    assert set(jobs_visible_to(personas.deputy)) == set()  # no handle_cases
    with pytest.raises(NotFound):
        job_get_visible_to(user=personas.outsider, job_id=township_job.pk)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_job_interrupted_by_a_worker_death_is_failed_on_restart(personas, kind):
    name = kind(lambda *a: Output("x"))
    now = timezone.now()
    here = socket.gethostname()

    def running(worker: str, beat: datetime.datetime) -> LongJob:
        job = job_start(actor=personas.county_staff, kind=name)
        LongJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, worker=worker, started_at=beat, beat_at=beat)
        return job

    died_here = running(f"{here}:{_dead_pid()}", now)
    # This process's number, but not running here: the worker before a container's restart had the same pid.
    same_pid_before_restart = running(f"{here}:{os.getpid()}", now)
    alive_here = running(f"{here}:{os.getppid()}", now - datetime.timedelta(minutes=1))
    elsewhere_alive = running("other-host:123", now - datetime.timedelta(minutes=1))
    elsewhere_silent = running("other-host:456", now - datetime.timedelta(minutes=30))

    call_command("run_worker", "--once", "--job", "longjobs_run")

    statuses = dict(LongJob.objects.values_list("pk", "status"))
    assert statuses[died_here.pk] == statuses[same_pid_before_restart.pk] == JobStatus.FAILED
    assert statuses[elsewhere_silent.pk] == JobStatus.FAILED
    assert statuses[alive_here.pk] == statuses[elsewhere_alive.pk] == JobStatus.RUNNING
    died_here.refresh_from_db()
    assert died_here.message == longjobs.ORPHANED_MESSAGE and died_here.finished_at is not None
    assert actions(died_here) == ["longjob.start", "longjob.failed"]
    assert longjobs_fail_orphaned() == 0


def test_two_claims_take_different_jobs(personas, kind):
    name = kind(lambda *a: Output("x"))
    first, second = (job_start(actor=personas.county_staff, kind=name) for _ in range(2))
    claimed = [longjobs._claim(), longjobs._claim(), longjobs._claim()]
    assert [job.pk if job else None for job in claimed] == [first.pk, second.pk, None]


def test_files_and_rejected_rows_are_purged_after_the_retention_period(personas, kind, settings):
    settings.RETENTION_JOB_FILES_DAYS = 7

    def run(job, params, progress):
        return Output(message="好", file_name="r.xlsx", file_data=b"data")

    old = job_start(actor=personas.county_staff, kind=kind(run, upload=True), upload=("in.csv", b"in"))
    longjobs_run()
    old.refresh_from_db()
    storage = longjobs._storage()
    paths = [old.upload_path, old.result_path]
    assert all(storage.exists(path) for path in paths)
    LongJob.objects.filter(pk=old.pk).update(errors=[{"row": 2, "column": "a", "message": "b"}])
    fresh = job_start(actor=personas.county_staff, kind=old.kind, upload=("in.csv", b"in"))

    assert longjobs_purge(now=timezone.now() + datetime.timedelta(days=6)) == 0
    assert longjobs_purge(now=timezone.now() + datetime.timedelta(days=8)) == 1

    old.refresh_from_db()
    assert not any(storage.exists(path) for path in paths)
    assert (old.upload_path, old.result_path, old.errors) == ("", "", [])
    assert old.upload_name == "in.csv"  # the record of what was run stays
    assert storage.exists(LongJob.objects.get(pk=fresh.pk).upload_path)  # not finished: kept
    assert actions(old)[-1] == "longjob.purge"
    with pytest.raises(NotFound):
        job_file_open(old)


def test_the_ledger_export_job_writes_the_ledger_of_the_owners_scope(personas, regions):
    from lianxin.cases.models import Channel
    from lianxin.cases.services import case_register

    for region, title in ((regions.jueren, "居仁路路灯不亮"), (regions.chengdong, "城东村道路坑洼")):
        case_register(
            actor=personas.county_staff,
            draft=CaseDraft(channel=Channel.VISIT, title=title, body=title * 3, region=region),
        )
    with pytest.raises(DomainError):
        job_start(actor=personas.township_staff, kind="ledger_export", params={"region": regions.qianyuan.code})

    job = job_start(actor=personas.township_staff, kind="ledger_export", params={"registered_from": "2020-01-01"})
    longjobs_run()

    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result_name.startswith("意见建议台账") and job.total == 1
    with job_file_open(job) as handle:
        sheet = openpyxl.load_workbook(handle, read_only=True).active
        titles = [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["居仁路路灯不亮"]  # 乾元镇's case is outside 武康街道


def test_job_files_live_outside_the_published_media_folder():
    from lianxin import settings as project

    assert not str(project.PRIVATE_FILES_ROOT).startswith(str(project.MEDIA_ROOT))


def test_the_commands_that_run_the_same_functions_show_progress_on_the_terminal(personas, regions, tmp_path):
    import io

    from lianxin.cases.tests.test_hotline import good_sheet

    sheet = tmp_path / "工单.xlsx"
    sheet.write_bytes(good_sheet())
    err, out = io.StringIO(), io.StringIO()
    call_command("import_hotline", str(sheet), stderr=err, stdout=out)
    assert "正在登记工单 0/3" in err.getvalue() and "新增 3 件工单" in out.getvalue()

    err = io.StringIO()
    call_command("export_ledger", str(tmp_path / "台账.xlsx"), stderr=err, stdout=io.StringIO())
    assert err.getvalue().splitlines()[-1] == "正在生成 Excel 文件 3/3"


@pytest.mark.parametrize("name", ["deputies_import", "grid_workers_import", "places_import", "hotline_import"])
def test_each_import_kind_runs_its_service_and_reports_a_missing_column_by_row(personas, name):
    job = job_start(actor=personas.county_staff, kind=name, upload=("名册.csv", "序号,备注\n1,无\n".encode()))
    longjobs_run()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "内部错误" not in job.message
    assert job.errors and {error["row"] for error in job.errors} == {1}
    assert {error["message"] for error in job.errors} == {"缺少该列"}
