"""Activities and attendance from spreadsheets: what a congress or a place kept on paper (the year's plan, the signed
attendance sheets), entered at once. All-or-nothing: every bad cell of the file is reported with its row and column
in Chinese, and nothing is written (lianxin.core.tabular).

Activities (ACTIVITY_COLUMNS): 类型 (the Chinese label, e.g. 走访群众), 名称, 开始时间, 结束时间, 地点, 区划代码, 组织单位,
学时 (trainings), 受邀代表 (names separated by 、; 姓名（代表编号） where two deputies share a name). Each row is created
by `activity_create`, as the staff member who imports, with its invitations.

Attendance (ATTENDANCE_COLUMNS): 活动 (the activity's number, or its name with 日期), 代表, 出席 (已签到/请假/缺席), 说明.
Each row records one deputy's attendance the way staff record it by hand: 已签到 as a sign-in by staff (the sheet is
the evidence), 请假 as leave granted by the importer, 缺席 as absent; a deputy who signed in by QR is not made absent or
on leave by a sheet. A deputy not invited is recorded too, marked uninvited, as at the door.
"""

import datetime
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from openpyxl.utils.datetime import from_excel

from lianxin.accounts.actors import is_user
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.tabular import (
    DATE_RE,
    CellError,
    Choice,
    Column,
    Date,
    Digits,
    ImportResult,
    ListOf,
    Number,
    Parser,
    Progress,
    Row,
    Sheet,
    Text,
    read_sheet,
)
from lianxin.deputies.models import Deputy
from lianxin.duties.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Attendance,
    AttendanceStatus,
    SignInMethod,
)
from lianxin.duties.services import activity_create
from lianxin.regions.models import Region
from lianxin.workdays.calendar import CHINA

# --- cells -------------------------------------------------------------------------------------------------------


def _compact(value: Any) -> str:
    """Full-width digits and colons (２０２６：) as ASCII, every space removed."""
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


class DateTime(Parser):
    """A date-and-time cell, or text like 2026-03-05 09:00, 2026/3/5 9:30, 2026年3月5日 14:00; Beijing time."""

    number_format = "yyyy-mm-dd hh:mm"

    def __call__(self, value: Any) -> datetime.datetime:
        if isinstance(value, datetime.datetime):
            return value.replace(tzinfo=CHINA) if value.tzinfo is None else value
        if isinstance(value, datetime.date):
            raise CellError(f"须写明时间，如 {value:%Y-%m-%d} 09:00")
        if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2958466:
            return from_excel(value).replace(tzinfo=CHINA)  # a cell formatted as "General" shows a serial number
        text = str(value).strip()
        plain = " ".join(unicodedata.normalize("NFKC", text).split())
        match = re.fullmatch(
            DATE_RE.pattern + r"(?:T|\s+|(?<=日))(\d{1,2})\s*[:点时]\s*(\d{1,2})?\s*分?(?::\d{2})?", plain
        )
        if not match:
            raise CellError(f"时间格式应为 2026-03-05 09:00，实为“{text}”")
        year, month, day, hour, minute = (int(part or 0) for part in match.groups())
        try:
            return datetime.datetime(year, month, day, hour, minute, tzinfo=CHINA)
        except ValueError:
            raise CellError(f"时间不存在：“{text}”") from None

    def render(self, value: Any) -> Any:
        return timezone.localtime(value, CHINA).replace(tzinfo=None) if isinstance(value, datetime.datetime) else value


# Receptions are recorded by the cases app; the label is understood so that the row gets a clear error, not a list.
KIND = Choice(
    [(value, label) for value, label in ActivityKind.choices if value != ActivityKind.RECEPTION],
    aliases={"接待选民": ActivityKind.RECEPTION, "接待": ActivityKind.RECEPTION, "培训": ActivityKind.TRAINING,
             "述职": ActivityKind.REPORT, "调解": ActivityKind.MEDIATION, "走访": ActivityKind.VISIT},
)  # fmt: skip

ACTIVITY_COLUMNS = [
    Column("类型", "kind", required=True, parse=KIND, aliases=("活动类型",)),
    Column("名称", "title", required=True, parse=Text(max_length=120), aliases=("活动名称", "主题")),
    Column("开始时间", "starts_at", required=True, parse=DateTime()),
    Column("结束时间", "ends_at", required=True, parse=DateTime()),
    Column("地点", "location", parse=Text(max_length=200), aliases=("活动地点",)),
    Column("区划代码", "region", required=True, parse=Digits(12, "区划代码", shorter=(6, 9)),
           aliases=("所在区划代码",)),
    Column("组织单位", "organiser_name", parse=Text(max_length=100), aliases=("组织者",)),
    Column("学时", "hours", parse=Number(min_value=0.5, max_value=100), default=None),
    Column("受邀代表", "invited", parse=ListOf(Text(max_length=60)), default=list, aliases=("参加代表", "邀请代表"),
           width=40),
]  # fmt: skip

PRESENCE = Choice(
    [(AttendanceStatus.PRESENT, "已签到"), (AttendanceStatus.ON_LEAVE, "请假"), (AttendanceStatus.ABSENT, "缺席")],
    aliases={"出席": AttendanceStatus.PRESENT, "签到": AttendanceStatus.PRESENT, "到": AttendanceStatus.PRESENT,
             "已请假": AttendanceStatus.ON_LEAVE, "准假": AttendanceStatus.ON_LEAVE, "未到": AttendanceStatus.ABSENT,
             "未出席": AttendanceStatus.ABSENT},
)  # fmt: skip

ATTENDANCE_COLUMNS = [
    Column("活动", "activity", required=True, parse=Text(max_length=120), aliases=("活动名称", "活动编号")),
    Column("日期", "day", parse=Date(), default=None, aliases=("活动日期",)),
    Column("代表", "deputy", required=True, parse=Text(max_length=60), aliases=("代表姓名", "姓名")),
    Column("出席", "status", required=True, parse=PRESENCE, aliases=("出席情况", "签到情况")),
    Column("说明", "reason", parse=Text(max_length=300), aliases=("备注", "请假理由")),
]  # fmt: skip

# 王芳（12）: a name with the deputy's number, for two deputies of the same name.
NAME_WITH_ID = re.compile(r"^(.+?)\s*[（(]\s*(\d+)\s*[)）]$")

# Where a service's refusal lands in the sheet (its `field` → a column key).
ACTIVITY_FIELDS = {
    "kind": "kind",
    "title": "title",
    "ends_at": "ends_at",
    "starts_at": "starts_at",
    "location": "location",
    "organiser_name": "organiser_name",
    "hours": "hours",
    "place": "region",
    "deputies": "invited",
}


def _require_staff(actor: Any) -> None:
    if not is_user(actor) or not may(actor, Perm.MANAGE_DUTIES):
        raise PermissionDenied("只有人大或家站室工作人员可以导入履职活动")


class _Deputies:
    """The deputies the actor sees, by name, to resolve a sheet's names with one query."""

    def __init__(self, actor: Any, texts: set[str]) -> None:
        names = {NAME_WITH_ID.match(t).group(1) if NAME_WITH_ID.match(t) else t for t in texts}  # type: ignore[union-attr]
        self.by_name: dict[str, list[Deputy]] = defaultdict(list)
        for deputy in Deputy.objects.visible_to(actor).filter(name__in=names).order_by("pk"):
            self.by_name[deputy.name].append(deputy)

    def find(self, text: str, among: list[Deputy] | None = None) -> tuple[Deputy | None, str]:
        """The deputy a cell names (preferring `among`, e.g. those invited), or None and what is wrong."""
        match = NAME_WITH_ID.match(text)
        name, wanted = (match.group(1), int(match.group(2))) if match else (text, None)
        everyone = self.by_name.get(name, [])
        if wanted is not None:
            everyone = [d for d in everyone if d.pk == wanted]
            if not everyone:
                return None, f"没有代表编号为 {wanted} 的“{name}”，或不在您的管辖范围内"
        if among is not None:
            preferred = [d for d in everyone if d.pk in {a.pk for a in among}]
            everyone = preferred or everyone
        if not everyone:
            return None, f"没有名为“{name}”的代表，或不在您的管辖范围内，请核对姓名"
        if len(everyone) > 1:
            numbers = "、".join(str(d.pk) for d in everyone)
            return None, f"有{len(everyone)}位代表名为“{name}”，请写成“{name}（代表编号）”，代表编号为 {numbers}"
        return everyone[0], ""


# --- activities ----------------------------------------------------------------------------------------------------


@dataclass
class _ActivityPlan:
    row: Row
    region: Region
    invited: list[Deputy] = field(default_factory=list)


def _check_activities(actor: Any, sheet: Sheet) -> list[_ActivityPlan]:
    texts = {text for row in sheet.rows for text in row.get("invited") or []}
    deputies = _Deputies(actor, texts)
    codes = {row["region"] for row in sheet.rows if row.ok("region") and row.get("region")}
    regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
    seen: dict[tuple[str, datetime.datetime], int] = {}
    plans = []
    for row in sheet.rows:
        if row.ok("kind") and row.get("kind") == ActivityKind.RECEPTION:
            sheet.error(row, "kind", "接待选民请在“接待登记”中记录，会自动计入履职，不必导入")
        starts, ends = row.get("starts_at"), row.get("ends_at")
        if starts and ends and row.ok("starts_at", "ends_at") and ends <= starts:
            sheet.error(row, "ends_at", "应晚于开始时间")
        region = regions.get(row.get("region") or "")
        if row.ok("region") and row.get("region"):
            if region is None:
                sheet.error(row, "region", f"区划代码“{row['region']}”不存在")
            elif not may(actor, Perm.MANAGE_DUTIES, region.path):
                sheet.error(row, "region", f"{region.name}不在您的管辖范围内")
        title = row.get("title") or ""
        if title and starts and row.ok("title", "starts_at"):
            key = (title, starts)
            if key in seen:
                sheet.error(row, "title", f"与第{seen[key]}行是同一活动（名称和开始时间相同）")
            elif Activity.objects.filter(title=title, starts_at=starts).exists():
                sheet.error(row, "title", "已有名称和开始时间相同的活动，请勿重复导入")
            seen.setdefault(key, row.number)
        invited: list[Deputy] = []
        if row.ok("invited"):
            for text in row.get("invited") or []:
                deputy, problem = deputies.find(text)
                if problem:
                    sheet.error(row, "invited", problem)
                elif deputy is not None and deputy not in invited:
                    invited.append(deputy)
        if region is not None:
            plans.append(_ActivityPlan(row=row, region=region, invited=invited))
    return plans


def activities_import(
    *, actor: Any, file: IO[bytes] | bytes, filename: str, progress: Progress | None = None
) -> ImportResult:
    """Every row as a planned activity organised by `actor` with its invitations, or nothing (ImportRejected)."""
    _require_staff(actor)
    sheet = read_sheet(file=file, filename=filename, columns=ACTIVITY_COLUMNS)
    plans = _check_activities(actor, sheet)
    sheet.raise_if_errors()
    total = len(plans)
    with transaction.atomic():
        for index, plan in enumerate(plans):
            if progress is not None:
                progress(index, total, f"正在写入第{index + 1}项活动（共{total}项）")
            row = plan.row
            hours = row.get("hours")
            try:
                with transaction.atomic():
                    activity_create(
                        actor=actor,
                        kind=row["kind"],
                        title=row["title"],
                        region=plan.region,
                        starts_at=row["starts_at"],
                        ends_at=row["ends_at"],
                        location=row.get("location") or "",
                        organiser_name=row.get("organiser_name") or "",
                        hours=Decimal(str(hours)).quantize(Decimal("0.1")) if hours is not None else None,
                        invited=plan.invited,
                    )
            except DomainError as exc:
                # What the checks above did not foresee: the row's error, nothing written.
                sheet.error(row, ACTIVITY_FIELDS.get(exc.field or "", "title"), exc.message.split(": ", 1)[-1])
        sheet.raise_if_errors()
        if progress is not None:
            progress(total, total, "导入完成")
    return ImportResult(created=total, updated=0)


# --- attendance ----------------------------------------------------------------------------------------------------


def _organised_by(actor: Any) -> Any:
    """The activities the actor may record attendance of: those of the regions where they organise."""
    return Activity.objects.visible_to(actor).select_related("region")


def _find_activity(actor: Any, row: Row, sheet: Sheet, cache: dict[Any, Activity | None]) -> Activity | None:
    text = _compact(row["activity"]).lstrip("#") if row["activity"] else ""
    day = row.get("day")
    if text.isdigit():
        key: Any = ("id", int(text))
        if key not in cache:
            cache[key] = _organised_by(actor).filter(pk=int(text)).first()
        if cache[key] is None:
            sheet.error(row, "activity", f"没有编号为 {text} 的活动，或不在您的管辖范围内")
        return cache[key]
    title = row["activity"]
    if day is None:
        if row.ok("day"):
            sheet.error(row, "day", f"按名称“{title}”查找活动时须填写活动日期")
        return None
    key = ("title", title, day)
    if key not in cache:
        low = datetime.datetime.combine(day, datetime.time.min, tzinfo=CHINA)
        found = list(
            _organised_by(actor).filter(
                title=title, starts_at__gte=low, starts_at__lt=low + datetime.timedelta(days=1)
            )[:2]
        )
        if len(found) > 1:
            sheet.error(row, "activity", f"{day:%Y-%m-%d}有多项名为“{title}”的活动，请填写活动编号")
            return None
        cache[key] = found[0] if found else None
    if cache[key] is None:
        sheet.error(row, "activity", f"{day:%Y-%m-%d}没有名为“{title}”的活动，或不在您的管辖范围内")
    return cache[key]


@dataclass
class _AttendancePlan:
    row: Row
    activity: Activity
    deputy: Deputy
    status: str


def _check_attendance(actor: Any, sheet: Sheet) -> list[_AttendancePlan]:
    deputies = _Deputies(actor, {row["deputy"] for row in sheet.rows if row.get("deputy")})
    activities: dict[Any, Activity | None] = {}
    invited: dict[int, list[Deputy]] = {}
    current: dict[tuple[int, int], Attendance] = {}
    seen: dict[tuple[int, int], int] = {}
    now = timezone.now()
    plans = []
    for row in sheet.rows:
        activity = _find_activity(actor, row, sheet, activities) if row.ok("activity") and row.get("activity") else None
        if activity is None:
            continue
        if not may(actor, Perm.MANAGE_DUTIES, activity.region.path):
            sheet.error(row, "activity", f"“{activity.title}”不在您组织活动的范围内")
            continue
        if activity.status == ActivityStatus.CANCELLED:
            sheet.error(row, "activity", f"“{activity.title}”已取消")
            continue
        if activity.pk not in invited:
            rows = list(Attendance.objects.filter(activity=activity).select_related("deputy"))
            invited[activity.pk] = [a.deputy for a in rows]
            current.update({(activity.pk, a.deputy_id): a for a in rows})
        status = row.get("status")
        if status in (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT) and activity.starts_at > now:
            sheet.error(row, "status", f"“{activity.title}”尚未开始，只能登记请假")
        if not row.ok("deputy") or not row.get("deputy"):
            continue
        deputy, problem = deputies.find(row["deputy"], among=invited[activity.pk])
        if deputy is None:
            sheet.error(row, "deputy", problem)
            continue
        key = (activity.pk, deputy.pk)
        if key in seen:
            sheet.error(row, "deputy", f"与第{seen[key]}行是同一活动的同一代表")
        seen.setdefault(key, row.number)
        existing = current.get(key)
        if (
            existing is not None
            and existing.status == AttendanceStatus.PRESENT
            and existing.method == SignInMethod.QR
            and status != AttendanceStatus.PRESENT
        ):
            when = timezone.localtime(existing.signed_in_at, CHINA) if existing.signed_in_at else None
            sheet.error(
                row, "status", f"{deputy.name}已于 {when:%m-%d %H:%M} 扫码签到，不能改为“{PRESENCE.render(status)}”"
            )
        if row.ok("status") and status:
            plans.append(_AttendancePlan(row=row, activity=activity, deputy=deputy, status=status))
    return plans


def _record(actor: Any, plan: _AttendancePlan, filename: str) -> bool:
    """One deputy's attendance as the sheet says; False when it already said so (nothing written)."""
    row = plan.row
    attendance, _created = Attendance.objects.select_for_update().get_or_create(
        activity=plan.activity, deputy=plan.deputy, defaults={"invited": False}
    )
    if attendance.status == plan.status:
        return False
    before = attendance.status
    now = timezone.now()
    reason = row.get("reason") or f"按“{filename}”第{row.number}行登记"
    changes: dict[str, Any] = {"status": plan.status, "reason": reason[:300]}
    if plan.status == AttendanceStatus.PRESENT:
        changes.update(signed_in_at=min(plan.activity.starts_at, now), method=SignInMethod.MANUAL, decided_by=actor)
    elif plan.status == AttendanceStatus.ON_LEAVE:
        changes.update(decided_by=actor, decided_at=now, signed_in_at=None, method="")
    else:
        changes.update(signed_in_at=None, method="")
    Attendance.objects.filter(pk=attendance.pk).update(**changes)
    audit_record(
        actor=actor,
        action="duties.attendance_import",
        obj=attendance,
        region_path=plan.activity.region.path,
        changes={"status": [before, plan.status], "file": filename, "row": row.number},
    )
    return True


def attendance_import(
    *, actor: Any, file: IO[bytes] | bytes, filename: str, progress: Progress | None = None
) -> ImportResult:
    """Every row's attendance recorded, or nothing (ImportRejected lists every bad cell)."""
    _require_staff(actor)
    sheet = read_sheet(file=file, filename=filename, columns=ATTENDANCE_COLUMNS)
    plans = _check_attendance(actor, sheet)
    sheet.raise_if_errors()
    total, changed = len(plans), 0
    with transaction.atomic():
        for index, plan in enumerate(plans):
            if progress is not None:
                progress(index, total, f"正在登记第{index + 1}行（共{total}行）")
            changed += _record(actor, plan, filename)
        if progress is not None:
            progress(total, total, "导入完成")
    return ImportResult(created=0, updated=changed, unchanged=total - changed)
