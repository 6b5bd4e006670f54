"""The columnar shapes the checks read and write, independent of the ORM.

A roll is a polars DataFrame with one row per registration:

    key          Int64    the registration's id (the database pk, or a row number in the benchmark)
    name         Utf8     姓名 as entered
    sex          Utf8     "male" / "female" / null (性别 as entered)
    id_number    Utf8     身份证号 as entered, normalised (no spaces, upper-case X)
    birth_date   Date     出生日期 as entered, or null
    district     Utf8     选区 code
    address      Utf8     现住址 (or 户籍地址)

A register extract (户籍人口) has id_number, name, sex, birth_date, address; the lists of people who moved
out (迁出) and died (死亡) have id_number and date. The checks return DataFrames of findings; the product
turns them into rows, the benchmark scores them against what it injected.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

ROLL_SCHEMA: dict[str, Any] = {
    "key": pl.Int64,
    "name": pl.Utf8,
    "sex": pl.Utf8,
    "id_number": pl.Utf8,
    "birth_date": pl.Date,
    "district": pl.Utf8,
    "address": pl.Utf8,
}
REGISTER_SCHEMA: dict[str, Any] = {
    "id_number": pl.Utf8,
    "name": pl.Utf8,
    "sex": pl.Utf8,
    "birth_date": pl.Date,
    "address": pl.Utf8,
}
EVENT_SCHEMA: dict[str, Any] = {"id_number": pl.Utf8, "date": pl.Date}

ERROR_SCHEMA: dict[str, Any] = {"key": pl.Int64, "code": pl.Utf8, "reason": pl.Utf8}
DUPLICATE_SCHEMA: dict[str, Any] = {
    "key_a": pl.Int64,
    "key_b": pl.Int64,
    "code": pl.Utf8,
    "score": pl.Float64,
    "evidence": pl.Utf8,
}
OMISSION_SCHEMA: dict[str, Any] = {
    "code": pl.Utf8,
    "key": pl.Int64,
    "id_number": pl.Utf8,
    "name": pl.Utf8,
    "birth_date": pl.Date,
    "reason": pl.Utf8,
}


def frame(rows: Iterable[Mapping[str, Any]], schema: Mapping[str, Any]) -> pl.DataFrame:
    """A DataFrame with exactly `schema`'s columns from dicts (missing keys are null)."""
    columns: dict[str, list[Any]] = {name: [] for name in schema}
    for row in rows:
        for name in schema:
            columns[name].append(row.get(name))
    return pl.DataFrame(columns, schema=dict(schema))


def empty(schema: Mapping[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(schema=dict(schema))


def age_on(birth: pl.Expr, day: datetime.date) -> pl.Expr:
    """Completed years on `day` (a person born on 29 February comes of age on 1 March in common years)."""
    before_birthday = (birth.dt.month() > day.month) | ((birth.dt.month() == day.month) & (birth.dt.day() > day.day))
    return pl.lit(day.year) - birth.dt.year() - before_birthday.cast(pl.Int32)
