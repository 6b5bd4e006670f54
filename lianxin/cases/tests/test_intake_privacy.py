"""PIPL on the API's submission queue: an anonymous person's name and phone are never stored, a registered
submission keeps none of the person's details (the case holds them), and staff who may not see contacts
see none in the back office."""

import pytest
from django.urls import reverse

from lianxin.accounts.models import RoleAssignment
from lianxin.accounts.roles import Role
from lianxin.cases.admin import SubmissionAdmin
from lianxin.cases.intake.queue import PERSONAL_FIELDS, submission_accept, submissions_register_queued
from lianxin.cases.models import Case, Submission, SubmissionStatus


@pytest.fixture
def clerk(regions, make_user):
    return make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang)


def payload(regions, **fields):
    return {
        "channel": "hotline",
        "title": "路灯不亮",
        "body": "三盏路灯不亮。",
        "region": regions.jueren.code,
        "person_name": "王秀英",
        "person_phone": "13957211234",
        "address": "永安街160号3单元501室",
        "lat": 30.5452,
        "lng": 119.9571,
        **fields,
    }


def test_an_anonymous_submission_is_queued_without_the_name_and_phone_it_was_sent_with(clerk, regions):
    accepted = submission_accept(actor=clerk, payload=payload(regions, is_anonymous=True)).submission
    stored = Submission.objects.get(pk=accepted.pk).payload
    assert stored["person_name"] == "" and stored["person_phone"] == ""
    assert stored["is_anonymous"] is True and stored["title"] == "路灯不亮"


def test_a_registered_submission_keeps_none_of_the_person_s_details_and_the_case_holds_them(clerk, regions):
    accepted = submission_accept(actor=clerk, payload=payload(regions)).submission
    assert submissions_register_queued() == 1

    submission = Submission.objects.get(pk=accepted.pk)
    assert submission.status == SubmissionStatus.REGISTERED
    assert not set(PERSONAL_FIELDS) & set(submission.payload)
    assert submission.payload["title"] == "路灯不亮" and submission.payload["region"] == regions.jueren.code
    case = Case.objects.get(pk=submission.case_id)
    assert (case.person_name, case.person_phone, case.address) == ("王秀英", "13957211234", "永安街160号3单元501室")


def test_a_rejected_submission_keeps_its_details_for_staff_to_call_back_until_the_retention_period(clerk, regions):
    accepted = submission_accept(actor=clerk, payload=payload(regions)).submission
    RoleAssignment.objects.filter(user=clerk).delete()  # the submitter lost the role before registration
    submissions_register_queued()
    submission = Submission.objects.get(pk=accepted.pk)
    assert submission.status == SubmissionStatus.REJECTED
    assert submission.payload["person_phone"] == "13957211234"


def test_place_staff_see_no_name_or_phone_of_an_anonymous_or_registered_submission(client, personas, regions):
    anonymous = submission_accept(actor=personas.township_staff, payload=payload(regions, is_anonymous=True))
    named = submission_accept(actor=personas.township_staff, payload=payload(regions))
    submissions_register_queued()

    client.force_login(personas.place_staff)
    for accepted in (anonymous, named):
        page = client.get(reverse("admin:cases_submission_change", args=[accepted.submission.pk]))
        assert page.status_code == 200
        assert "13957211234" not in page.content.decode() and "王秀英" not in page.content.decode()


def test_staff_without_view_contacts_see_a_payload_with_the_person_s_details_hidden(regions):
    submission = Submission(payload=payload(regions, title="井盖缺失"))
    shown = SubmissionAdmin(Submission, admin_site=None).payload_without_contacts(submission)
    assert "井盖缺失" in shown
    for secret in ("王秀英", "13957211234", "160号", "30.5452"):
        assert secret not in shown
    assert shown.count("（无权查看）") == len(PERSONAL_FIELDS)
