"""Retention rules (PIPL art. 19, 47): personal data is deleted once its purpose is served. docs/privacy.md lists
every item; the periods are settings (RETENTION_*, from the environment).

| what | when it goes | how |
| --- | --- | --- |
| a case's person_name, person_phone | RETENTION_CASE_CONTACT_YEARS after the case ended (closed, published, …) | emptied |
| an API submission's name, phone, address, location | at registration (cases.intake); rejected or failed ones after RETENTION_SUBMISSION_DAYS | keys removed |
| a sent notification's text and recipient | RETENTION_NOTIFICATION_DAYS after it was sent | text emptied, recipient masked |
| a project proposal's proposer name and phone | RETENTION_PROPOSAL_CONTACT_YEARS after it was made | emptied |
| staff login events (if accounts.LoginEvent exists) | RETENTION_LOGIN_AUDIT_DAYS (≥ 180: 网络安全法 art. 21) | deleted |

The audit log is not purged: it is append-only (lianxin.core.appendonly) and masked when written instead.
`personal_data_purge` is idempotent (a second run finds nothing), runs daily in the worker and as
`lianxin purge_personal_data [--dry-run]`, and writes one audit row with what it purged.
"""

import datetime
from dataclasses import asdict, dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from lianxin.cases.intake.queue import PERSONAL_FIELDS, payload_without_personal
from lianxin.cases.models import OPEN_STATUSES, Case, Submission, SubmissionStatus
from lianxin.core.masking import mask_recipient
from lianxin.core.models import AuditEvent
from lianxin.notifications.models import Notification, NotificationStatus
from lianxin.projects.models import Proposal

BATCH = 500
PURGED_BODY = ""


@dataclass
class PurgeReport:
    case_contacts: int = 0
    submission_payloads: int = 0
    notification_bodies: int = 0
    proposal_contacts: int = 0
    login_events: int = 0
    dry_run: bool = False

    @property
    def total(self) -> int:
        return (
            self.case_contacts
            + self.submission_payloads
            + self.notification_bodies
            + self.proposal_contacts
            + self.login_events
        )

    def __bool__(self) -> bool:  # the worker logs a job's result at INFO only when it did something
        return self.total > 0

    def line(self) -> str:
        verb = "将清除" if self.dry_run else "已清除"
        return (
            f"{verb}：意见建议联系方式 {self.case_contacts} 件，接口提交个人信息 {self.submission_payloads} 条，"
            f"已发通知内容 {self.notification_bodies} 条，民生实事建议人联系方式 {self.proposal_contacts} 条，"
            f"登录日志 {self.login_events} 条"
        )


def _years_ago(now: datetime.datetime, years: int) -> datetime.datetime:
    return now - datetime.timedelta(days=365 * years + years // 4)


def _ended_cases(before: datetime.datetime) -> models.QuerySet[Case]:
    ended_at = Coalesce("closed_at", "rated_at", "fed_back_at", "replied_at", "registered_at")
    return (
        Case.objects.exclude(status__in=OPEN_STATUSES)
        .alias(ended_at=ended_at)
        .filter(ended_at__lt=before)
        .exclude(person_name="", person_phone="")
    )


def _submissions(before: datetime.datetime) -> models.QuerySet[Submission]:
    registered = Q(status=SubmissionStatus.REGISTERED)
    # Rejected (and failed, once staff gave up on it) submissions keep their payload a while: staff may need it to
    # call the person back or re-enter it by hand.
    settled_long_ago = ~Q(status=SubmissionStatus.QUEUED) & Q(processed_at__lt=before)
    queryset = Submission.objects.filter(registered | settled_long_ago)
    return queryset.filter(payload__has_any_keys=list(PERSONAL_FIELDS))


def _notifications(before: datetime.datetime) -> models.QuerySet[Notification]:
    return Notification.objects.filter(status=NotificationStatus.SENT, sent_at__lt=before).exclude(body=PURGED_BODY)


def _proposals(before: datetime.datetime) -> models.QuerySet[Proposal]:
    return Proposal.objects.filter(created_at__lt=before).exclude(proposer_name="", proposer_phone="")


def _login_events() -> type[models.Model] | None:
    try:
        return apps.get_model("accounts", "LoginEvent")
    except LookupError:
        return None


def personal_data_purge(*, now: datetime.datetime | None = None, dry_run: bool = False) -> PurgeReport:
    """Apply every retention rule as of `now`; with `dry_run`, only count. One transaction, one audit row."""
    now = now or timezone.now()
    report = PurgeReport(dry_run=dry_run)
    cases = _ended_cases(_years_ago(now, settings.RETENTION_CASE_CONTACT_YEARS))
    submissions = _submissions(now - datetime.timedelta(days=settings.RETENTION_SUBMISSION_DAYS))
    notifications = _notifications(now - datetime.timedelta(days=settings.RETENTION_NOTIFICATION_DAYS))
    proposals = _proposals(_years_ago(now, settings.RETENTION_PROPOSAL_CONTACT_YEARS))
    login_model = _login_events()
    logins: Any = None
    if login_model is not None:
        cutoff = now - datetime.timedelta(days=settings.RETENTION_LOGIN_AUDIT_DAYS)
        logins = login_model._default_manager.filter(created_at__lt=cutoff)
    if dry_run:
        report.case_contacts = cases.count()
        report.submission_payloads = submissions.count()
        report.notification_bodies = notifications.count()
        report.proposal_contacts = proposals.count()
        report.login_events = logins.count() if logins is not None else 0
        return report
    with transaction.atomic():
        # Not through the workflow: this is no step in handling the case (its status, version and deadlines stay),
        # and the case may have ended years ago. The audit row below records it.
        report.case_contacts = cases.update(person_name="", person_phone="")
        report.submission_payloads = _strip_payloads(submissions)
        report.notification_bodies = _clear_notifications(notifications)
        report.proposal_contacts = proposals.update(proposer_name="", proposer_phone="")
        report.login_events = logins.delete()[0] if logins is not None else 0
        if report:
            _audit(report, now)
    return report


def _strip_payloads(submissions: models.QuerySet[Submission]) -> int:
    done = 0
    while batch := list(submissions.only("id", "payload")[:BATCH]):
        for submission in batch:
            submission.payload = payload_without_personal(submission.payload)
        Submission.objects.bulk_update(batch, ["payload"])
        done += len(batch)
    return done


def _clear_notifications(notifications: models.QuerySet[Notification]) -> int:
    done = 0
    while batch := list(notifications.only("id", "recipient", "body")[:BATCH]):
        for notification in batch:
            notification.body = PURGED_BODY
            notification.recipient = mask_recipient(notification.recipient)
        Notification.objects.bulk_update(batch, ["body", "recipient"])
        done += len(batch)
    return done


def _audit(report: PurgeReport, now: datetime.datetime) -> None:
    counts = {name: value for name, value in asdict(report).items() if name != "dry_run"}
    rules = (
        f"规则：联系方式办结后 {settings.RETENTION_CASE_CONTACT_YEARS} 年；"
        f"接口提交登记后即清，未登记的 {settings.RETENTION_SUBMISSION_DAYS} 天；"
        f"已发通知 {settings.RETENTION_NOTIFICATION_DAYS} 天；"
        f"民生实事建议人 {settings.RETENTION_PROPOSAL_CONTACT_YEARS} 年；"
        f"登录日志 {settings.RETENTION_LOGIN_AUDIT_DAYS} 天"
    )
    # No model instance stands for "the retention rules", so the row is written here rather than by
    # core.audit.audit_record; it holds counts only, no personal data.
    AuditEvent.objects.create(
        actor=None,
        action="privacy.purge",
        object_type="privacy.retention",
        object_id=timezone.localdate(now).isoformat(),
        object_repr="个人信息定期清除",
        changes=counts,
        note=f"{report.line()}。{rules}",
    )
