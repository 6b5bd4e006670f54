from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "lianxin.ops"
    label = "ops"
    verbose_name = "运维"

    def ready(self) -> None:
        # The worker (lianxin.notifications, lower in the layers) reports to the heartbeat through its watchers.
        from lianxin.notifications import worker
        from lianxin.ops.heartbeat import heartbeat_beat, job_observe

        def observe(name: str, seconds: float, ok: bool) -> None:
            job_observe(name, seconds=seconds, ok=ok)

        if heartbeat_beat not in worker.round_watchers:
            worker.round_watchers.append(heartbeat_beat)
            worker.job_watchers.append(observe)
        from lianxin.ops import longjob_kinds  # noqa: F401  (the other apps' commands as long jobs register themselves)
