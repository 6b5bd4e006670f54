"""Writes of the workbench's own records. Cases and receptions go through lianxin.cases.services."""

import datetime

from django.db import transaction
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.services import object_delete, object_save
from lianxin.deputies.models import Deputy, DutyShift
from lianxin.regions.models import Region
from lianxin.venues.models import Place
from lianxin.workbench.models import DiaryEntry


def diary_add(
    *, actor: User, deputy: Deputy, text: str, date: datetime.date | None = None, region: Region | None = None
) -> DiaryEntry:
    """A deputy writes in their own diary (nobody writes in someone else's)."""
    if actor is None or deputy.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("只能在自己的民情日记中记录")
    text = (text or "").strip()
    if not text:
        raise DomainError("field_required", "民情日记: 不能为空", field="text")
    if len(text) > 5000:
        raise DomainError("field_too_long", f"民情日记: 不能超过5000字，现为{len(text)}字", field="text")
    date = date or timezone.localdate()
    if date > timezone.localdate():
        raise DomainError("field_invalid", "日期: 不能晚于今天", field="date")
    with transaction.atomic():
        entry = DiaryEntry.objects.create(deputy=deputy, date=date, region=region, text=text)
        audit_record(actor=actor, action="diary.add", obj=entry, region_path=region.path if region else "")
    return entry


def _may_edit_roster(actor: User, place: Place) -> None:
    if not may(actor, Perm.MANAGE_ROSTER, place.region.path):
        raise PermissionDenied("您不能编排该家站室的接待排班")


def shift_add(
    *,
    actor: User,
    place: Place,
    deputy: Deputy,
    date: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    note: str = "",
) -> DutyShift:
    """Put a deputy on a place's duty roster (代表接待日)."""
    _may_edit_roster(actor, place)
    if end_time <= start_time:
        raise DomainError("field_invalid", "结束时间: 应晚于开始时间", field="end_time")
    if date < timezone.localdate():
        raise DomainError("field_invalid", "日期: 不能早于今天", field="date")
    if DutyShift.objects.filter(place=place, deputy=deputy, date=date, start_time=start_time).exists():
        raise DomainError("shift_exists", "该代表在这一时间已有排班", field="start_time")
    shift = DutyShift(
        place=place, deputy=deputy, date=date, start_time=start_time, end_time=end_time, note=note.strip()[:200]
    )
    object_save(
        actor=actor,
        obj=shift,
        before={},
        fields=["deputy", "date", "start_time", "end_time", "note"],
        region_path=place.region.path,
    )
    return shift


def shift_remove(*, actor: User, shift: DutyShift) -> None:
    _may_edit_roster(actor, shift.place)
    object_delete(actor=actor, obj=shift, region_path=shift.place.region.path)
