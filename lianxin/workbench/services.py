"""Writes of the workbench's own records. Cases and receptions go through lianxin.cases.services."""

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.deputies.models import Deputy
from lianxin.regions.models import Region
from lianxin.workbench.models import DiaryEntry


def diary_add(
    *, actor: Any, deputy: Deputy, text: str, date: datetime.date | None = None, region: Region | None = None
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
