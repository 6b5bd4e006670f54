"""API intake below the API: acceptance checks everything registration checks and writes one row; the worker's
registration is all-or-nothing per submission."""

import datetime

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lianxin.accounts.roles import Role
from lianxin.cases.intake import draft as intake_draft
from lianxin.cases.intake import queue as intake
from lianxin.cases.intake.check import case_check
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.intake.queue import submission_accept, submission_requeue, submissions_register_queued
from lianxin.cases.models import Case, CaseEvent, Submission, SubmissionStatus
from lianxin.cases.receipts import new_receipt_code
from lianxin.core.audit import AuditEvent
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.regions.models import Region


@pytest.fixture
def clerk(regions, make_user):
    return make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang)


def payload(regions, **fields):
    return {
        "channel": "hotline",
        "title": "路灯不亮",
        "body": "三盏路灯不亮。",
        "region": regions.jueren.code,
        **fields,
    }


def test_acceptance_refuses_what_registration_would_refuse_and_writes_nothing(clerk, regions):
    with pytest.raises(PermissionDenied):
        submission_accept(actor=clerk, payload=payload(regions, region=regions.chengdong.code))
    with pytest.raises(DomainError) as refused:
        submission_accept(actor=clerk, payload=payload(regions, person_phone="12345"))
    assert (refused.value.code, refused.value.field) == ("phone_invalid", "person_phone")
    with pytest.raises(DomainError) as unknown:
        submission_accept(actor=clerk, payload=payload(regions, region="330521999999"))
    assert unknown.value.code == "region_unknown"
    assert not Submission.objects.exists()


def test_a_region_code_that_appears_after_a_miss_is_found_once_the_cache_is_cleared(clerk, regions):
    with pytest.raises(DomainError):
        submission_accept(actor=clerk, payload=payload(regions, region="330521001002"))
    path = f"{regions.wukang.path}330521001002/"
    Region.objects.create(code="330521001002", name="新社区", level="village", parent=regions.wukang, path=path)
    intake_draft.reference_cache_clear()
    assert submission_accept(actor=clerk, payload=payload(regions, region="330521001002")).created


def test_a_registration_that_loses_the_race_for_its_submission_leaves_nothing_behind(clerk, regions, monkeypatch):
    accepted = submission_accept(actor=clerk, payload=payload(regions)).submission
    real_register = intake.case_register

    def another_worker_got_there_first(**kwargs):
        registration = real_register(**kwargs)
        Submission.objects.filter(pk=accepted.pk).update(status=SubmissionStatus.REJECTED)
        return registration

    monkeypatch.setattr(intake, "case_register", another_worker_got_there_first)
    assert submissions_register_queued() == 0
    assert not Case.objects.filter(receipt_code=accepted.receipt_code).exists()
    assert not CaseEvent.objects.exists()

    monkeypatch.setattr(intake, "case_register", real_register)
    assert submissions_register_queued() == 1
    assert Case.objects.filter(receipt_code=accepted.receipt_code).count() == 1


def test_a_failure_other_than_a_refusal_leaves_the_submission_queued_for_the_next_round(clerk, regions, monkeypatch):
    accepted = submission_accept(actor=clerk, payload=payload(regions)).submission

    def database_went_away(**kwargs):
        raise OperationalError("连接中断")

    monkeypatch.setattr(intake, "case_register", database_went_away)
    with pytest.raises(OperationalError):
        submissions_register_queued()
    assert Submission.objects.get(pk=accepted.pk).status == SubmissionStatus.QUEUED
    assert not Case.objects.exists()


def test_a_submission_whose_submitter_row_has_gone_is_rejected_with_the_reason_not_retried_forever(clerk, regions):
    # No foreign key guards the submitter (it would lock the user's row on every INSERT); users are never
    # deleted through the platform, but a row removed by hand must not wedge the queue.
    accepted = submission_accept(actor=clerk, payload=payload(regions)).submission
    other = submission_accept(actor=clerk, payload=payload(regions, title="井盖缺失")).submission
    Submission.objects.filter(pk=accepted.pk).update(submitted_by_id=clerk.pk + 1000)
    assert submissions_register_queued() == 2
    gone, fine = Submission.objects.get(pk=accepted.pk), Submission.objects.get(pk=other.pk)
    assert (gone.status, gone.error_code, gone.case_id) == (SubmissionStatus.REJECTED, "submitter_missing", None)
    assert "提交人" in gone.error_message
    assert fine.status == SubmissionStatus.REGISTERED and fine.case.title == "井盖缺失"


def test_the_stored_payload_is_exactly_what_was_accepted_and_keyless_submissions_do_not_collide(clerk, regions):
    text = '噪声扰民，晚上10点后仍施工。"引号"、反斜杠\\、<script>alert(1)</script>、表情😀'
    first = submission_accept(actor=clerk, payload=payload(regions, body=text)).submission
    second = submission_accept(actor=clerk, payload=payload(regions, body=text)).submission
    assert first.pk != second.pk and first.receipt_code != second.receipt_code
    stored = Submission.objects.get(pk=first.pk)
    # The queue keeps the draft's own serialised form: every field of the draft, read back as the same draft.
    assert (
        stored.payload == CaseDraft(channel="hotline", title="路灯不亮", body=text, region=regions.jueren).to_payload()
    )
    assert stored.payload["body"] == text
    assert (stored.idempotency_key, stored.submitted_by_id, stored.region_id) == (None, clerk.pk, regions.jueren.pk)
    assert stored.status == SubmissionStatus.QUEUED


def test_accepting_is_one_statement_and_on_postgresql_a_prepared_one(clerk, regions):
    submission_accept(actor=clerk, payload=payload(regions), idempotency_key="k0")  # regions and grants cached
    for key in ("k1", "k2", "k3"):
        with CaptureQueriesContext(connection) as captured:
            submission_accept(actor=clerk, payload=payload(regions), idempotency_key=key)
        # The test runs inside a transaction, so the INSERT sits in a savepoint; a request has autocommit.
        statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
        assert len(statements) == 1 and statements[0].startswith("INSERT INTO")
    assert Submission.objects.filter(idempotency_key__in=["k1", "k2", "k3"]).count() == 3
    if connection.vendor == "postgresql":  # parsed and planned once per connection, then only executed
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["INSERT INTO%cases_submission%"]
            )
            assert cursor.fetchone() == (1,)


def _queued_as_before_the_date_check(clerk, regions, **fields):
    """A submission accepted before acceptance checked dates: it sits in the queue as it was stored then."""
    return Submission.objects.create(
        receipt_code=new_receipt_code(),
        submitted_by=clerk,
        payload=payload(regions, **fields),
        region=regions.jueren,
        received_at=timezone.now(),
    )


def test_poisoned_submissions_between_good_ones_are_set_aside_and_the_good_ones_are_registered_in_one_run(
    clerk, regions
):
    first = submission_accept(actor=clerk, payload=payload(regions, title="路灯不亮")).submission
    # Year 0001 once overflowed the deadline arithmetic and stopped the queue: now the check refuses it.
    backdated = _queued_as_before_the_date_check(clerk, regions, registered_at="0001-01-01T00:00:00+14:00")
    second = submission_accept(actor=clerk, payload=payload(regions, title="井盖缺失")).submission
    # Something no check foresaw (here a count stored as text): a TypeError deep in registration.
    garbled = _queued_as_before_the_date_check(clerk, regions, people_count="许多")
    third = submission_accept(actor=clerk, payload=payload(regions, title="垃圾未清运")).submission

    assert submissions_register_queued() == 5

    rows = {s.pk: s for s in Submission.objects.all()}
    assert {rows[s.pk].status for s in (first, second, third)} == {SubmissionStatus.REGISTERED}
    assert {c.title for c in Case.objects.all()} == {"路灯不亮", "井盖缺失", "垃圾未清运"}
    rejected = rows[backdated.pk]
    assert (rejected.status, rejected.error_code, rejected.error_field) == (
        SubmissionStatus.REJECTED,
        "registered_at_invalid",
        "registered_at",
    )
    failed = rows[garbled.pk]
    assert (failed.status, failed.error_code, failed.case_id) == (SubmissionStatus.FAILED, "registration_failed", None)
    assert failed.error_message.startswith("TypeError: ")  # the error text, for staff
    assert failed.processed_at is not None
    assert not CaseEvent.objects.filter(case__receipt_code__in=[backdated.receipt_code, garbled.receipt_code]).exists()
    assert submissions_register_queued() == 0  # set aside, not retried by itself


def test_a_failed_submission_requeued_by_staff_is_registered_in_the_next_round_with_an_audit_row(
    clerk, regions, make_user, monkeypatch
):
    accepted = submission_accept(actor=clerk, payload=payload(regions)).submission
    real_register = intake.case_register

    def a_bug(**kwargs):
        raise ValueError("a bug fixed since")

    monkeypatch.setattr(intake, "case_register", a_bug)
    submissions_register_queued()
    failed = Submission.objects.get(pk=accepted.pk)
    assert failed.status == SubmissionStatus.FAILED and "ValueError: a bug fixed since" in failed.error_message
    monkeypatch.setattr(intake, "case_register", real_register)

    outsider = make_user("outsider", Role.TOWNSHIP_STAFF, regions.qianyuan)
    with pytest.raises(PermissionDenied):
        submission_requeue(actor=outsider, submission=failed)
    assert submission_requeue(actor=clerk, submission=failed) is True
    assert submission_requeue(actor=clerk, submission=failed) is False  # already queued: nothing to do

    requeued = Submission.objects.get(pk=accepted.pk)
    assert (requeued.status, requeued.error_code, requeued.error_message) == (SubmissionStatus.QUEUED, "", "")
    audit = AuditEvent.objects.get(action="submission.requeue", object_id=str(accepted.pk))
    assert audit.actor == clerk
    assert audit.changes["status"] == ["failed", "queued"]
    assert "ValueError" in audit.changes["error_message"][0]
    assert submissions_register_queued() == 1
    assert Case.objects.get(receipt_code=accepted.receipt_code).title == "路灯不亮"


@pytest.mark.parametrize(
    ("registered_at", "message"),
    [
        ("0001-01-01T00:00:00+14:00", "不能早于2000年1月1日"),
        ("1999-12-31T23:59:00+08:00", "不能早于2000年1月1日"),
        ("2999-01-01T09:00:00+08:00", "不能晚于现在"),
    ],
)
def test_acceptance_refuses_a_registration_time_outside_the_sane_window(clerk, regions, registered_at, message):
    with pytest.raises(DomainError) as refused:
        submission_accept(actor=clerk, payload=payload(regions, registered_at=registered_at))
    assert (refused.value.code, refused.value.field) == ("registered_at_invalid", "registered_at")
    assert message in refused.value.message and refused.value.message.startswith("登记时间")
    assert not Submission.objects.exists()


def test_the_domain_check_allows_a_paper_register_from_years_ago_and_a_clock_a_little_ahead(clerk, regions):
    for when in (datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC), timezone.now() + datetime.timedelta(minutes=2)):
        draft = CaseDraft(channel="hotline", title="路灯", body="不亮", region=regions.jueren, registered_at=when)
        checked = case_check(actor=clerk, draft=draft)
        assert checked["registered_at"] == when


def test_a_retry_under_the_same_key_with_another_body_is_refused_and_the_same_body_is_replayed(clerk, regions):
    first = submission_accept(actor=clerk, payload=payload(regions), idempotency_key="c:1")
    assert first.created and len(first.submission.fingerprint) == 64

    replay = submission_accept(actor=clerk, payload=payload(regions), idempotency_key="c:1")
    assert (replay.created, replay.submission.pk) == (False, first.submission.pk)
    # The same body with its keys in another order is the same body.
    reordered = dict(reversed(list(payload(regions).items())))
    assert submission_accept(actor=clerk, payload=reordered, idempotency_key="c:1").submission.pk == first.submission.pk

    with pytest.raises(DomainError) as conflict:
        submission_accept(actor=clerk, payload=payload(regions, body="另一件事。"), idempotency_key="c:1")
    assert (conflict.value.code, conflict.value.status) == ("idempotency_key_reused", 422)
    assert "Idempotency-Key" in conflict.value.message
    assert Submission.objects.count() == 1
    assert Submission.objects.get().payload["body"] == "三盏路灯不亮。"


def test_a_refused_retry_with_another_body_under_a_used_key_is_a_conflict_not_a_replay(clerk, regions):
    submission_accept(actor=clerk, payload=payload(regions), idempotency_key="c:2")
    with pytest.raises(DomainError) as conflict:
        submission_accept(actor=clerk, payload=payload(regions, person_phone="12345"), idempotency_key="c:2")
    assert conflict.value.code == "idempotency_key_reused"


def test_a_submission_stored_before_fingerprints_still_replays_its_own_body(clerk, regions):
    first = submission_accept(actor=clerk, payload=payload(regions), idempotency_key="c:3").submission
    # As a row stored then: the caller's payload as given, no fingerprint.
    Submission.objects.filter(pk=first.pk).update(fingerprint="", payload=payload(regions))
    assert submission_accept(actor=clerk, payload=payload(regions), idempotency_key="c:3").submission.pk == first.pk
    with pytest.raises(DomainError):
        submission_accept(actor=clerk, payload=payload(regions, title="别的"), idempotency_key="c:3")
