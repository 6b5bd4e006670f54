"""`lianxin run_worker --once` registers what API intake queued, then sends the notifications it made."""

from django.core.management import call_command

from lianxin.accounts.roles import Role
from lianxin.cases.intake.queue import submission_accept
from lianxin.cases.models import Case, Submission
from lianxin.notifications.models import Notification


def test_one_round_of_the_worker_registers_queued_submissions_and_delivers_their_notices(regions, make_user):
    clerk = make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang)
    payload = {
        "channel": "hotline",
        "title": "居仁路积水",
        "body": "雨后积水没过脚踝。",
        "region": regions.jueren.code,
        "person_phone": "13957211234",
        "reply_via": "sms",
    }
    accepted = submission_accept(actor=clerk, payload=payload, idempotency_key="user:1:a").submission

    call_command("run_worker", "--once", "--job", "cases_register_submissions")

    case = Case.objects.get(receipt_code=accepted.receipt_code)
    assert Submission.objects.get(pk=accepted.pk).case == case
    notice = Notification.objects.get(case=case, kind="case.registered", recipient="13957211234")
    assert notice.status == "sent"
