"""The demo's legislation step on its own: a contact point, a passed draft of forty-one articles with about two
hundred comments in every state and its public feedback, and an open draft; then cleared."""

import datetime
import random

import pytest
from django.utils import timezone

from lianxin.accounts.roles import Role
from lianxin.demo.seed.legislation import clear_legislation, write_legislation
from lianxin.legislation import selectors as sel
from lianxin.legislation.models import CommentStatus, ContactPoint, Draft, DraftStatus, Outcome
from lianxin.legislation.services import period_check
from lianxin.venues.models import Place, PlaceKind

pytestmark = pytest.mark.django_db


def test_the_demo_writes_a_passed_draft_with_comments_in_every_state(regions, make_user):
    Place.objects.create(kind=PlaceKind.STATION, name="居仁社区代表工作站", region=regions.jueren)
    make_user("county", Role.COUNTY_STAFF, regions.deqing)
    today = timezone.localdate()
    write_legislation(random.Random("1:legislation"), today=today)
    main = Draft.objects.get(title="德清县农村生活垃圾分类管理条例（草案）")
    assert main.status == DraftStatus.PASSED
    assert main.sections.filter(level="article").count() == 41
    assert main.comments.count() == 200
    assert main.comments.filter(status=CommentStatus.HIDDEN).count() == 3
    assert main.comments.exclude(quote_text="").exists()
    assert main.comments.filter(support_count__gt=0).exists()
    outcomes = set(main.summaries.values_list("outcome", flat=True))
    assert outcomes == set(Outcome.values)
    assert sel.feedback_rows(draft=main)
    national = Draft.objects.get(kind="national")
    period_check(national)  # open now: a visitor may comment
    assert national.closes_on > today - datetime.timedelta(days=1)
    clear_legislation()
    assert not Draft.objects.exists() and not ContactPoint.objects.exists()
