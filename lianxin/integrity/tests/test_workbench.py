"""The phone page /w/integrity/: a point's deputy or staff member reports a clue and sees the status of their own
clues only; anyone else gets a 404."""

import pytest

from lianxin.integrity import services
from lianxin.integrity.models import Clue
from lianxin.integrity.tests.conftest import MARKER
from lianxin.integrity.workflow import ClueAction, clue_transition

pytestmark = pytest.mark.django_db

URL = "/w/integrity/"


def test_a_deputy_of_the_point_reports_a_clue_from_the_phone(client, world):
    client.force_login(world.deputy_user)
    response = client.post(URL, {"point": world.point.pk, "subject": "某所所长", "text": "反映公车私用"})
    assert response.status_code == 302
    clue = Clue.objects.get(subject="某所所长")
    assert clue.reporter == world.deputy_user and clue.reporter_deputy == world.deputy
    assert clue.events.get().action == "report"


def test_the_reporter_sees_the_status_of_their_own_clues_but_not_their_handling_or_others(client, world):
    clue_transition(clue=world.clue, action=ClueAction.SHARE, actor=world.integrity, params={"register_ref": "HT-77"})
    other = services.clue_report(actor=world.monitor, point=world.point, subject="另一单位", text="另一线索")
    client.force_login(world.deputy_user)
    html = client.get(URL).content.decode()
    assert world.clue.number in html and "信息互通" in html
    assert "HT-77" not in html and MARKER not in html
    assert other.number not in html


def test_an_empty_clue_is_refused_beside_its_field(client, world):
    client.force_login(world.monitor)
    response = client.post(URL, {"point": world.point.pk, "subject": "某局", "text": ""})
    assert response.status_code == 200
    assert "线索内容: 不能为空" in response.content.decode()
    assert Clue.objects.count() == 1


@pytest.mark.parametrize("who", ["county_staff", "grid_worker", "no_role"])
def test_someone_who_is_no_member_and_reported_nothing_gets_404(client, world, who):
    client.force_login(getattr(world.personas, who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"point": world.point.pk, "subject": "x", "text": "y"}).status_code == 404
    assert Clue.objects.count() == 1
