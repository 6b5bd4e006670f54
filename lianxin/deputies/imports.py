"""Import deputies and grid workers from sheets; export deputies, grid workers, groups and the duty roster.

A deputy sheet has one row per mandate (代表资格): the same person (身份证号) on several rows holds
several mandates. The resident ID number is the person's identity, so importing the same file again
changes nothing, and an edited export can be imported back.
"""

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet

from lianxin.accounts.models import User
from lianxin.core.audit import audit_record, model_changes
from lianxin.core.idcard import IdNumber, IdNumberInvalid, id_number_parse
from lianxin.core.tabular import (
    Boolean,
    CellError,
    Choice,
    Column,
    Date,
    ImportResult,
    Integer,
    ListOf,
    Parser,
    Phone,
    Progress,
    Row,
    Sheet,
    Text,
    Time,
    read_sheet,
    write_xlsx,
)
from lianxin.deputies.models import (
    Deputy,
    DeputyGroup,
    DutyShift,
    Gender,
    GridAssignment,
    GridWorker,
    GridWorkerPairing,
    GroupKind,
    Mandate,
    MandateLevel,
    MandateStatus,
)
from lianxin.regions.models import Grid, Region, RegionLevel
from lianxin.venues.imports import (
    GRID_NOT_FOUND,
    REGION_CODE,
    REGION_NOT_FOUND,
    RegionsInScope,
    actor_may_manage,
    grids_export_xlsx,
    level_label,
    places_export_xlsx,
    regions_export_xlsx,
    require_manage_somewhere,
)
from lianxin.venues.models import Place

__all__ = [
    "DEPUTY_COLUMNS",
    "EXPORT_KINDS",
    "GRID_WORKER_COLUMNS",
    "ImportResult",
    "deputies_export_xlsx",
    "deputies_import",
    "duty_shifts_export_xlsx",
    "grid_workers_export_xlsx",
    "grid_workers_import",
    "groups_export_xlsx",
    "list_export_xlsx",
]

# Deputies to national congresses are elected by provincial congresses: the province is their
# 原选举单位, so their congress region is a province.
MANDATE_REGION_LEVEL = {
    MandateLevel.NATIONAL: RegionLevel.PROVINCE,
    MandateLevel.PROVINCE: RegionLevel.PROVINCE,
    MandateLevel.CITY: RegionLevel.PREFECTURE,
    MandateLevel.COUNTY: RegionLevel.COUNTY,
    MandateLevel.TOWNSHIP: RegionLevel.TOWNSHIP,
}
LEVEL_ORDER = {level: index for index, level in enumerate(MandateLevel.values)}
MINIMUM_AGE = 18  # 选举法: citizens who have reached 18 may be elected


class IdNumberCell(Parser):
    """An ID number cell, parsed to an IdNumber. Stored and exported as the 18-character text."""

    excel_text = True

    def __call__(self, value: Any) -> IdNumber:
        if isinstance(value, int | float) and not isinstance(value, bool):
            # Excel keeps 15 significant digits: an 18-digit number typed into a number cell has
            # already lost its last digits, and no check can bring them back.
            raise CellError("被 Excel 存成了数字，后几位已丢失；请把该列设为“文本”格式后重新录入")
        try:
            return id_number_parse(str(value))
        except IdNumberInvalid as exc:
            raise CellError(exc.reason) from None

    def render(self, value: Any) -> Any:
        return value.number if isinstance(value, IdNumber) else value


CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _chinese_number(text: str) -> int | None:
    """一 … 九十九, the way terms are written (第十七届)."""
    if not text or any(ch not in CHINESE_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return CHINESE_DIGITS[text] if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (CHINESE_DIGITS[tens] if tens else 1) * 10 + (CHINESE_DIGITS[ones] if ones else 0)


class Term(Parser):
    """届次: 17, 第17届, 第十七届, 十七."""

    def __call__(self, value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip().removeprefix("第").removesuffix("届").strip()
        number = int(text) if text.isdigit() else _chinese_number(text)
        if number is None or not 1 <= number <= 99:
            raise CellError(f"届次应为数字，如 17 或 第十七届，实为“{str(value).strip()}”")
        return number


GENDER = Choice(Gender, aliases={"男性": Gender.MALE, "女性": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE})

DEPUTY_COLUMNS = [
    Column("姓名", "name", required=True, parse=Text(50)),
    Column("性别", "gender", parse=GENDER, default=None),
    Column("民族", "ethnicity", parse=Text(20)),
    Column("出生日期", "birth_date", parse=Date(allow_future=False), default=None),
    Column("身份证号", "id_number", required=True, parse=IdNumberCell(), aliases=("身份证号码", "公民身份号码")),
    Column("手机号", "phone", parse=Phone(), aliases=("手机号码", "手机", "联系电话")),
    Column("政治面貌", "political_affiliation", parse=Text(30)),
    Column("学历", "education", parse=Text(30)),
    Column("职业", "occupation", parse=Text(50)),
    Column("工作单位及职务", "employer", parse=Text(200), aliases=("工作单位", "单位及职务")),
    Column("专业特长", "specialties", parse=ListOf(Text(30)), default=list),
    Column("居住村社区代码", "residence_code", parse=REGION_CODE, default=None),
    Column(
        "代表层级",
        "level",
        required=True,
        parse=Choice(
            MandateLevel,
            aliases={
                "全国人大": MandateLevel.NATIONAL,
                "省": MandateLevel.PROVINCE,
                "市": MandateLevel.CITY,
                "县": MandateLevel.COUNTY,
                "区": MandateLevel.COUNTY,
                "县区级": MandateLevel.COUNTY,
                "区级": MandateLevel.COUNTY,
                "乡镇": MandateLevel.TOWNSHIP,
                "乡级": MandateLevel.TOWNSHIP,
                "镇级": MandateLevel.TOWNSHIP,
            },
        ),
    ),
    Column("人大所在区划代码", "congress_code", required=True, parse=REGION_CODE),
    Column("届次", "term", required=True, parse=Term()),
    Column("选区", "district_name", parse=Text(100), aliases=("原选举单位", "选区/原选举单位")),
    Column("选区区划代码", "district_code", parse=REGION_CODE, default=None),
    Column(
        "状态",
        "status",
        parse=Choice(MandateStatus, aliases={"补选": MandateStatus.BY_ELECTED}),
        default=MandateStatus.SERVING,
    ),
    Column("常委会组成人员", "is_standing_committee", parse=Boolean(), default=False),
    Column("任职日期", "started_on", parse=Date(), default=None),
]
# Sheet keys that describe the person (the same on every row of one 身份证号) and their model fields.
PERSON_FIELDS = {
    "name": "name",
    "ethnicity": "ethnicity",
    "phone": "phone",
    "political_affiliation": "political_affiliation",
    "education": "education",
    "occupation": "occupation",
    "employer": "employer",
    "specialties": "specialties",
    "residence_code": "residence_region_id",
}
MANDATE_FIELDS = {
    "district_name": "district_name",
    "district_code": "district_region_id",
    "status": "status",
    "is_standing_committee": "is_standing_committee",
    "started_on": "started_on",
}


@dataclass
class _MandatePlan:
    row: Row
    congress: Region
    district: Region | None


@dataclass
class _PersonPlan:
    id_number: IdNumber
    first: Row
    residence: Region | None = None
    mandates: list[_MandatePlan] = field(default_factory=list)


def deputies_import(
    *, actor: User | None, file: IO[bytes] | bytes, filename: str, progress: Progress | None = None
) -> ImportResult:
    """Create or update deputies and their mandates from a sheet (DEPUTY_COLUMNS).

    Counts are of people: a person is "updated" when anything about them or one of their mandates
    changed. All-or-nothing: any error rejects the whole file with every error listed.
    """
    require_manage_somewhere(actor)
    sheet = read_sheet(file=file, filename=filename, columns=DEPUTY_COLUMNS)
    today = datetime.date.today()
    with transaction.atomic():
        codes = [row.get(key) for row in sheet.rows for key in ("residence_code", "congress_code", "district_code")]
        regions = RegionsInScope(actor=actor, codes=codes)
        numbers = {row["id_number"].number for row in sheet.rows if row.ok("id_number")}
        existing = {
            deputy.id_number: deputy
            for deputy in Deputy.objects.filter(id_number__in=numbers)
            .select_related("residence_region")
            .prefetch_related(
                Prefetch("mandates", queryset=Mandate.objects.select_related("congress_region", "district_region"))
            )
        }

        persons: dict[str, _PersonPlan] = {}
        seen_mandates: dict[tuple[str, str, str, int], int] = {}
        for row in sheet.rows:
            plan = _check_deputy_row(sheet, row, regions, today)
            if plan is None or not row.ok("id_number"):
                continue
            number = row["id_number"].number
            person = persons.get(number)
            if person is None:
                person = persons[number] = _PersonPlan(id_number=row["id_number"], first=row)
                person.residence = regions.get(row.get("residence_code"))
                deputy = existing.get(number)
                if deputy is not None and not _deputy_manageable(actor, deputy):
                    sheet.error(row, "id_number", "该身份证号已由其他辖区登记为代表，请联系上级人大工作人员处理")
            else:
                _check_same_person(sheet, row, person.first)
            if row.ok("level", "congress_code", "term"):
                key = (number, row["level"], row["congress_code"], row["term"])
                if key in seen_mandates:
                    sheet.error(
                        row, "id_number", f"与第{seen_mandates[key]}行重复（同一人、同一层级、同一人大、同一届次）"
                    )
                    continue
                seen_mandates[key] = row.number
            if plan.congress is not None:
                person.mandates.append(plan)
        sheet.raise_if_errors()

        created = updated = unchanged = 0
        for index, (number, person) in enumerate(persons.items()):
            if progress is not None:
                progress(index, len(persons), "正在写入代表")
            outcome = _deputy_save(
                actor=actor, person=person, deputy=existing.get(number), present=sheet.present, filename=filename
            )
            created += outcome == "created"
            updated += outcome == "updated"
            unchanged += outcome == "unchanged"
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def _check_deputy_row(sheet: Sheet, row: Row, regions: RegionsInScope, today: datetime.date) -> _MandatePlan | None:
    """Checks within one row. Returns the mandate to write, or None when the row cannot give one."""
    card: IdNumber | None = row.get("id_number") if row.ok("id_number") else None
    if card is not None:
        if row.ok("gender") and row.get("gender") and row["gender"] != card.sex:
            sheet.error(row, "gender", f"与身份证号不符（身份证号显示为{Gender(card.sex).label}）")
        if row.ok("birth_date") and row.get("birth_date") and row["birth_date"] != card.birth_date:
            sheet.error(row, "birth_date", f"与身份证号不符（身份证号显示为{card.birth_date:%Y-%m-%d}）")
        if card.age_on(today) < MINIMUM_AGE:
            sheet.error(row, "id_number", f"未满{MINIMUM_AGE}周岁，不能担任代表")

    if row.get("residence_code") and row.ok("residence_code"):
        residence = regions.get(row["residence_code"])
        if residence is None:
            sheet.error(row, "residence_code", REGION_NOT_FOUND)
        elif residence.level != RegionLevel.VILLAGE:
            sheet.error(
                row, "residence_code", f"应为村/社区的区划代码，“{residence.name}”是{level_label(residence.level)}"
            )

    congress = None
    if row.ok("congress_code"):
        congress = regions.get(row["congress_code"])
        if congress is None:
            sheet.error(row, "congress_code", REGION_NOT_FOUND)
        elif row.ok("level") and congress.level != MANDATE_REGION_LEVEL[row["level"]]:
            expected = level_label(MANDATE_REGION_LEVEL[row["level"]])
            sheet.error(
                row,
                "congress_code",
                f"{MandateLevel(row['level']).label}代表的人大所在区划应为{expected}，“{congress.name}”是{level_label(congress.level)}",
            )
            congress = None

    district = None
    if row.get("district_code") and row.ok("district_code"):
        district = regions.get(row["district_code"])
        if district is None:
            sheet.error(row, "district_code", REGION_NOT_FOUND)
        elif congress is not None and not congress.contains(district):
            sheet.error(row, "district_code", f"选区应位于人大所在区划“{congress.name}”之内，“{district.name}”不在其中")
            district = None
    return _MandatePlan(row=row, congress=congress, district=district) if congress is not None else None


def _check_same_person(sheet: Sheet, row: Row, first: Row) -> None:
    """Rows of one 身份证号 are one person: their personal columns must agree."""
    for key in (*PERSON_FIELDS, "gender", "birth_date"):
        if key in sheet.present and row.ok(key) and first.ok(key) and row.get(key) != first.get(key):
            sheet.error(row, key, f"与第{first.number}行（同一身份证号）不一致")


def _deputy_manageable(actor: User | None, deputy: Deputy) -> bool:
    """A registered deputy may be changed by whoever manages a region they are attached to."""
    paths = [deputy.residence_region.path] if deputy.residence_region else []
    for mandate in deputy.mandates.all():
        paths.append(mandate.congress_region.path)
        if mandate.district_region:
            paths.append(mandate.district_region.path)
    return any(actor_may_manage(actor, path) for path in paths)


def _deputy_save(
    *, actor: User | None, person: _PersonPlan, deputy: Deputy | None, present: frozenset[str], filename: str
) -> str:
    first = person.first
    values: dict[str, Any] = {
        field_name: (person.residence.pk if person.residence else None) if key == "residence_code" else first[key]
        for key, field_name in PERSON_FIELDS.items()
        if key in present
    }
    # The ID number is authoritative for sex and birth date; the sheet's columns were checked against it.
    values["gender"] = person.id_number.sex
    values["birth_date"] = person.id_number.birth_date
    region_path = person.mandates[0].congress.path if person.mandates else ""
    note = f"导入 {filename} 第{first.number}行"

    outcome = "unchanged"
    if deputy is None:
        deputy = Deputy(id_number=person.id_number.number, **values)
        deputy.save()
        audit_record(
            actor=actor,
            action="deputy.create",
            obj=deputy,
            region_path=region_path,
            changes=model_changes(deputy, {}, ["id_number", *values]),
            note=note,
        )
        outcome = "created"
        current: dict[tuple[str, int, int], Mandate] = {}
    else:
        before = {name: getattr(deputy, name) for name in values}
        for name, value in values.items():
            setattr(deputy, name, value)
        changes = model_changes(deputy, before, list(values))
        if changes:
            deputy.save(update_fields=[*values, "updated_at"])
            audit_record(
                actor=actor, action="deputy.update", obj=deputy, region_path=region_path, changes=changes, note=note
            )
            outcome = "updated"
        current = {(m.level, m.congress_region_id, m.term): m for m in deputy.mandates.all()}

    for plan in person.mandates:
        row = plan.row
        mandate_values: dict[str, Any] = {
            field_name: (plan.district.pk if plan.district else None) if key == "district_code" else row[key]
            for key, field_name in MANDATE_FIELDS.items()
            if key in present
        }
        mandate_note = f"导入 {filename} 第{row.number}行"
        mandate = current.get((row["level"], plan.congress.pk, row["term"]))
        if mandate is None:
            mandate = Mandate.objects.create(
                deputy=deputy, level=row["level"], congress_region=plan.congress, term=row["term"], **mandate_values
            )
            audit_record(
                actor=actor,
                action="mandate.create",
                obj=mandate,
                region_path=plan.congress.path,
                changes=model_changes(mandate, {}, ["level", "congress_region_id", "term", *mandate_values]),
                note=mandate_note,
            )
            outcome = "created" if outcome == "created" else "updated"
            continue
        before = {name: getattr(mandate, name) for name in mandate_values}
        for name, value in mandate_values.items():
            setattr(mandate, name, value)
        changes = model_changes(mandate, before, list(mandate_values))
        if changes:
            mandate.save(update_fields=list(mandate_values))
            audit_record(
                actor=actor,
                action="mandate.update",
                obj=mandate,
                region_path=plan.congress.path,
                changes=changes,
                note=mandate_note,
            )
            outcome = "created" if outcome == "created" else "updated"
    return outcome


# --------------------------------------------------------------------------------------------------
# Grid workers

GRID_WORKER_COLUMNS = [
    Column("姓名", "name", required=True, parse=Text(50)),
    Column("性别", "gender", parse=GENDER),
    Column("身份证号", "id_number", parse=IdNumberCell(), default=None, aliases=("身份证号码", "公民身份号码")),
    Column("手机号", "phone", required=True, parse=Phone(), aliases=("手机号码", "手机", "联系电话")),
    Column("网格编码", "grid_code", required=True, parse=Text(32)),
    Column("结对代表身份证号", "deputy_ids", parse=ListOf(IdNumberCell()), default=list),
]
GRID_WORKER_EXPORT_COLUMNS = [
    *GRID_WORKER_COLUMNS,
    Column("网格名称", "grid_name"),
    Column("所在村社区", "village_name"),
    Column("结对代表", "deputy_names"),
    Column("在岗", "is_active", parse=Boolean()),
]
WORKER_FIELDS = ("name", "gender", "phone")


@dataclass
class _WorkerPlan:
    row: Row
    grid: Grid
    worker: GridWorker | None
    deputies: list[Deputy] | None  # None: the sheet has no pairing column, leave pairings alone


def grid_workers_import(
    *, actor: User | None, file: IO[bytes] | bytes, filename: str, progress: Progress | None = None
) -> ImportResult:
    """Create or update grid workers (GRID_WORKER_COLUMNS) and their pairings with deputies.

    A worker is identified by 身份证号 when given, otherwise by grid and phone. When the sheet has the
    结对代表身份证号 column, it is the worker's full list of paired deputies: pairings missing from it are
    removed (except with deputies who have no ID number, whom a sheet cannot name).
    """
    require_manage_somewhere(actor)
    sheet = read_sheet(file=file, filename=filename, columns=GRID_WORKER_COLUMNS)
    with transaction.atomic():
        grid_codes = {row.get("grid_code") for row in sheet.rows if row.get("grid_code")}
        grids = {grid.code: grid for grid in Grid.objects.select_related("region").filter(code__in=grid_codes)}
        numbers = {row["id_number"].number for row in sheet.rows if row.ok("id_number") and row.get("id_number")}
        by_number: dict[str, GridWorker] = {}
        for known in GridWorker.objects.filter(id_number__in=numbers).select_related("grid__region").order_by("pk"):
            by_number.setdefault(known.id_number, known)
        phones = {row.get("phone") for row in sheet.rows if row.get("phone")}
        by_phone = {
            (worker.grid_id, worker.phone): worker
            for worker in GridWorker.objects.filter(grid__code__in=grid_codes, phone__in=phones)
        }
        deputy_numbers = {card.number for row in sheet.rows if row.ok("deputy_ids") for card in row.get("deputy_ids")}
        deputies = Deputy.objects.filter(id_number__in=deputy_numbers)
        if actor is not None:
            deputies = deputies.visible_to(actor)
        deputies_by_number = {deputy.id_number: deputy for deputy in deputies}

        plans: list[_WorkerPlan] = []
        seen_numbers: dict[str, int] = {}
        seen_phones: dict[tuple[str, str], int] = {}
        for row in sheet.rows:
            card: IdNumber | None = row.get("id_number") if row.ok("id_number") else None
            if card is not None and row.ok("gender") and row.get("gender") and row["gender"] != card.sex:
                sheet.error(row, "gender", f"与身份证号不符（身份证号显示为{Gender(card.sex).label}）")
            if card is not None:
                if card.number in seen_numbers:
                    sheet.error(row, "id_number", f"与第{seen_numbers[card.number]}行重复")
                seen_numbers.setdefault(card.number, row.number)
            if row.ok("grid_code", "phone"):
                key = (row["grid_code"], row["phone"])
                if key in seen_phones:
                    sheet.error(row, "phone", f"与第{seen_phones[key]}行重复（同一网格、同一手机号）")
                seen_phones.setdefault(key, row.number)

            paired: list[Deputy] | None = None
            if "deputy_ids" in sheet.present and row.ok("deputy_ids"):
                paired = []
                for index, item in enumerate(row["deputy_ids"], start=1):
                    deputy = deputies_by_number.get(item.number)
                    if deputy is None:
                        sheet.error(row, "deputy_ids", f"第{index}项：未找到该身份证号的代表，或不在您的管辖范围内")
                    else:
                        paired.append(deputy)

            grid = grids.get(row.get("grid_code")) if row.ok("grid_code") else None
            if row.ok("grid_code") and (grid is None or not actor_may_manage(actor, grid.region.path)):
                sheet.error(row, "grid_code", GRID_NOT_FOUND)
                continue
            if grid is None or not row.ok("phone"):
                continue
            worker = by_number.get(card.number) if card is not None else None
            if worker is not None and not actor_may_manage(actor, worker.grid.region.path):
                sheet.error(row, "id_number", "该身份证号已由其他辖区登记为网格员，请联系上级人大工作人员处理")
                continue
            holder = by_phone.get((grid.pk, row["phone"]))
            if worker is None:
                worker = holder
            elif holder is not None and holder.pk != worker.pk:
                sheet.error(row, "phone", f"该网格已有使用此手机号的网格员“{holder.name}”")
                continue
            plans.append(_WorkerPlan(row=row, grid=grid, worker=worker, deputies=paired))
        sheet.raise_if_errors()

        created = updated = unchanged = 0
        for index, plan in enumerate(plans):
            if progress is not None:
                progress(index, len(plans), "正在写入网格员")
            outcome = _grid_worker_save(actor=actor, plan=plan, present=sheet.present, filename=filename)
            created += outcome == "created"
            updated += outcome == "updated"
            unchanged += outcome == "unchanged"
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def _grid_worker_save(*, actor: User | None, plan: _WorkerPlan, present: frozenset[str], filename: str) -> str:
    row = plan.row
    values: dict[str, Any] = {name: row[name] for name in WORKER_FIELDS if name in present}
    values["grid_id"] = plan.grid.pk
    card: IdNumber | None = row.get("id_number")
    if "id_number" in present:
        values["id_number"] = card.number if card else ""
    if card is not None and not values.get("gender"):
        values["gender"] = card.sex  # the ID number says it; no need to make the clerk type it
    note = f"导入 {filename} 第{row.number}行"
    worker = plan.worker
    if worker is None:
        worker = GridWorker(**values)
        worker.save()
        audit_record(
            actor=actor,
            action="grid_worker.create",
            obj=worker,
            region_path=plan.grid.region.path,
            changes=model_changes(worker, {}, list(values)),
            note=note,
        )
        outcome = "created"
    else:
        before = {name: getattr(worker, name) for name in values}
        for name, value in values.items():
            setattr(worker, name, value)
        changes = model_changes(worker, before, list(values))
        outcome = "unchanged"
        if changes:
            worker.save(update_fields=list(values))
            audit_record(
                actor=actor,
                action="grid_worker.update",
                obj=worker,
                region_path=plan.grid.region.path,
                changes=changes,
                note=note,
            )
            outcome = "updated"

    if plan.deputies is None:
        return outcome
    wanted = {deputy.pk: deputy for deputy in plan.deputies}
    pairings = list(GridWorkerPairing.objects.filter(grid_worker=worker).select_related("deputy"))
    have = {pairing.deputy_id for pairing in pairings}
    for pairing in pairings:
        if pairing.deputy_id not in wanted and pairing.deputy.id_number:
            audit_record(
                actor=actor,
                action="grid_worker_pairing.delete",
                obj=pairing,
                region_path=plan.grid.region.path,
                changes={"deputy_id": [pairing.deputy_id, None], "grid_worker_id": [worker.pk, None]},
                note=note,
            )
            pairing.delete()
            outcome = "created" if outcome == "created" else "updated"
    for deputy_pk, deputy in wanted.items():
        if deputy_pk in have:
            continue
        pairing = GridWorkerPairing.objects.create(deputy=deputy, grid_worker=worker)
        audit_record(
            actor=actor,
            action="grid_worker_pairing.create",
            obj=pairing,
            region_path=plan.grid.region.path,
            changes={"deputy_id": [None, deputy.pk], "grid_worker_id": [None, worker.pk]},
            note=note,
        )
        outcome = "created" if outcome == "created" else "updated"
    return outcome


# --------------------------------------------------------------------------------------------------
# Exports


# Personal data in the exports: left out for a row whose region the user may not see contacts in, and the
# columns dropped when the user may see none (the back office passes `contacts`; system exports pass None).
CONTACT_KEYS = frozenset({"id_number", "phone", "address", "deputy_ids", "liaison_phone"})
ContactsShown = Callable[[Any], bool] | None


def _contact_columns(columns: list[Column], any_shown: bool) -> list[Column]:
    return columns if any_shown else [column for column in columns if column.key not in CONTACT_KEYS]


def _blank_contacts(row: dict[str, Any]) -> dict[str, Any]:
    return {
        key: ([] if isinstance(value, list) else "") if key in CONTACT_KEYS else value for key, value in row.items()
    }


def _contact_rows(
    objects: Iterable[Any], contacts: ContactsShown, rows_of: Callable[[Any], Iterable[dict[str, Any]]]
) -> tuple[list[dict[str, Any]], bool]:
    """Each object's rows with contacts blanked where they may not be seen, and whether any row shows them."""
    out: list[dict[str, Any]] = []
    any_shown = False
    for obj in objects:
        shown = contacts is None or contacts(obj)
        any_shown = any_shown or shown
        out.extend(row if shown else _blank_contacts(row) for row in rows_of(obj))
    return out, any_shown or contacts is None


def deputies_export_xlsx(queryset: QuerySet[Deputy], *, contacts: ContactsShown = None) -> bytes:
    """One row per mandate, in the columns the import reads; a deputy without mandates gets one row.
    ID number and phone only where `contacts(deputy)` allows (None: a system export, all shown)."""
    # The back office's list prefetches mandates its own way; two prefetches of one relation conflict (a 500).
    deputies = (
        queryset.prefetch_related(None)
        .select_related("residence_region")
        .prefetch_related(
            Prefetch("mandates", queryset=Mandate.objects.select_related("congress_region", "district_region")),
            Prefetch("grid_assignments", queryset=GridAssignment.objects.select_related("grid__region")),
        )
    )

    def rows_of(deputy: Deputy) -> Iterator[dict[str, Any]]:
        person = {
            "name": deputy.name,
            "gender": deputy.gender,
            "ethnicity": deputy.ethnicity,
            "birth_date": deputy.birth_date,
            "id_number": deputy.id_number,
            "phone": deputy.phone,
            "political_affiliation": deputy.political_affiliation,
            "education": deputy.education,
            "occupation": deputy.occupation,
            "employer": deputy.employer,
            "specialties": deputy.specialties,
            "residence_code": deputy.residence_region.code if deputy.residence_region else "",
        }
        mandates = sorted(deputy.mandates.all(), key=lambda m: (LEVEL_ORDER[m.level], m.congress_region.code, m.term))
        if not mandates:
            yield person
        for mandate in mandates:
            yield {
                **person,
                "level": mandate.level,
                "congress_code": mandate.congress_region.code,
                "term": mandate.term,
                "district_name": mandate.district_name,
                "district_code": mandate.district_region.code if mandate.district_region else "",
                "status": mandate.status,
                "is_standing_committee": mandate.is_standing_committee,
                "started_on": mandate.started_on,
            }

    rows, any_shown = _contact_rows(deputies.order_by("name_stroke_key", "pk"), contacts, rows_of)  # 姓氏笔画
    return write_xlsx(_contact_columns(DEPUTY_COLUMNS, any_shown), rows, title="代表")


def grid_workers_export_xlsx(queryset: QuerySet[GridWorker], *, contacts: ContactsShown = None) -> bytes:
    """ID number, phone and the paired deputies' ID numbers only where `contacts(worker)` allows."""
    workers = (
        queryset.prefetch_related(None)
        .select_related("grid__region")
        .prefetch_related(Prefetch("deputy_pairings", queryset=GridWorkerPairing.objects.select_related("deputy")))
        .order_by("grid__code", "name_stroke_key", "pk")  # 姓氏笔画 in each grid
    )

    def rows_of(worker: GridWorker) -> Iterator[dict[str, Any]]:
        paired = sorted((p.deputy for p in worker.deputy_pairings.all()), key=lambda d: (d.name, d.pk))
        yield {
            "name": worker.name,
            "gender": worker.gender,
            "id_number": worker.id_number,
            "phone": worker.phone,
            "grid_code": worker.grid.code,
            "deputy_ids": [deputy.id_number for deputy in paired if deputy.id_number],
            "grid_name": worker.grid.name,
            "village_name": worker.grid.region.name,
            "deputy_names": "、".join(deputy.name for deputy in paired),
            "is_active": worker.is_active,
        }

    rows, any_shown = _contact_rows(workers, contacts, rows_of)
    return write_xlsx(_contact_columns(GRID_WORKER_EXPORT_COLUMNS, any_shown), rows, title="网格员")


GROUP_EXPORT_COLUMNS = [
    Column("名称", "name"),
    Column("类型", "kind", parse=Choice(GroupKind)),
    Column("所属区划代码", "region_code", parse=REGION_CODE),
    Column("所属区划", "region_name"),
    Column("依托家站", "place_name"),
    Column("组长", "leader_name"),
    Column("联络员", "liaison_name"),
    Column("联络员电话", "liaison_phone", parse=Phone()),
    Column("成员人数", "member_count", parse=Integer(0)),
    Column("成员", "member_names", width=60),
]


def groups_export_xlsx(queryset: QuerySet[DeputyGroup], *, contacts: ContactsShown = None) -> bytes:
    """The liaison's phone only where `contacts(group)` allows."""
    groups = queryset.prefetch_related(None).select_related("region", "place", "leader").prefetch_related("members")

    def rows_of(group: DeputyGroup) -> Iterator[dict[str, Any]]:
        members = sorted(group.members.all(), key=lambda d: (d.name, d.pk))
        yield {
            "name": group.name,
            "kind": group.kind,
            "region_code": group.region.code,
            "region_name": group.region.name,
            "place_name": group.place.name if group.place else "",
            "leader_name": group.leader.name if group.leader else "",
            "liaison_name": group.liaison_name,
            "liaison_phone": group.liaison_phone,
            "member_count": len(members),
            "member_names": "、".join(deputy.name for deputy in members),
        }

    rows, any_shown = _contact_rows(groups.order_by("region__path", "kind", "name", "pk"), contacts, rows_of)
    return write_xlsx(_contact_columns(GROUP_EXPORT_COLUMNS, any_shown), rows, title="代表小组")


DUTY_SHIFT_EXPORT_COLUMNS = [
    Column("日期", "date", parse=Date()),
    Column("开始时间", "start_time", parse=Time()),
    Column("结束时间", "end_time", parse=Time()),
    Column("家站室", "place_name"),
    Column("所在区划", "region_name"),
    Column("接待代表", "deputy_name"),
    Column("备注", "note"),
]


def duty_shifts_export_xlsx(queryset: QuerySet[DutyShift]) -> bytes:
    shifts = queryset.select_related("place__region", "deputy").order_by("date", "start_time", "place__name", "pk")
    rows = (
        {
            "date": shift.date,
            "start_time": shift.start_time,
            "end_time": shift.end_time,
            "place_name": shift.place.name,
            "region_name": shift.place.region.name,
            "deputy_name": shift.deputy.name,
            "note": shift.note,
        }
        for shift in shifts
    )
    return write_xlsx(DUTY_SHIFT_EXPORT_COLUMNS, rows, title="接待排班")


# kind → (what it is called, the full list, the export, the path from a row to its region)
EXPORT_KINDS: dict[str, tuple[str, Callable[[], QuerySet], Callable[[Any], bytes], str]] = {
    "regions": ("行政区划", lambda: Region.objects.all(), regions_export_xlsx, "path"),
    "grids": ("网格", lambda: Grid.objects.all(), grids_export_xlsx, "region__path"),
    "deputies": ("代表", lambda: Deputy.objects.all(), deputies_export_xlsx, ""),
    "grid_workers": ("网格员", lambda: GridWorker.objects.all(), grid_workers_export_xlsx, "grid__region__path"),
    "groups": ("代表小组", lambda: DeputyGroup.objects.all(), groups_export_xlsx, "region__path"),
    "places": ("家站室", lambda: Place.objects.all(), places_export_xlsx, "region__path"),
    "duty_shifts": ("接待排班", lambda: DutyShift.objects.all(), duty_shifts_export_xlsx, "place__region__path"),
}


def list_export_xlsx(*, kind: str, region: Region | None = None) -> bytes:
    """The whole list of one kind, or the part of it within `region`, as .xlsx. For system use (commands);
    pages and the API pass their user's `visible_to` queryset to the export functions themselves."""
    _, queryset_of, export, path_lookup = EXPORT_KINDS[kind]
    queryset = queryset_of()
    if region is not None:
        if kind == "deputies":
            # Deputies reach a region through their mandates or their grids.
            mandates = Mandate.objects.filter(congress_region__path__startswith=region.path).values("deputy_id")
            districts = Mandate.objects.filter(district_region__path__startswith=region.path).values("deputy_id")
            queryset = queryset.filter(pk__in=mandates) | queryset.filter(pk__in=districts)
        else:
            queryset = queryset.filter(**{f"{path_lookup}__startswith": region.path})
    return export(queryset)
