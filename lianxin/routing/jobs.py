"""The routing app's periodic jobs, registered in the worker (lianxin run_worker) by `routing_jobs()`."""

import datetime

from lianxin.notifications.worker import INTAKE, At, Every, Job
from lianxin.routing.services import cases_propose_pending, router_repair, router_retrain_due


def routing_jobs() -> list[Job]:
    return [
        # Every round: a new case gets its proposal (or joins the triage queue) within a poll interval.
        Job("routing_propose", Every(datetime.timedelta(0)), cases_propose_pending, queue=INTAKE),
        # Nightly at 02:30 Beijing time, when enough cases got a final category since the active version.
        Job("routing_retrain", At(datetime.time(2, 30)), router_retrain_due),
        # Every minute: an active version this process cannot read (a library upgrade) is retrained at once.
        Job("routing_repair", Every(datetime.timedelta(minutes=1)), router_repair),
    ]
