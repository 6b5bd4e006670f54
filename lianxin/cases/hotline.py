"""Import 12345 hotline work orders (工单) from the spreadsheet the hotline platform exports.

All or nothing: every row is checked first (cells, category, region, duplicates) and every problem is listed
with its row number; only a clean sheet is written, in one transaction, each work order registered through
`case_register` on the hotline channel. A work order's number is its identity: importing it again finds the
case the first import made (idempotency key "hotline:<工单编号>") and changes nothing.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from openpyxl.utils.datetime import from_excel

from lianxin.accounts.models import User
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.cases import permissions as p
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.intake.rules import REGISTRABLE_LEVELS
from lianxin.cases.models import Case, Category, Channel, Urgency
from lianxin.cases.services import case_register
from lianxin.core.errors import DomainError, ImportRejected, PermissionDenied, RowError
from lianxin.core.tabular import (
    Boolean,
    CellError,
    Choice,
    Column,
    ImportResult,
    Parser,
    Phone,
    Progress,
    Row,
    Sheet,
    Text,
    read_sheet,
)
from lianxin.regions.models import Region

CHINA = ZoneInfo("Asia/Shanghai")
DATETIME_RE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[\sT]*(\d{1,2})\s*[:：时点]\s*(\d{1,2})?\s*分?(?:[:：](\d{1,2})秒?)?)?"
)
REGION_NOT_FOUND = "不存在或不在您的管辖范围内"


class DateTimeCell(Parser):
    """A date-time cell, or text like 2024-01-05 09:30, 2024/1/5 9:30:15, 2024年1月5日9时30分 (Beijing time)."""

    number_format = "yyyy-mm-dd hh:mm"

    def __call__(self, value: Any) -> datetime.datetime:
        moment = self._parse(value)
        if moment > timezone.now() + datetime.timedelta(minutes=5):
            raise CellError(f"不能晚于现在，实为{moment:%Y-%m-%d %H:%M}")
        return moment

    def _parse(self, value: Any) -> datetime.datetime:
        if isinstance(value, datetime.datetime):
            return value.replace(tzinfo=CHINA) if value.tzinfo is None else value
        if isinstance(value, datetime.date):
            return datetime.datetime.combine(value, datetime.time(), tzinfo=CHINA)
        if isinstance(value, int | float) and not isinstance(value, bool):
            if 1 <= value < 2958466:  # a date-time cell formatted as "General" shows its serial number
                return from_excel(value).replace(tzinfo=CHINA)
            raise CellError(f"不是有效的时间，实为“{value}”")
        text = str(value).strip()
        match = DATETIME_RE.fullmatch(text)
        if not match:
            raise CellError(f"时间格式应为 2024-01-05 09:30，实为“{text}”")
        year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
        try:
            return datetime.datetime(year, month, day, hour, minute, second, tzinfo=CHINA)
        except ValueError:
            raise CellError(f"时间不存在：“{text}”") from None


HOTLINE_COLUMNS = [
    Column("工单编号", "external_id", required=True, parse=Text(64), aliases=("工单号", "工单编码")),
    Column("来电时间", "called_at", required=True, parse=DateTimeCell(), aliases=("受理时间", "来电日期")),
    Column("来电人", "person_name", parse=Text(50), aliases=("来电人姓名", "诉求人", "姓名")),
    Column("联系电话", "person_phone", parse=Phone(), aliases=("来电号码", "联系方式", "电话")),
    # Not every hotline exports a title: an empty one is the content's first line, as on every channel.
    Column("诉求标题", "title", parse=Text(100), aliases=("标题", "工单标题")),
    Column("诉求内容", "body", required=True, parse=Text(5000), aliases=("内容", "诉求描述", "工单内容")),
    Column("问题类别", "category", parse=Text(50), aliases=("类别", "诉求类别")),
    Column("所在乡镇/村社区", "region", required=True, parse=Text(60), aliases=("所在区划", "乡镇街道", "所在地")),
    Column("地址", "address", parse=Text(200), aliases=("事发地址", "详细地址")),
    Column(
        "紧急程度",
        "urgency",
        parse=Choice(Urgency, aliases={"普通": Urgency.NORMAL, "特急": Urgency.URGENT, "加急": Urgency.URGENT}),
        default=Urgency.NORMAL,
    ),
    Column("是否需要回复", "wants_reply", parse=Boolean(), default=True, aliases=("需要回复", "是否回复")),
]


def _name_variants(name: str) -> set[str]:
    """居仁社区居委会 is also written 居仁社区 or 居仁; 城东村委会 as 城东村; 乾元镇 as 乾元."""
    variants = {name}
    for suffix, spoken in (("社区居委会", "社区"), ("居委会", "社区"), ("村委会", "村"), ("村民委员会", "村")):
        if name.endswith(suffix):
            variants.add(name.removesuffix(suffix) + spoken)
            variants.add(name.removesuffix(suffix))
    for suffix in ("街道", "镇", "乡"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            variants.add(name.removesuffix(suffix))
    return variants


class RegionsByName:
    """The county, township and village regions the actor may handle cases in, found by name or code."""

    def __init__(self, *, actor: User | None, texts: Iterable[str]) -> None:
        self.actor = actor
        codes = {text for text in texts if re.fullmatch(r"\d{12}", text or "")}
        self.by_code = {r.code: r for r in Region.objects.filter(code__in=codes, level__in=REGISTRABLE_LEVELS)}
        regions = Region.objects.filter(level__in=REGISTRABLE_LEVELS).select_related("parent")
        if actor is not None and not actor.is_superuser:
            paths = actor.scope_paths(Perm.HANDLE_CASES)
            within = Q(pk__in=[])
            for path in paths:
                within |= Q(path__startswith=path)
            regions = regions.filter(within)
        self.by_name: dict[str, list[Region]] = defaultdict(list)
        self.children: dict[int, dict[str, list[Region]]] = defaultdict(lambda: defaultdict(list))
        for region in regions:
            for variant in _name_variants(region.name):
                self.by_name[variant].append(region)
                if region.parent_id is not None:
                    self.children[region.parent_id][variant].append(region)

    def in_scope(self, region: Region) -> bool:
        return self.actor is None or may(self.actor, Perm.HANDLE_CASES, region.path)

    def find(self, text: str) -> Region:
        """The one region `text` names; CellError when none or several do."""
        text = re.sub(r"\s+", " ", text.strip())
        if re.fullmatch(r"\d{12}", text):
            region = self.by_code.get(text)
            if region is None or not self.in_scope(region):
                raise CellError(f"区划代码“{text}”{REGION_NOT_FOUND}")
            return region
        parts = [part for part in re.split(r"[/／\\、,，\s-]+", text) if part]
        if len(parts) == 2:
            candidates = self._within(parts[0], parts[1])
        else:
            candidates = list(self.by_name.get(text, []))
            if not candidates:  # 乾元镇城东村: a township's name, then a village's
                for split in range(2, len(text) - 1):
                    candidates += self._within(text[:split], text[split:])
        unique = list({region.pk: region for region in candidates}.values())
        if not unique:
            raise CellError(f"“{text}”{REGION_NOT_FOUND}")
        if len(unique) > 1:
            where = "、".join(sorted(f"{r.parent.name if r.parent else ''}{r.name}" for r in unique))
            raise CellError(f"“{text}”有多个同名区划（{where}），请写成“乡镇/村社区”或填写12位区划代码")
        return unique[0]

    def _within(self, upper: str, lower: str) -> list[Region]:
        return [child for parent in self.by_name.get(upper, []) for child in self.children[parent.pk].get(lower, [])]


@dataclass
class _Planned:
    row: Row
    region: Region
    category: Category | None


def hotline_import(
    *, actor: User | None, file: IO[bytes] | bytes, filename: str, progress: Progress | None = None
) -> ImportResult:
    """Register the work orders of a 12345 export as hotline cases (HOTLINE_COLUMNS). All-or-nothing; a work
    order imported before is left as it is (counted as unchanged)."""
    if actor is not None and not may(actor, Perm.HANDLE_CASES):
        raise PermissionDenied("您没有登记意见建议的权限")
    sheet = read_sheet(file=file, filename=filename, columns=HOTLINE_COLUMNS)
    plans = _check(actor, sheet)
    sheet.raise_if_errors()

    created = unchanged = 0
    with transaction.atomic():
        for number, plan in enumerate(plans, start=1):
            if progress is not None:
                progress(number - 1, len(plans), "正在登记工单")
            case = _register(actor, plan)
            if case is None:
                unchanged += 1
            else:
                created += 1
    return ImportResult(created=created, updated=0, unchanged=unchanged)


def _check(actor: User | None, sheet: Sheet) -> list[_Planned]:
    regions = RegionsByName(actor=actor, texts=(row.get("region") for row in sheet.rows))
    categories: dict[str, Category] = {}
    for known in Category.objects.filter(is_active=True):
        categories[known.name] = categories[known.code] = known
    plans: list[_Planned] = []
    seen: dict[str, int] = {}
    for row in sheet.rows:
        number = row.get("external_id")
        if row.ok("external_id") and number:
            if number in seen:
                sheet.error(row, "external_id", f"与第{seen[number]}行重复")
            else:
                seen[number] = row.number
        category: Category | None = None
        name = row.get("category")
        if row.ok("category") and name:
            category = categories.get(name)
            if category is None:
                sheet.error(row, "category", f"“{name}”不存在")
        region = None
        if row.ok("region") and row.get("region"):
            try:
                region = regions.find(row["region"])
            except CellError as exc:
                sheet.error(row, "region", exc.message)
        if row.ok("person_phone", "wants_reply") and row.get("wants_reply") and not row.get("person_phone"):
            sheet.error(row, "person_phone", "需要回复时须填写联系电话")
        if region is not None:
            plans.append(_Planned(row=row, region=region, category=category))
    return plans


def _register(actor: User | None, plan: _Planned) -> Case | None:
    """The new case, or None when this work order was imported before."""
    row = plan.row
    phone = row.get("person_phone") or ""
    try:
        draft = CaseDraft(
            channel=Channel.HOTLINE,
            title=row.get("title") or "",
            body=row["body"],
            region=plan.region,
            category=plan.category,
            address=row.get("address") or "",
            person_name=row.get("person_name") or "",
            person_phone=phone,
            wants_reply=bool(row.get("wants_reply")),
            external_id=row["external_id"],
            registered_at=row["called_at"],
            idempotency_key=f"hotline:{row['external_id']}",
            # As the hotline classified it: it decides the deadlines from the start (an urgent case is accepted
            # sooner), and it is registered with the case, not changed after it without an event.
            urgency=Urgency.URGENT if row.get("urgency") == Urgency.URGENT else Urgency.NORMAL,
        )
        registration = case_register(actor=actor if actor is not None else p.SYSTEM, draft=draft)
    except DomainError as exc:  # checked above; should a rule of case_register still refuse, name the row
        header = next((c.header for c in HOTLINE_COLUMNS if c.key == exc.field), "工单编号")
        raise ImportRejected([RowError(row.number, header, exc.message)]) from exc
    if not registration.created:
        return None
    return registration.case
