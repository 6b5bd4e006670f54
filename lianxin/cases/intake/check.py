"""Every refusal a registration can meet, raised before anything is written (so that API intake refuses a bad
submission at once instead of queueing it), and the case's fields derived from the draft (rules.py)."""

import datetime
from typing import Any

from django.utils import timezone

from lianxin.accounts.actors import Actor
from lianxin.cases import permissions as p
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.intake.rules import (
    BODY_LIMIT,
    TITLE_LIMIT,
    is_anonymous,
    normalize_phone,
    region_resolve,
    reply_preference,
    title_from_text,
)
from lianxin.cases.models import Channel, Urgency
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.fields import clean_text
from lianxin.deputies.models import Deputy

# When a case may say it was registered: a paper register is entered days or years late, but nothing predates
# the platform's era (a year-0001 date passed every check and then overflowed the deadline arithmetic in the
# worker), and a caller's clock a few minutes ahead of ours is not an error.
REGISTERED_AT_EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
REGISTERED_AT_SKEW = datetime.timedelta(minutes=5)


def registered_at_problem(value: datetime.datetime) -> str | None:
    """What is wrong with a registration time, in words for people (None: nothing). The API's schema and
    case_check both ask, so a bad date is refused at acceptance and again before anything is written."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value < REGISTERED_AT_EARLIEST:
        return "不能早于2000年1月1日"
    if value > timezone.now() + REGISTERED_AT_SKEW:
        return "不能晚于现在"
    return None


def case_check(*, actor: Actor, draft: CaseDraft) -> dict[str, Any]:
    """The case's fields from a draft, cleaned, derived and resolved; DomainError (or PermissionDenied) naming
    the field for anything a registration would refuse."""
    if draft.channel not in Channel.values:
        raise DomainError("field_invalid", f"渠道: “{draft.channel}”不是有效的渠道", field="channel")
    body = clean_text(draft.body, "body", "内容", limit=BODY_LIMIT, required=True)
    title = clean_text(draft.title, "title", "标题", limit=TITLE_LIMIT, required=False) or title_from_text(body)
    address = clean_text(draft.address, "address", "地点", limit=200, required=False)
    person_name = clean_text(draft.person_name, "person_name", "姓名", limit=50, required=False)
    person_phone = normalize_phone(draft.person_phone)
    anonymous = is_anonymous(channel=draft.channel, asked=draft.is_anonymous, name=person_name, phone=person_phone)
    if draft.is_anonymous:
        person_name = person_phone = ""
    reply_via = reply_preference(
        channel=draft.channel, requested=draft.reply_via, wants_reply=draft.wants_reply, phone=person_phone
    )
    lat, lng = draft.lat, draft.lng
    if (lat is None) != (lng is None):
        raise DomainError("location_invalid", "位置: 纬度和经度须同时提供", field="lat")
    if draft.urgency not in Urgency.values:
        raise DomainError("field_invalid", f"紧急程度: “{draft.urgency}”无效", field="urgency")
    if not 1 <= draft.people_count <= 10000:
        raise DomainError("field_invalid", "反映人数: 应为 1 到 10000", field="people_count")
    problem = registered_at_problem(draft.registered_at) if draft.registered_at is not None else None
    if problem is not None:
        raise DomainError("registered_at_invalid", f"登记时间: {problem}", field="registered_at")
    place, deputy, session = draft.place, draft.deputy, draft.session
    if session is not None:
        place, deputy = place or session.place, deputy or session.deputy
    region, grid = region_resolve(region=draft.region, grid=draft.grid, place=place, deputy=deputy, lat=lat, lng=lng)
    if p.is_user(actor) and not (
        p.can_handle_in(actor, region)
        or _is_actor_deputy(actor, deputy)
        or (draft.grid_worker is not None and draft.grid_worker.user_id == actor.pk)
    ):
        raise PermissionDenied("您不能在该区划登记意见建议")
    return dict(
        channel=draft.channel,
        region=region,
        place=place,
        deputy=deputy,
        grid=grid,
        grid_worker=draft.grid_worker,
        session=session,
        category=draft.category,
        lat=lat,
        lng=lng,
        address=address,
        title=title,
        body=body,
        person_name=person_name,
        person_phone=person_phone,
        is_anonymous=anonymous,
        reply_via=reply_via,
        people_count=draft.people_count,
        external_id=clean_text(draft.external_id, "external_id", "外部编号", limit=64, required=False),
        registered_at=draft.registered_at or timezone.now(),
        urgency=draft.urgency,
        created_by=actor if p.is_user(actor) else None,
    )


def _is_actor_deputy(actor: Actor, deputy: Deputy | None) -> bool:
    return deputy is not None and deputy.user_id == actor.pk
