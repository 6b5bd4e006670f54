"""Voter rolls in and out of spreadsheets: the roll of a district, the register extracts the omission check
reads, the published list (公告) and the findings.

A roll sheet has one row per voter with the headers 姓名, 性别, 身份证号, 出生日期, 民族, 户籍地址, 现住址, 选区.
What a row says is kept as entered (a wrong check digit is imported, then named by the check): the import
refuses only what cannot be read (a blank name or ID, a sex that is neither 男 nor 女, a date that is no
date), an ID twice in one file, and a 选区 cell naming another district than the one imported into.
"""

from collections.abc import Iterable
from typing import IO, Any

import polars as pl

from lianxin.core.idcard import id_number_normalise
from lianxin.core.tabular import Choice, Column, Date, Parser, Text, read_sheet, write_xlsx
from lianxin.elections.checks.frame import EVENT_SCHEMA, REGISTER_SCHEMA
from lianxin.elections.models import Candidate, Finding, Qualification, Sex, Voter, mask_id_number

# A district's roll is thousands of rows; a city's register extract about a million.
MAX_ROWS = 2_000_000
MAX_BYTES = 400 * 1024 * 1024


class IdText(Parser):
    """An ID number as typed, normalised (full-width digits, spaces, lower-case x) but not validated."""

    excel_text = True

    def __call__(self, value: Any) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return id_number_normalise(str(value))


SEX = Choice(Sex, aliases={"男性": Sex.MALE, "女性": Sex.FEMALE})

VOTER_COLUMNS = [
    Column("姓名", "name", required=True, parse=Text(max_length=64)),
    Column("性别", "sex", parse=SEX),
    Column("身份证号", "id_number", required=True, parse=IdText(), aliases=("公民身份号码", "身份证号码")),
    Column("出生日期", "birth_date", parse=Date(), default=None),
    Column("民族", "nationality", parse=Text(max_length=32)),
    Column("户籍地址", "household_address", parse=Text(max_length=255)),
    Column("现住址", "current_address", parse=Text(max_length=255), aliases=("现居住地址", "住址")),
    Column("选区", "district", parse=Text(max_length=32), aliases=("选区编号",)),
]

REGISTER_COLUMNS = [
    Column("身份证号", "id_number", required=True, parse=IdText(), aliases=("公民身份号码", "身份证号码")),
    Column("姓名", "name", required=True, parse=Text(max_length=64)),
    Column("性别", "sex", parse=SEX, default=None),
    Column("出生日期", "birth_date", parse=Date(), default=None),
    Column("户籍地址", "address", parse=Text(max_length=255), aliases=("住址",)),
]

EVENT_COLUMNS = [
    Column("身份证号", "id_number", required=True, parse=IdText(), aliases=("公民身份号码", "身份证号码")),
    Column("日期", "date", required=True, parse=Date(), aliases=("迁出日期", "死亡日期")),
]


def read_voter_sheet(*, file: IO[bytes] | bytes, filename: str) -> Any:
    return read_sheet(file=file, filename=filename, columns=VOTER_COLUMNS, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)


def register_read(*, file: IO[bytes] | bytes, filename: str) -> pl.DataFrame:
    """A population register extract (身份证号, 姓名, 性别, 出生日期, 户籍地址) as the check engine's frame.
    A blank birth date is taken from the ID."""
    sheet = read_sheet(file=file, filename=filename, columns=REGISTER_COLUMNS, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
    sheet.raise_if_errors()
    rows = [row.values for row in sheet.rows]
    frame = pl.DataFrame({name: [row.get(name) for row in rows] for name in REGISTER_SCHEMA}, schema=REGISTER_SCHEMA)
    from lianxin.elections.checks.errors import id_birth

    return frame.with_columns(pl.coalesce(pl.col("birth_date"), id_birth(pl.col("id_number"))).alias("birth_date"))


def events_read(*, file: IO[bytes] | bytes, filename: str) -> pl.DataFrame:
    """A list of people who moved out or died (身份证号, 日期)."""
    sheet = read_sheet(file=file, filename=filename, columns=EVENT_COLUMNS, max_rows=MAX_ROWS, max_bytes=MAX_BYTES)
    sheet.raise_if_errors()
    return pl.DataFrame(
        {name: [row.values.get(name) for row in sheet.rows] for name in EVENT_SCHEMA}, schema=EVENT_SCHEMA
    )


def roll_export_xlsx(voters: Iterable[Voter]) -> bytes:
    """The roll with the import's own headers: it can be edited and imported back."""
    rows = (
        {
            "name": v.name,
            "sex": v.sex or None,
            "id_number": v.id_number,
            "birth_date": v.birth_date,
            "nationality": v.nationality,
            "household_address": v.household_address,
            "current_address": v.current_address,
            "district": v.district.code,
        }
        for v in voters
    )
    return write_xlsx(VOTER_COLUMNS, rows, title="选民名册")


PUBLISHED_COLUMNS = [
    Column("选区", "district"),
    Column("姓名", "name"),
    Column("身份证号", "id_number", parse=Text()),
]


def published_list_xlsx(voters: Iterable[Voter]) -> bytes:
    """The list posted for the public (选民榜): name and district only, the ID masked."""
    rows = ({"district": v.district.name, "name": v.name, "id_number": mask_id_number(v.id_number)} for v in voters)
    return write_xlsx(PUBLISHED_COLUMNS, rows, title="选民名单公告")


FINDING_COLUMNS = [
    Column("编号", "id"),
    Column("类别", "kind"),
    Column("问题", "code"),
    Column("选区", "district"),
    Column("姓名", "name"),
    Column("身份证号", "id_number", parse=Text()),
    Column("对照选区", "other_district"),
    Column("对照姓名", "other_name"),
    Column("对照身份证号", "other_id_number", parse=Text()),
    Column("相似度", "score"),
    Column("说明与依据", "reason", width=80),
    Column("处理", "resolution"),
    Column("处理说明", "resolution_note"),
]


def findings_export_xlsx(findings: Iterable[Finding]) -> bytes:
    from lianxin.elections.checks import DUPLICATE_LABELS, ERROR_LABELS, OMISSION_LABELS

    labels = {**ERROR_LABELS, **DUPLICATE_LABELS, **OMISSION_LABELS}
    rows = []
    for f in findings:
        voter, other = f.voter, f.other_voter
        rows.append(
            {
                "id": f.pk,
                "kind": f.get_kind_display(),
                "code": labels.get(f.code, f.code),
                "district": voter.district.name if voter else "",
                "name": voter.name if voter else f.person_name,
                "id_number": voter.id_number if voter else f.person_id_number,
                "other_district": other.district.name if other else "",
                "other_name": other.name if other else "",
                "other_id_number": other.id_number if other else "",
                "score": f.score,
                "reason": f.reason,
                "resolution": f.get_resolution_display() if f.resolution else "待处理",
                "resolution_note": f.resolution_note,
            }
        )
    return write_xlsx(FINDING_COLUMNS, rows, title="名册核查问题")


CANDIDATE_COLUMNS = [
    Column("选区", "district"),
    Column("姓名", "name"),
    Column("性别", "sex", parse=SEX),
    Column("职业与职务", "occupation"),
    Column("推荐方式", "nominated_by"),
]


def candidates_published_xlsx(candidates: Iterable[Candidate]) -> bytes:
    """The published list of a by-election's candidates whose qualification is confirmed."""
    rows = (
        {
            "district": c.district.name,
            "name": c.name,
            "sex": c.sex or None,
            "occupation": c.occupation,
            "nominated_by": c.nominated_by,
        }
        for c in candidates
        if c.qualification == Qualification.QUALIFIED
    )
    return write_xlsx(CANDIDATE_COLUMNS, rows, title="代表候选人名单")
