"""API intake below the API: acceptance checks everything registration checks and writes one row; the worker's
registration is all-or-nothing per submission."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lianxin.accounts.roles import Role
from lianxin.cases import intake
from lianxin.cases.intake import submission_accept, submissions_register_queued
from lianxin.cases.models import Case, CaseEvent, Submission, SubmissionStatus
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
    intake.reference_cache_clear()
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
        raise RuntimeError("连接中断")

    monkeypatch.setattr(intake, "case_register", database_went_away)
    with pytest.raises(RuntimeError):
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
    assert stored.payload == payload(regions, body=text)
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
