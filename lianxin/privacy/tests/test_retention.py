"""Retention: personal data past its period is purged by the daily job and the command, with one audit row;
what is still within its period, or still needed, is left alone."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from lianxin.accounts.models import LoginEvent, LoginKind
from lianxin.accounts.roles import Role
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.intake.queue import PERSONAL_FIELDS, submission_accept, submissions_register_queued
from lianxin.cases.models import Case, Status, Submission, SubmissionStatus
from lianxin.core.models import AuditEvent
from lianxin.notifications.models import Notification, NotificationStatus
from lianxin.notifications.worker import At
from lianxin.ops.management.commands.run_worker import jobs
from lianxin.privacy.retention import personal_data_purge
from lianxin.projects.models import Proposal, ProposalSource

NOW = timezone.now()
YEAR = datetime.timedelta(days=366)
DAY = datetime.timedelta(days=1)


def ended(case, *, at, status=Status.CLOSED):
    Case.objects.filter(pk=case.pk).update(status=status, closed_at=at if status == Status.CLOSED else None)
    if status != Status.CLOSED:
        Case.objects.filter(pk=case.pk).update(fed_back_at=at, registered_at=at)
    return case


def contacts(case):
    return tuple(Case.objects.values_list("person_name", "person_phone").get(pk=case.pk))


def test_the_contacts_of_a_case_ended_more_than_three_years_ago_are_purged_and_the_case_kept(loop):
    old = ended(loop.register(), at=NOW - 3 * YEAR - DAY)
    declined = ended(loop.register(), at=NOW - 4 * YEAR, status=Status.DECLINED)
    recent = ended(loop.register(), at=NOW - 2 * YEAR)
    still_open = loop.register()
    Case.objects.filter(pk=still_open.pk).update(registered_at=NOW - 5 * YEAR)

    report = personal_data_purge(now=NOW)

    assert report.case_contacts == 2
    assert contacts(old) == ("", "") and contacts(declined) == ("", "")
    assert contacts(recent) == contacts(still_open) == ("王秀英", "13957211234")
    kept = Case.objects.get(pk=old.pk)
    assert (kept.status, kept.title, kept.body, kept.version) == (Status.CLOSED, old.title, old.body, old.version)


def test_the_period_is_a_setting(loop, settings):
    case = ended(loop.register(), at=NOW - 2 * YEAR)
    settings.RETENTION_CASE_CONTACT_YEARS = 1
    assert personal_data_purge(now=NOW).case_contacts == 1
    assert contacts(case) == ("", "")


def test_a_purge_writes_one_audit_row_with_its_counts_and_a_second_run_finds_nothing(loop):
    ended(loop.register(), at=NOW - 4 * YEAR)

    personal_data_purge(now=NOW)
    again = personal_data_purge(now=NOW)

    event = AuditEvent.objects.get(action="privacy.purge")
    assert event.changes["case_contacts"] == 1 and event.actor is None
    assert "联系方式办结后 3 年" in event.note
    assert again.total == 0  # and no second row (the get above would have failed)
    assert AuditEvent.objects.filter(action="privacy.purge").count() == 1


def test_submission_payloads_lose_the_person_once_registered_or_once_a_refusal_is_a_month_old(regions, make_user):
    clerk = make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang)
    body = {"channel": "hotline", "title": "路灯", "body": "不亮。", "region": regions.jueren.code}
    person = {"person_name": "王秀英", "person_phone": "13957211234", "address": "永安街160号"}
    registered = submission_accept(actor=clerk, payload={**body, **person}).submission
    submissions_register_queued()
    # A row registered before payloads were cleared at registration still holds the person.
    Submission.objects.filter(pk=registered.pk).update(payload={**body, **person})
    old_refusal = submission_accept(actor=clerk, payload={**body, **person}).submission
    new_refusal = submission_accept(actor=clerk, payload={**body, **person}).submission
    queued = submission_accept(actor=clerk, payload={**body, **person}).submission
    Submission.objects.filter(pk=old_refusal.pk).update(status=SubmissionStatus.REJECTED, processed_at=NOW - 31 * DAY)
    Submission.objects.filter(pk=new_refusal.pk).update(status=SubmissionStatus.REJECTED, processed_at=NOW - DAY)

    assert personal_data_purge(now=NOW).submission_payloads == 2

    payloads = dict(Submission.objects.values_list("pk", "payload"))
    # The queue keeps each draft in its serialised form; purged, it keeps everything but the person.
    stored = CaseDraft(channel="hotline", title="路灯", body="不亮。", region=regions.jueren, **person).to_payload()
    assert payloads[registered.pk] == body
    assert payloads[old_refusal.pk] == {k: v for k, v in stored.items() if k not in PERSONAL_FIELDS}
    assert not set(PERSONAL_FIELDS) & set(payloads[old_refusal.pk])
    assert payloads[new_refusal.pk] == payloads[queued.pk] == stored


def notification(*, sent_days_ago, status=NotificationStatus.SENT):
    return Notification.objects.create(
        kind="case.replied",
        channel="sms",
        recipient="13957211234",
        subject="答复",
        body="王女士：您反映的路灯问题已答复。",
        status=status,
        next_attempt_at=NOW,
        sent_at=NOW - sent_days_ago * DAY if status == NotificationStatus.SENT else None,
    )


def test_sent_notifications_lose_their_text_and_recipient_after_ninety_days(db):
    old, recent = notification(sent_days_ago=91), notification(sent_days_ago=89)
    pending = notification(sent_days_ago=0, status=NotificationStatus.PENDING)
    Notification.objects.filter(pk=pending.pk).update(created_at=NOW - 200 * DAY)

    assert personal_data_purge(now=NOW).notification_bodies == 1

    old.refresh_from_db()
    assert (old.body, old.recipient, old.subject) == ("", "139****1234", "答复")
    assert Notification.objects.get(pk=recent.pk).body == Notification.objects.get(pk=pending.pk).body != ""


def test_project_proposers_contacts_go_after_three_years(regions):
    def proposal(age):
        made = Proposal.objects.create(
            region=regions.jueren,
            title="修路",
            description="村道破损。",
            source=ProposalSource.RESIDENT,
            proposer_name="李四",
            proposer_phone="13812345678",
        )
        Proposal.objects.filter(pk=made.pk).update(created_at=NOW - age)
        return made

    old, recent = proposal(3 * YEAR + DAY), proposal(YEAR)
    assert personal_data_purge(now=NOW).proposal_contacts == 1
    names = dict(Proposal.objects.values_list("pk", "proposer_phone"))
    assert (names[old.pk], names[recent.pk]) == ("", "13812345678")


def test_login_events_are_kept_six_months_and_then_deleted(db):
    old = LoginEvent.objects.create(kind=LoginKind.FAILURE, username="county", ip_address="10.0.0.1")
    recent = LoginEvent.objects.create(kind=LoginKind.SUCCESS, username="county", ip_address="10.0.0.1")
    LoginEvent.objects.filter(pk=old.pk).update(created_at=NOW - 181 * DAY)
    LoginEvent.objects.filter(pk=recent.pk).update(created_at=NOW - 179 * DAY)

    assert personal_data_purge(now=NOW).login_events == 1
    assert list(LoginEvent.objects.values_list("pk", flat=True)) == [recent.pk]


def test_a_dry_run_counts_and_changes_nothing(loop):
    case = ended(loop.register(), at=NOW - 4 * YEAR)
    notification(sent_days_ago=100)

    report = personal_data_purge(now=NOW, dry_run=True)

    assert (report.case_contacts, report.notification_bodies) == (1, 1)
    assert contacts(case) == ("王秀英", "13957211234")
    assert not AuditEvent.objects.filter(action="privacy.purge").exists()


@pytest.mark.parametrize(("args", "verb", "purged"), [(["--dry-run"], "将清除", False), ([], "已清除", True)])
def test_the_command_purges_or_with_dry_run_only_reports(loop, args, verb, purged):
    case = ended(loop.register(), at=timezone.now() - 4 * YEAR)
    out = StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    assert out.getvalue().startswith(f"{verb}：意见建议联系方式 1 件")
    assert (contacts(case) == ("", "")) is purged
    assert AuditEvent.objects.filter(action="privacy.purge").exists() is purged


def test_the_worker_runs_the_purge_daily_at_night_with_its_audit_row(loop):
    job = next(job for job in jobs() if job.name == "privacy_purge")
    assert job.schedule == At(datetime.time(3, 30))
    case = ended(loop.register(), at=timezone.now() - 4 * YEAR)

    call_command("run_worker", "--once", "--job", "privacy_purge")

    assert contacts(case) == ("", "")
    assert AuditEvent.objects.get(action="privacy.purge").changes["case_contacts"] == 1
