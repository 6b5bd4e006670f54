"""Several registration workers at once (run_worker --queue intake, more than one process): each takes the next
row no other worker holds."""

import pytest
from django.db import connection, connections

from lianxin.accounts.roles import Role
from lianxin.cases.intake.queue import submission_accept, submissions_register_queued
from lianxin.cases.models import Submission, SubmissionStatus


@pytest.mark.skipif(not connection.features.has_select_for_update_skip_locked, reason="SKIP LOCKED (PostgreSQL)")
def test_a_worker_takes_the_next_free_submission_while_another_holds_the_oldest(transactional_db, regions, make_user):
    clerk = make_user("clerk", Role.TOWNSHIP_STAFF, regions.wukang)
    payload = {"channel": "hotline", "title": "路灯不亮", "body": "三盏路灯不亮。", "region": regions.jueren.code}
    oldest, second = (submission_accept(actor=clerk, payload=payload).submission for _ in range(2))

    other = connections.create_connection("default")  # another worker, in the middle of registering the oldest
    other.set_autocommit(False)
    with other.cursor() as cursor:
        cursor.execute("select id from cases_submission where id = %s for update", [oldest.pk])
        try:
            assert submissions_register_queued(limit=1) == 1  # did not wait, did not give up
        finally:
            other.rollback()
            other.close()

    statuses = dict(Submission.objects.values_list("pk", "status"))
    assert statuses == {oldest.pk: SubmissionStatus.QUEUED, second.pk: SubmissionStatus.REGISTERED}
