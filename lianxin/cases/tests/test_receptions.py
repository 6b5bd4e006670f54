import pytest

from lianxin.cases.models import ReceptionKind
from lianxin.cases.services import reception_close, reception_start
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.models import AuditEvent


def test_a_deputy_closes_their_own_session_with_the_people_received(loop, personas, regions):
    session = reception_start(
        actor=personas.deputy, deputy=loop.deputy, kind=ReceptionKind.MOBILE, region=regions.jueren
    )
    loop.register(session=session, channel="mobile")

    with pytest.raises(DomainError, match="不能少于本次已登记的意见建议数（1件）"):
        reception_close(actor=personas.deputy, session=session, people_received=0)
    reception_close(actor=personas.deputy, session=session, people_received=7)

    session.refresh_from_db()
    assert session.people_received == 7 and session.ended_at is not None
    assert AuditEvent.objects.filter(action="reception.close", actor=personas.deputy).count() == 1


def test_someone_outside_the_session_cannot_close_it(loop, personas, regions):
    session = reception_start(
        actor=personas.deputy, deputy=loop.deputy, kind=ReceptionKind.MOBILE, region=regions.jueren
    )

    for outsider in (personas.outsider, personas.grid_worker, personas.unit_handler):
        with pytest.raises(PermissionDenied):
            reception_close(actor=outsider, session=session, people_received=3)

    session.refresh_from_db()
    assert session.ended_at is None
