"""Writes of the workbench's own records. Cases and receptions go through lianxin.cases.services."""

import datetime
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Category, Channel
from lianxin.cases.services import Registration, case_register
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.services import object_delete, object_save
from lianxin.deputies.models import Deputy, DutyShift, GridWorker
from lianxin.publicweb.photos import MAX_PHOTOS, photo_clean
from lianxin.regions.models import Region
from lianxin.venues.models import Place
from lianxin.workbench.models import DiaryEntry
from lianxin.workbench.selectors import DIARY_CASE_KEY


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


def diary_to_case(*, actor: User, entry: DiaryEntry) -> Registration:
    """转为群众意见: the deputy's own diary entry becomes a case of the channel 代表走访, registered through the intake
    (its region is the entry's, or the deputy's district). A second tap returns the first case (DIARY_CASE_KEY)."""
    if actor is None or entry.deputy.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("只能把自己的民情日记转为群众意见")
    draft = CaseDraft(
        channel=Channel.VISIT,
        body=entry.text,
        region=entry.region,
        deputy=entry.deputy,
        idempotency_key=f"{DIARY_CASE_KEY}{entry.pk}",
    )
    with transaction.atomic():
        registration = case_register(actor=actor, draft=draft)
        if registration.created:
            audit_record(
                actor=actor,
                action="diary.to_case",
                obj=entry,
                region_path=registration.case.region.path,
                changes={"case": registration.case.receipt_code},
            )
    return registration


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


# Grid workers (网格员) --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Photo:
    file: IO[bytes]
    size: int


def _own_worker(actor: User, grid_worker: GridWorker) -> None:
    if actor is None or not grid_worker.is_active or grid_worker.user_id != getattr(actor, "pk", None):
        raise PermissionDenied("只能以本人的网格员身份操作")


def grid_report_submit(
    *,
    actor: User,
    grid_worker: GridWorker,
    text: str,
    form_token: str,
    category: Category | None = None,
    photos: list[Photo] | None = None,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    person_name: str = "",
    person_phone: str = "",
) -> Registration:
    """A grid worker reports a problem in their grid (网格员上报): a case on the grid-worker channel, registered in
    their grid, with the photos cleaned (photo_clean) and attached in the same transaction. Without a location the
    case is placed in the grid itself; a location outside the grid is refused. `person_*` is the resident the worker
    reports for, if any. The form token makes a double submit return the first case."""
    _own_worker(actor, grid_worker)
    if (lat is None) != (lng is None):
        lat = lng = None  # half a position is no position
    photos = photos or []
    if len(photos) > MAX_PHOTOS:
        raise DomainError("photo_count", f"照片: 最多{MAX_PHOTOS}张", field="photos")
    cleaned = tuple(photo_clean(photo.file, size=photo.size, number=n) for n, photo in enumerate(photos, start=1))
    draft = CaseDraft(
        channel=Channel.GRID_WORKER,
        body=text,
        grid=grid_worker.grid,
        grid_worker=grid_worker,
        category=category,
        lat=lat,
        lng=lng,
        address=address,
        person_name=person_name,
        person_phone=person_phone,
        photos=cleaned,
        idempotency_key=f"grid:{actor.pk}:{form_token}",
    )
    return case_register(actor=actor, draft=draft)
