"""Long jobs: a command started from the browser (an import, an export) and run by the worker, with progress, a
result file, cancellation, and the row-numbered errors of a rejected import.

The pattern every app reuses: a `JobKind` (a Chinese label, the permission it needs, `run(job, params, progress)`)
registered in `KINDS`; the office's pages (lianxin.office.jobs_views) start, show and cancel jobs of any kind.

    job_start(actor=…, kind="hotline_import", params={}, upload=("工单.xlsx", data))   # queued, audited
    longjobs_run(now=…)           # the worker's heavy loop: claims one queued job and runs it
    job_cancel(actor=…, job=…)    # queued: cancelled at once; running: stops at its next progress call

Progress goes through a reporter thread with its own database connection, so that a job inside a transaction (an
all-or-nothing import) still shows how far it got, and `run` never waits for a write: `progress(done, total,
message)` only records the figures, the thread writes them at most once a second (with a heartbeat) and reads
whether cancelling was asked; the next `progress` call then raises `Cancelled`, which rolls the import's
transaction back. On SQLite (one writer at a time) nothing is written while the job is inside a transaction, so
the bar stands still while an import checks and writes, then jumps, and a cancel asked meanwhile waits for the
import's write lock; PostgreSQL has neither limit.

A job whose worker died (a restart, a crash) stays "running" in the database: the next round of any worker marks
it failed — at once when the process that ran it is gone from this host, otherwise when its heartbeat is older than
ORPHAN_AFTER.
"""

import dataclasses
import datetime
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.accounts.selectors import platform_settings_editable
from lianxin.cases import permissions as case_permissions
from lianxin.cases.hotline import HOTLINE_COLUMNS, hotline_import
from lianxin.cases.models import Channel, Status
from lianxin.cases.reports import ledger_filename, ledger_filters_resolve, ledger_xlsx
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, ImportRejected, NotFound, PermissionDenied
from lianxin.core.tabular import Column, Progress
from lianxin.deputies.imports import DEPUTY_COLUMNS, GRID_WORKER_COLUMNS, deputies_import, grid_workers_import
from lianxin.ops.heartbeat import heartbeat_beat, process_name
from lianxin.ops.models import FINISHED_STATUSES, JobStatus, LongJob
from lianxin.regions.models import Region
from lianxin.venues.imports import PLACE_COLUMNS, places_import
from lianxin.workdays.services import CALENDAR_COLUMNS, MAX_YEAR, MIN_YEAR, calendar_year_import

logger = logging.getLogger("lianxin.worker")

# The reporter thread writes progress and reads a cancel request this often (seconds).
REPORT_EVERY = 1.0
# A running job whose heartbeat is this old, on a worker of another host, is taken for dead.
ORPHAN_AFTER = datetime.timedelta(minutes=10)
ORPHANED_MESSAGE = "后台进程在任务运行中停止（如服务器重启），任务未完成；导入的内容未写入，请重新提交"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Cancelled(Exception):
    """Raised by `progress` when the job's cancellation was asked: the job stops, its transaction rolls back."""


# --- kinds -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """One parameter a kind's page asks for: `kind` is "year", "date", "region", "choice" or "text"."""

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""


@dataclass(frozen=True)
class Output:
    """What a finished job says (shown on its page), and the file it made, if any."""

    message: str
    file_name: str = ""
    file_data: bytes = b""


Runner = Callable[[LongJob, dict[str, Any], Progress], Output]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str  # 导入12345热线工单
    perm: Perm  # needed somewhere to start it; who sees a job: its owner, and holders of `perm` over its region
    run: Runner
    upload: bool = False  # takes a spreadsheet
    # The start button's words: what pressing it does (开始导出, 开始编入网格, 开始训练); an upload says 上传并导入
    # unless it does something else with the file (上传并核查).
    button: str = ""
    columns: Sequence[Column] = ()  # an import's expected columns (the page lists them, the template has them)
    params: tuple[Param, ...] = ()
    help: str = ""
    # Who may start it beyond `perm` (the holiday calendar: platform administrators only), and the params checked
    # and resolved for the actor (DomainError names the field). Both are checked again by the service `run` calls.
    allowed: Callable[[Any], bool] | None = None
    clean: Callable[[Any, dict[str, Any]], dict[str, Any]] | None = None
    # The region the job belongs to, from its cleaned params (the ledger's region filter); else the actor's scope.
    region_code: Callable[[dict[str, Any]], str | None] | None = None

    def may_start(self, user: Any) -> bool:
        return may(user, self.perm) and (self.allowed is None or self.allowed(user))

    @property
    def is_import(self) -> bool:
        return self.upload

    @property
    def button_label(self) -> str:
        return self.button or ("上传并导入" if self.upload else "开始")


KINDS: dict[str, JobKind] = {}


def kind_register(kind: JobKind) -> JobKind:
    KINDS[kind.name] = kind
    return kind


def kind_get(name: str) -> JobKind:
    try:
        return KINDS[name]
    except KeyError:
        raise NotFound("没有这种任务") from None


def kinds_for(user: Any) -> list[JobKind]:
    """The kinds this user may start, in registration order."""
    return [kind for kind in KINDS.values() if kind.may_start(user)]


# --- files -----------------------------------------------------------------------------------------------------


def _storage() -> FileSystemStorage:
    """Private files: outside MEDIA_ROOT, which the web server publishes. Read per call so tests can move it."""
    return FileSystemStorage(location=settings.PRIVATE_FILES_ROOT)


def _save(job_id: int, name: str, data: bytes) -> str:
    """Store `data` under an unguessable path; the original name is kept on the job for the download."""
    suffix = Path(name).suffix.lower()[:10]
    day = timezone.now().strftime("%Y/%m")
    return _storage().save(f"jobs/{day}/{job_id}-{uuid.uuid4().hex}{suffix}", ContentFile(data))


def _delete(path: str) -> None:
    if path:
        _storage().delete(path)


def upload_read(job: LongJob) -> bytes:
    with _storage().open(job.upload_path, "rb") as handle:
        return handle.read()


def job_file_open(job: LongJob) -> Any:
    """The result file, opened for reading (the caller checked visibility with `job_get_visible_to`)."""
    if not job.result_path or not _storage().exists(job.result_path):
        raise NotFound("结果文件不存在或已超过保存期限")
    return _storage().open(job.result_path, "rb")


# --- selectors ---------------------------------------------------------------------------------------------------


def jobs_visible_to(user: Any) -> QuerySet[LongJob]:
    """A user's own jobs, and the jobs of a region where they hold the kind's permission (a county clerk sees the
    township's imports; the township does not see the county's)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return LongJob.objects.none()
    if user.is_superuser:
        return LongJob.objects.all()
    q = Q(owner=user)
    for kind in KINDS.values():
        for path in user.scope_paths(kind.perm):
            q |= Q(kind=kind.name, region__path__startswith=path)
    return LongJob.objects.filter(q)


def job_list_visible_to(user: Any) -> QuerySet[LongJob]:
    """The list "导入与任务": every job the user may see (jobs_visible_to: their own, and those of their scope for
    the kind's permission), newest first, with who submitted it."""
    return jobs_visible_to(user).select_related("region", "owner").order_by("-created_at", "-pk")


def job_get_visible_to(*, user: Any, job_id: int) -> LongJob:
    job = jobs_visible_to(user).select_related("region", "owner").filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    return job


def may_cancel(user: Any, job: LongJob) -> bool:
    return not job.finished and not job.cancel_requested and (job.owner_id == user.pk or user.is_superuser)


# --- services ----------------------------------------------------------------------------------------------------


def _region_for(actor: Any, kind: JobKind, params: dict[str, Any]) -> Region | None:
    code = kind.region_code(params) if kind.region_code is not None else None
    if code:
        return Region.objects.filter(code=code).first()
    if actor is None or actor.is_superuser:
        return None
    paths = actor.scope_paths(kind.perm)
    return Region.objects.filter(path=paths[0]).first() if paths else None


def job_start(
    *, actor: Any, kind: str, params: dict[str, Any] | None = None, upload: tuple[str, bytes] | None = None
) -> LongJob:
    """Queue a job of `kind` for the worker. The params are checked now, so a mistake is shown on the form;
    the service the job runs checks permissions again when it runs."""
    job_kind = kind_get(kind)
    if not job_kind.may_start(actor):
        raise PermissionDenied(f"您没有“{job_kind.label}”的权限")
    cleaned = job_kind.clean(actor, dict(params or {})) if job_kind.clean is not None else dict(params or {})
    if job_kind.upload and upload is None:
        raise DomainError("field_required", "文件: 请选择要导入的文件", field="file")
    with transaction.atomic():
        job = LongJob.objects.create(
            kind=kind,
            params=cleaned,
            owner=actor if getattr(actor, "pk", None) else None,
            region=_region_for(actor, job_kind, cleaned),
            message="排队等候后台处理",
        )
        if upload is not None:
            name, data = upload
            job.upload_name = Path(name).name[:255]
            job.upload_path = _save(job.pk, name, data)
            job.save(update_fields=["upload_name", "upload_path"])
        audit_record(
            actor=actor,
            action="longjob.start",
            obj=job,
            changes={"status": [None, JobStatus.QUEUED], "kind": [None, kind]},
            note=job.upload_name,
            region_path=job.region.path if job.region else "",
        )
    return job


def job_cancel(*, actor: Any, job: LongJob) -> LongJob:
    """A queued job is cancelled at once; a running one is asked to stop (it stops at its next progress call, and
    an import's transaction rolls back)."""
    job = job_get_visible_to(user=actor, job_id=job.pk)
    if job.owner_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied("只有提交人可以取消该任务")
    now = timezone.now()
    with transaction.atomic():
        if LongJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.CANCELLED, cancel_requested=True, finished_at=now, message="已取消"
        ):
            _audit(job, actor, "longjob.cancel", JobStatus.QUEUED, JobStatus.CANCELLED)
        elif LongJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, cancel_requested=False).update(
            cancel_requested=True
        ):
            audit_record(
                actor=actor,
                action="longjob.cancel_request",
                obj=job,
                changes={"cancel_requested": [False, True]},
                region_path=job.region.path if job.region else "",
            )
        else:
            raise DomainError("job_finished", "任务已结束或已请求取消，无需再取消")
    job.refresh_from_db()
    return job


def _audit(job: LongJob, actor: Any, action: str, old: str, new: str, note: str = "") -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=job,
        changes={"status": [old, new]},
        note=note,
        region_path=job.region.path if job.region_id and job.region else "",
    )


# --- the worker's side -------------------------------------------------------------------------------------------


def _claim() -> LongJob | None:
    """The oldest queued job, now running in this process; None when there is none. PostgreSQL: SKIP LOCKED, so
    two workers take different jobs without waiting; elsewhere a compare-and-swap on the status."""
    now = timezone.now()
    running = {"status": JobStatus.RUNNING, "started_at": now, "beat_at": now, "worker": process_name()}
    running["message"] = "开始处理"
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            job = (
                LongJob.objects.select_for_update(skip_locked=True)
                .filter(status=JobStatus.QUEUED)
                .order_by("created_at", "pk")
                .first()
            )
            if job is None:
                return None
            LongJob.objects.filter(pk=job.pk).update(**running)
    else:
        for pk in LongJob.objects.filter(status=JobStatus.QUEUED).order_by("created_at", "pk").values_list("pk")[:5]:
            if LongJob.objects.filter(pk=pk[0], status=JobStatus.QUEUED).update(**running):
                break
        else:
            return None
        job = LongJob.objects.get(pk=pk[0])
    job.refresh_from_db()
    _audit(job, None, "longjob.run", JobStatus.QUEUED, JobStatus.RUNNING, note=job.worker)
    return job


class _Reporter:
    """Writes a running job's progress and heartbeat from a thread of its own (its own connection), and reads
    whether cancelling was asked. `progress` itself never touches the database."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.lock = threading.Lock()
        self.pending: tuple[int, int, str] | None = None
        self.last = (0, 0, "")  # the latest figures, written or not
        self.cancelled = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name=f"longjob-{job_id}", daemon=True)
        # The job's own connection (this is the job's thread), to see whether it is inside a transaction.
        self.job_connection = connections[DEFAULT_DB_ALIAS]

    def progress(self, done: int, total: int, message: str = "") -> None:
        if self.cancelled.is_set():
            raise Cancelled
        with self.lock:
            self.pending = self.last = (max(0, done), max(0, total), message[:300])

    def __enter__(self) -> "_Reporter":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join()

    def _loop(self) -> None:
        try:
            while not self.stopping.wait(REPORT_EVERY):
                self._flush()
        finally:
            connection.close()  # this thread's own

    def _flush(self) -> None:
        with self.lock:
            pending, self.pending = self.pending, None
        fields: dict[str, Any] = {"beat_at": timezone.now()}
        if pending is not None:
            fields["done"], fields["total"], fields["message"] = pending
        try:
            # Read first: on SQLite a read still works while the job's transaction holds the write lock.
            if LongJob.objects.filter(pk=self.job_id, cancel_requested=True).exists():
                self.cancelled.set()
            if self.job_connection.vendor == "sqlite" and self.job_connection.in_atomic_block:
                # A write committed here would make the job's transaction fail at its first write if it has only
                # read so far (SQLite cannot upgrade a read snapshot that another connection has since written to).
                with self.lock:
                    if self.pending is None:
                        self.pending = pending
                return
            LongJob.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(**fields)
            # The worker's own heartbeat too: a long job holds up its loop's rounds, which beat otherwise (run with
            # `--queue heavy` alone, the health check would take a long import for a dead worker).
            heartbeat_beat()
        except DatabaseError:
            # SQLite while the job's own transaction writes (one writer at a time): try again next second.
            logger.debug("progress of job %s not written", self.job_id, exc_info=True)
            with self.lock:
                if self.pending is None:
                    self.pending = pending


def _finish(job: LongJob, status: str, *, message: str, **fields: Any) -> bool:
    """running → `status` by compare-and-swap (a job failed as orphaned meanwhile is left as it is)."""
    now = timezone.now()
    changed = LongJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        status=status, message=message[:300], finished_at=now, beat_at=now, **fields
    )
    if changed:
        _audit(job, None, f"longjob.{status}", JobStatus.RUNNING, status, note=message[:200])
    return bool(changed)


def _run(job: LongJob) -> None:
    kind = KINDS.get(job.kind)
    if kind is None:
        _finish(job, JobStatus.FAILED, message=f"未知的任务类型“{job.kind}”")
        return
    reporter = _Reporter(job.pk)
    _running_here.add(job.pk)
    try:
        with reporter:
            output = kind.run(job, dict(job.params), reporter.progress)
    except Cancelled:
        _finish(job, JobStatus.CANCELLED, message="已取消：任务已停止，导入的内容未写入")
    except ImportRejected as exc:
        errors = [dataclasses.asdict(error) for error in exc.errors]
        _finish(job, JobStatus.FAILED, message=f"文件未导入，共{len(errors)}处错误，请改正后重新上传", errors=errors)
    except DomainError as exc:
        _finish(job, JobStatus.FAILED, message=exc.message)
    except Exception:
        logger.exception("long job %s (%s) failed", job.pk, job.kind)
        _finish(job, JobStatus.FAILED, message="处理时发生内部错误，已记录日志，请稍后重试或联系系统管理员")
    else:
        path = _save(job.pk, output.file_name, output.file_data) if output.file_name else ""
        total = max(reporter.last[1], 1)  # a finished bar is full
        fields = {"result_name": output.file_name, "result_path": path, "done": total, "total": total}
        if not _finish(job, JobStatus.DONE, message=output.message, **fields):
            _delete(path)
    finally:
        _running_here.discard(job.pk)


# The jobs this process is running now (the worker's heavy loop runs one at a time; a set for clarity).
_running_here: set[int] = set()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _orphaned(job: LongJob, now: datetime.datetime) -> bool:
    """Its worker is gone: on this host, a process that no longer runs (or this process's number, reused after a
    container's restart, without the job running here); anywhere, a heartbeat older than ORPHAN_AFTER."""
    if job.pk in _running_here:
        return False
    stale = job.beat_at is None or job.beat_at < now - ORPHAN_AFTER
    host, _, pid = job.worker.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return int(pid) == os.getpid() or not _pid_alive(int(pid)) or stale
    return stale


def longjobs_fail_orphaned(*, now: datetime.datetime | None = None) -> int:
    """Mark failed the running jobs whose worker died (their transaction was rolled back by the database)."""
    now = now or timezone.now()
    failed = 0
    for job in LongJob.objects.filter(status=JobStatus.RUNNING).select_related("region"):
        if _orphaned(job, now) and _finish(job, JobStatus.FAILED, message=ORPHANED_MESSAGE):
            logger.warning("long job %s was running in %s, which stopped: marked failed", job.pk, job.worker)
            failed += 1
    return failed


def longjobs_run(*, now: datetime.datetime | None = None) -> int:
    """The worker's job (heavy loop, every round): fail the orphans, then run one queued job. One per round, so
    the clock's jobs keep their turn; the loop comes back at once when a job ran (the count is its "busy")."""
    longjobs_fail_orphaned(now=now)
    job = _claim()
    if job is None:
        return 0
    _run(job)
    return 1


def longjobs_purge(*, now: datetime.datetime | None = None) -> int:
    """Remove the files and the rejected rows (they quote cells: ID numbers, phones) of jobs that ended more than
    RETENTION_JOB_FILES_DAYS ago; the row stays as the record of what was run. Daily, by the worker."""
    now = now or timezone.now()
    days = settings.RETENTION_JOB_FILES_DAYS
    old = LongJob.objects.filter(status__in=FINISHED_STATUSES, finished_at__lt=now - datetime.timedelta(days=days))
    old = old.filter(~Q(upload_path="") | ~Q(result_path="") | ~Q(errors=[]))
    purged = 0
    for job in old.select_related("region"):
        _delete(job.upload_path)
        _delete(job.result_path)
        LongJob.objects.filter(pk=job.pk).update(upload_path="", result_path="", errors=[])
        audit_record(
            actor=None,
            action="longjob.purge",
            obj=job,
            changes={"files": [[job.upload_name, job.result_name], None]},
            note=f"超过保存期限（{days}天）",
            region_path=job.region.path if job.region else "",
        )
        purged += 1
    return purged


# --- the kinds of this platform ----------------------------------------------------------------------------------


def _import_runner(service: Callable[..., Any], noun: str) -> Runner:
    def run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
        progress(0, 0, "正在读取并检查文件")
        result = service(actor=job.owner, file=upload_read(job), filename=job.upload_name, progress=progress)
        return Output(
            message=f"导入完成：新增 {result.created} {noun}，更新 {result.updated} {noun}，未变 {result.unchanged} {noun}"
        )

    return run


def _calendar_clean(actor: Any, params: dict[str, Any]) -> dict[str, Any]:
    try:
        year = int(str(params.get("year", "")).strip())
    except ValueError:
        raise DomainError("field_invalid", "年份: 请填写四位数的年份，如 2027", field="year") from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError("field_invalid", f"年份: 应在 {MIN_YEAR} 到 {MAX_YEAR} 之间", field="year")
    return {"year": year}


def _calendar_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    progress(0, 0, "正在读取并检查文件")
    result = calendar_year_import(actor=job.owner, year=params["year"], file=upload_read(job), filename=job.upload_name)
    return Output(message=f"{params['year']} 年节假日安排已导入：{result}")


LEDGER_PARAMS = ("region", "registered_from", "registered_to", "channel", "category", "status")


def _date_param(value: Any, label: str, name: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise DomainError("field_invalid", f"{label}: 日期格式应为 2026-01-31", field=name) from None


def _ledger_filters(user: Any, params: dict[str, Any]) -> Any:
    status = params.get("status")
    return ledger_filters_resolve(
        user=user,
        region=params.get("region") or None,
        registered_from=_date_param(params.get("registered_from"), "登记日期起", "registered_from"),
        registered_to=_date_param(params.get("registered_to"), "登记日期止", "registered_to"),
        channel=params.get("channel") or None,
        category=params.get("category") or None,
        status=[status] if status else None,
    )


def _ledger_clean(actor: Any, params: dict[str, Any]) -> dict[str, Any]:
    cleaned = {name: str(params.get(name) or "").strip() for name in LEDGER_PARAMS}
    _ledger_filters(actor, cleaned)  # refuses a region outside the actor's scope like an unknown one
    return {name: value for name, value in cleaned.items() if value}


def _ledger_run(job: LongJob, params: dict[str, Any], progress: Progress) -> Output:
    user = job.owner if job.owner is not None else case_permissions.SYSTEM
    filters = _ledger_filters(user, params)
    progress(0, 0, "正在统计台账")
    data = ledger_xlsx(user=user, filters=filters, progress=progress)
    name = ledger_filename(filters=filters, suffix=".xlsx")
    return Output(message="台账已导出，请下载文件", file_name=name, file_data=data)


def _may_edit_calendar(user: Any) -> bool:
    return bool(platform_settings_editable(actor=user))


kind_register(
    JobKind(
        name="ledger_export",
        button="开始导出",
        label="导出意见建议台账",
        perm=Perm.HANDLE_CASES,
        run=_ledger_run,
        clean=_ledger_clean,
        region_code=lambda params: params.get("region"),
        params=(
            Param("region", "区划代码", "region", help="12位代码，留空为您的全部管辖范围"),
            Param("registered_from", "登记日期起", "date"),
            Param("registered_to", "登记日期止", "date"),
            Param("channel", "渠道", "choice", choices=tuple((str(v), str(label)) for v, label in Channel.choices)),
            Param("status", "状态", "choice", choices=tuple((str(v), str(label)) for v, label in Status.choices)),
        ),
        help="您可见范围内符合条件的意见建议，每件一行，中文表头；不含反映人姓名和联系电话。",
    )
)
kind_register(
    JobKind(
        name="hotline_import",
        button="上传并导入",
        label="导入12345热线工单",
        perm=Perm.HANDLE_CASES,
        run=_import_runner(hotline_import, "件工单"),
        upload=True,
        columns=HOTLINE_COLUMNS,
        help="全部无误才写入；已导入的工单（同一工单编号）不会重复登记。",
    )
)
kind_register(
    JobKind(
        name="calendar_import",
        button="上传并导入",
        label="导入节假日安排",
        perm=Perm.MANAGE_ACCOUNTS,  # platform_settings_editable asks for it from the county up
        allowed=_may_edit_calendar,
        run=_calendar_run,
        upload=True,
        columns=CALENDAR_COLUMNS,
        clean=_calendar_clean,
        params=(Param("year", "年份", "year", required=True, help="如 2027；替换该年原有安排并标记为已完整"),),
        help="按国务院办公厅发布的放假安排填写：日期、类型（放假/调休上班）、名称。全部无误才写入。",
    )
)
kind_register(
    JobKind(
        name="deputies_import",
        button="上传并导入",
        label="导入人大代表名册",
        perm=Perm.MANAGE_REGISTRY,
        run=_import_runner(deputies_import, "名代表"),
        upload=True,
        columns=DEPUTY_COLUMNS,
        help="每行一个代表资格；同一身份证号已登记的代表会被更新。全部无误才写入。",
    )
)
kind_register(
    JobKind(
        name="grid_workers_import",
        button="上传并导入",
        label="导入网格员名册",
        perm=Perm.MANAGE_REGISTRY,
        run=_import_runner(grid_workers_import, "名网格员"),
        upload=True,
        columns=GRID_WORKER_COLUMNS,
        help="按“结对代表身份证号”列建立代表与网格员结对。全部无误才写入。",
    )
)
kind_register(
    JobKind(
        name="places_import",
        button="上传并导入",
        label="导入家站室",
        perm=Perm.MANAGE_REGISTRY,
        run=_import_runner(places_import, "个家站室"),
        upload=True,
        columns=PLACE_COLUMNS,
        help="代表之家、代表工作站、代表联络室等；同一区划下同名的家站室会被更新。全部无误才写入。",
    )
)
