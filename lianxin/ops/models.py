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
