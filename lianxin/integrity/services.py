"""Writes of the integrity records: monitoring points and their members, reporting a clue and attaching files. A
clue's later steps are lianxin.integrity.workflow. Each write is checked, atomic and audited (no confidential text in
the audit rows: see lianxin.integrity.audit)."""

import os
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, NotFound, PermissionDenied
from lianxin.core.fields import clean_text
from lianxin.deputies.models import Deputy
from lianxin.integrity import notify
from lianxin.integrity.audit import audit_clue, audit_denied
from lianxin.integrity.models import Clue, ClueAttachment, ClueEvent, ClueStatus, MonitoringPoint
from lianxin.integrity.permissions import can_handle_clue, can_manage_integrity, can_report_at
from lianxin.integrity.selectors import CLUE_NOT_FOUND
from lianxin.regions.models import Region, RegionLevel
from lianxin.venues.models import Place

POINT_LEVELS = (RegionLevel.TOWNSHIP, RegionLevel.VILLAGE)
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
ATTACHMENT_TYPES = (".jpg", ".jpeg", ".png", ".pdf", ".docx", ".doc", ".xlsx", ".txt")


def point_create(*, actor: Any, name: str, region: Region, place: Place | None = None) -> MonitoringPoint:
    if not can_manage_integrity(actor, region.path):
        raise NotFound("未找到该区划，或不在您的管辖范围内")
    name = clean_text(name, "name", "监测点名称", limit=100, required=True)
    if region.level not in POINT_LEVELS:
        raise DomainError("point_region_level", "监测点应设在乡镇（街道）或村（社区）", field="region")
    if place is not None and not place.region.path.startswith(region.path):
        raise DomainError("point_place_outside", "所选家站室不在监测点所在区划内", field="place")
    if MonitoringPoint.objects.filter(region=region, name=name).exists():
        raise DomainError("point_name_taken", f"{region.name}已有名为“{name}”的监测点", field="name")
    with transaction.atomic():
        point = MonitoringPoint.objects.create(name=name, region=region, place=place)
        audit_record(actor=actor, action="integrity.point_create", obj=point, region_path="")
    return point


def point_set_members(
    *, actor: Any, point: MonitoringPoint, staff: Iterable[Any], deputies: Iterable[Deputy]
) -> MonitoringPoint:
    """The point's staff (accounts) and deputies, replacing the lists. Deputies must live or serve in the region."""
    if not can_manage_integrity(actor, point.region.path):
        raise NotFound("未找到该监测点，或不在您的管辖范围内")
    staff, deputies = list(staff), list(deputies)
    with transaction.atomic():
        before = (sorted(point.staff.values_list("pk", flat=True)), sorted(point.deputies.values_list("pk", flat=True)))
        point.staff.set(staff)
        point.deputies.set(deputies)
        after = (sorted(u.pk for u in staff), sorted(d.pk for d in deputies))
        audit_record(
            actor=actor,
            action="integrity.point_members",
            obj=point,
            changes={"staff": [before[0], after[0]], "deputies": [before[1], after[1]]},
            region_path="",
        )
    return point


def point_set_active(*, actor: Any, point: MonitoringPoint, active: bool) -> MonitoringPoint:
    if not can_manage_integrity(actor, point.region.path):
        raise NotFound("未找到该监测点，或不在您的管辖范围内")
    if point.is_active != active:
        with transaction.atomic():
            MonitoringPoint.objects.filter(pk=point.pk).update(is_active=active)
            audit_record(
                actor=actor,
                action="integrity.point_active",
                obj=point,
                changes={"is_active": [point.is_active, active]},
                region_path="",
            )
        point.is_active = active
    return point


def clue_report(
    *,
    actor: Any,
    point: MonitoringPoint,
    subject: str,
    text: str,
    deputy: Deputy | None = None,
    files: Iterable[UploadedFile] = (),
) -> Clue:
    """A member of the point reports a clue (a deputy: `deputy` is theirs, found from the account when not given);
    integrity staff may enter one for a point of their scope, naming the deputy who told them."""
    if not can_report_at(actor, point):
        raise PermissionDenied("您不是该监测点的监测员或代表，不能报告线索")
    subject = clean_text(subject, "subject", "反映对象（单位、职务）", limit=200, required=True)
    text = clean_text(text, "text", "线索内容", limit=5000, required=True)
    files = list(files)
    _check_files(files, already=0)
    if deputy is None:
        deputy = point.deputies.filter(user_id=actor.pk).first()
    elif not point.deputies.filter(pk=deputy.pk).exists():
        raise DomainError("clue_deputy_not_member", "所选代表不是该监测点的监测代表", field="deputy")
    for attempt in range(5):
        try:
            with transaction.atomic():
                clue = Clue.objects.create(
                    number=_next_number(attempt),
                    point=point,
                    region=point.region,
                    reporter=actor,
                    reporter_deputy=deputy,
                    subject=subject,
                    text=text,
                )
                break
        except IntegrityError:  # two reports took the same number at once: take the next
            continue
    else:  # pragma: no cover - five collisions in a row
        raise DomainError("clue_conflict", "线索编号冲突，请重试")
    with transaction.atomic():
        ClueEvent.objects.create(clue=clue, action="report", new_status=ClueStatus.REGISTERED, actor=actor)
        for file in files:
            _attach(clue, file)
        audit_clue(actor=actor, action="integrity.clue_report", clue=clue, changes={"attachments": len(files)})
        notify.clue_reported(clue, actor=actor)
    return clue


def clue_attach(*, actor: Any, clue: Clue, files: Iterable[UploadedFile]) -> list[ClueAttachment]:
    if not can_handle_clue(actor, clue):
        audit_denied(actor=actor, clue_id=clue.pk, where="上传附件")
        raise NotFound(CLUE_NOT_FOUND)
    files = list(files)
    _check_files(files, already=clue.attachments.count())
    with transaction.atomic():
        made = [_attach(clue, file) for file in files]
        audit_clue(actor=actor, action="integrity.clue_attach", clue=clue, changes={"attachments": len(made)})
    return made


def _attach(clue: Clue, file: UploadedFile) -> ClueAttachment:
    name = os.path.basename(file.name or "附件")[:200]
    attachment = ClueAttachment(clue=clue, name=name)
    attachment.file.save(f"{clue.number}{os.path.splitext(name)[1].lower()}", file, save=False)
    attachment.save()
    return attachment


def _check_files(files: list[UploadedFile], *, already: int) -> None:
    if already + len(files) > MAX_ATTACHMENTS:
        raise DomainError("clue_too_many_files", f"附件: 每条线索最多{MAX_ATTACHMENTS}个", field="files")
    for file in files:
        extension = os.path.splitext(file.name or "")[1].lower()
        if extension not in ATTACHMENT_TYPES:
            raise DomainError(
                "clue_file_type",
                f"附件: “{file.name}”的类型不受支持（可上传图片、PDF、Word、Excel、文本）",
                field="files",
            )
        if (file.size or 0) > MAX_ATTACHMENT_BYTES:
            raise DomainError("clue_file_too_large", f"附件: “{file.name}”超过10MB", field="files")


def _next_number(offset: int) -> str:
    """LQ + year + a four-digit sequence of the year (LQ20260007)."""
    prefix = f"LQ{timezone.localdate().year}"
    count = Clue.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{count + 1 + offset:04d}"
