from django.conf import settings
from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per running worker process, touched every round: the health check's proof that intake moves.

    In the database rather than the cache because the development cache is per process, and the database is the
    one thing the web processes and the worker always share. `jobs` carries the worker's per-job counters (runs,
    failures, seconds) so that /metrics can report them from any web process, whichever host the worker runs on.
    """

    name = models.CharField("进程", max_length=200, primary_key=True)  # host:pid
    started_at = models.DateTimeField("启动时间")
    beat_at = models.DateTimeField("最近心跳", db_index=True)
    jobs = models.JSONField("任务统计", default=dict, blank=True)

    class Meta:
        verbose_name = "后台任务心跳"
        verbose_name_plural = "后台任务心跳"

    def __str__(self) -> str:
        return f"{self.name} {self.beat_at:%Y-%m-%d %H:%M:%S}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    DONE = "done", "已完成"
    FAILED = "failed", "未完成"
    CANCELLED = "cancelled", "已取消"


FINISHED_STATUSES = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)


class LongJob(models.Model):
    """One command a member of staff started from the browser (an import, an export), run by the worker.

    The state is here, not in the page: the page polls it and shows it again after a reload. Files (the upload,
    the result) live under PRIVATE_FILES_ROOT, never under MEDIA_ROOT (nginx serves /media/), and are handed out
    only by the office to those who can see the job (lianxin.ops.longjobs). Written only by lianxin.ops.longjobs.
    """

    kind = models.CharField("类型", max_length=50)
    params = models.JSONField("参数", default=dict, blank=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name="区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField("状态", max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    cancel_requested = models.BooleanField("已请求取消", default=False)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    message = models.CharField("进度说明", max_length=300, blank=True)
    upload_name = models.CharField("上传文件名", max_length=255, blank=True)
    upload_path = models.CharField("上传文件", max_length=255, blank=True)
    result_name = models.CharField("结果文件名", max_length=255, blank=True)
    result_path = models.CharField("结果文件", max_length=255, blank=True)
    errors = models.JSONField("文件中的错误", default=list, blank=True)  # [{row, column, message}]
    worker = models.CharField("运行进程", max_length=200, blank=True)  # host:pid
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    beat_at = models.DateTimeField("最近心跳", null=True, blank=True)

    class Meta:
        verbose_name = "导入与任务"
        verbose_name_plural = "导入与任务"
        indexes = [models.Index(fields=["status", "created_at"], name="longjob_status_created")]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=JobStatus.values), name="longjob_status_valid"),
        ]

    def __str__(self) -> str:
        return f"任务 {self.pk} {self.kind}"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def percent(self) -> int | None:
        return min(100, 100 * self.done // self.total) if self.total else None
