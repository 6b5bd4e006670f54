"""错: the errors a single registration carries, checked column-wise over the whole roll at once.

The ID number is checked in the order of lianxin.core.idcard.id_number_parse, so that the first ID problem
named here is the one a clerk gets from the import form (a test holds the two to the same answers). The
other checks compare the ID with the rest of the row: birth date, sex, the region tree; and the name's form.
"""

import datetime
from collections.abc import Collection

import numpy as np
import polars as pl

from lianxin.core.idcard import EARLIEST_BIRTH, PROVINCE_PREFIXES, WEIGHTS
from lianxin.elections.checks.frame import ERROR_SCHEMA, age_on
from lianxin.elections.checks.names import MAX_NAME_LENGTH, NAME_PATTERN, name_problem

VOTING_AGE = 18


class ErrorCode:
    ID_FORMAT = "id_format"
    ID_PROVINCE = "id_province"
    ID_CHECKSUM = "id_checksum"
    ID_BIRTH = "id_birth"
    ID_REGION = "id_region"
    BIRTH_MISMATCH = "birth_mismatch"
    SEX_MISMATCH = "sex_mismatch"
    NAME = "name"
    UNDERAGE = "underage"


ERROR_LABELS = {
    ErrorCode.ID_FORMAT: "身份证号格式错误",
    ErrorCode.ID_PROVINCE: "身份证号省级代码无效",
    ErrorCode.ID_CHECKSUM: "身份证号校验位错误",
    ErrorCode.ID_BIRTH: "身份证号出生日期无效",
    ErrorCode.ID_REGION: "身份证号地区码不存在",
    ErrorCode.BIRTH_MISMATCH: "出生日期与身份证号不符",
    ErrorCode.SEX_MISMATCH: "性别与身份证号不符",
    ErrorCode.NAME: "姓名格式错误",
    ErrorCode.UNDERAGE: "选举日未满18周岁",
}


_WEIGHTS = np.array(WEIGHTS, dtype=np.int64)


def id_matrix(id_numbers: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """The IDs that are 17 digits and a digit or X (a boolean mask over all rows), and those IDs as an N×18
    matrix of character values (0-9, X = 10). One string joined and read as bytes: no Python object per ID."""
    ids = id_numbers.fill_null("")
    shaped = ids.str.contains(r"^\d{17}[0-9X]$").to_numpy()
    joined = ids.filter(pl.Series(shaped)).str.join("").item() if shaped.any() else ""
    matrix = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, 18).astype(np.int16) - ord("0")
    matrix[matrix == ord("X") - ord("0")] = 10
    return shaped, matrix


def checksum_ok(id_numbers: pl.Series) -> pl.Series:
    """GB 11643 (ISO 7064 MOD 11-2) for a column of IDs: the 17 weighted digits plus the check value (X = 10)
    are 1 modulo 11. False for anything that is not 17 digits and a digit or X. One matrix product: slicing
    a million strings 18 times in a dataframe costs ten times more."""
    shaped, matrix = id_matrix(id_numbers)
    out = np.zeros(len(shaped), dtype=bool)
    out[shaped] = (matrix[:, :17] @ _WEIGHTS + matrix[:, 17]) % 11 == 1
    return pl.Series(id_numbers.name, out)


def id_birth(id_number: pl.Expr) -> pl.Expr:
    """The birth date in the ID, or null when it is not a date (19900230)."""
    return id_number.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)


def id_sex(id_number: pl.Expr) -> pl.Expr:
    odd = id_number.str.slice(16, 1).cast(pl.Int32, strict=False) % 2 == 1
    return pl.when(odd).then(pl.lit("male")).otherwise(pl.lit("female"))


def check_errors(
    roll: pl.DataFrame,
    *,
    election_day: datetime.date,
    as_of: datetime.date,
    region_prefixes: Collection[str] | None,
) -> pl.DataFrame:
    """One row per (registration, problem): key, code, reason (Chinese, naming the values)."""
    idn = pl.col("id_number").fill_null("")
    birth = id_birth(idn)
    # Eager on purpose: the lazy plan recomputed this frame once per kind of finding (3x slower).
    ident = roll.select(
        "key",
        "id_number",
        "birth_date",
        "sex",
        (idn.str.len_chars() == 18).alias("len_ok"),
        idn.str.contains(r"^\d{17}[0-9X]$").alias("chars_ok"),
        idn.str.slice(0, 2).is_in(sorted(PROVINCE_PREFIXES)).alias("province_ok"),
        birth.alias("id_birth"),
        id_sex(idn).alias("id_sex"),
        idn.str.slice(0, 6).alias("prefix"),
    )
    ident = ident.with_columns(checksum_ok(ident.get_column("id_number")).alias("checksum_ok"))
    date_ok = pl.col("id_birth").is_not_null() & (pl.col("id_birth") >= EARLIEST_BIRTH) & (pl.col("id_birth") <= as_of)
    region_ok = pl.col("prefix").is_in(sorted(region_prefixes)) if region_prefixes is not None else pl.lit(True)
    # The first problem of the ID, in id_number_parse's order, as a small integer (strings for a million rows
    # cost more than the checks); 0 is none. The comparisons below need a parsed ID.
    ident = ident.with_columns(
        pl.when(~pl.col("len_ok") | ~pl.col("chars_ok"))
        .then(1)
        .when(~pl.col("province_ok"))
        .then(2)
        .when(~pl.col("checksum_ok"))
        .then(3)
        .when(~date_ok)
        .then(4)
        .when(~region_ok)
        .then(5)
        .otherwise(0)
        .cast(pl.Int8)
        .alias("id_code")
    )
    codes = dict(enumerate(_ID_CODES))
    id_errors = ident.filter(pl.col("id_code") > 0).select(
        "key",
        pl.col("id_code").replace_strict(codes, return_dtype=pl.Utf8).alias("code"),
        (
            pl.format("身份证号“{}”：", pl.col("id_number").fill_null(""))
            + pl.col("id_code").replace_strict(codes, return_dtype=pl.Utf8).replace_strict(_ID_REASONS, default="")
        ).alias("reason"),
    )
    # An ID whose region code alone is unknown still carries a real birth date and sex: compare them too.
    parsed = ident.filter((pl.col("id_code") == 0) | (pl.col("id_code") == 5))
    birth_errors = parsed.filter(pl.col("birth_date").is_not_null() & (pl.col("birth_date") != pl.col("id_birth")))
    birth_errors = birth_errors.select(
        "key",
        pl.lit(ErrorCode.BIRTH_MISMATCH).alias("code"),
        pl.format(
            "出生日期{}与身份证号中的{}不符",
            pl.col("birth_date").dt.strftime("%Y-%m-%d"),
            pl.col("id_birth").dt.strftime("%Y-%m-%d"),
        ).alias("reason"),
    )
    sex_errors = parsed.filter(pl.col("sex").is_not_null() & (pl.col("sex") != pl.col("id_sex")))
    sex_errors = sex_errors.select(
        "key",
        pl.lit(ErrorCode.SEX_MISMATCH).alias("code"),
        pl.format(
            "性别为{}，身份证号第17位表示{}",
            pl.col("sex").replace_strict(_SEX, default="?"),
            pl.col("id_sex").replace_strict(_SEX, default="?"),
        ).alias("reason"),
    )
    underage = parsed.filter(age_on(pl.col("id_birth"), election_day) < VOTING_AGE).select(
        "key",
        pl.lit(ErrorCode.UNDERAGE).alias("code"),
        pl.format(
            "按身份证号出生于{}，选举日（{}）未满18周岁",
            pl.col("id_birth").dt.strftime("%Y-%m-%d"),
            pl.lit(election_day.isoformat()),
        ).alias("reason"),
    )
    out = pl.concat([id_errors, birth_errors, sex_errors, underage, _name_errors(roll)], how="vertical")
    return out.cast(ERROR_SCHEMA).sort("key", "code")  # type: ignore[arg-type]


_ID_CODES = (
    "",
    ErrorCode.ID_FORMAT,
    ErrorCode.ID_PROVINCE,
    ErrorCode.ID_CHECKSUM,
    ErrorCode.ID_BIRTH,
    ErrorCode.ID_REGION,
)
_ID_REASONS = {
    ErrorCode.ID_FORMAT: "应为18位，前17位为数字，末位为数字或X",
    ErrorCode.ID_PROVINCE: "前两位不是有效的省级行政区划代码",
    ErrorCode.ID_CHECKSUM: "校验位错误",
    ErrorCode.ID_BIRTH: "出生日期无效",
    ErrorCode.ID_REGION: "前6位地区码不在区划库中",
}
_SEX = {"male": "男", "female": "女"}


def _name_errors(roll: pl.DataFrame) -> pl.DataFrame:
    # Almost every name passes the pattern, which polars tests in bulk; the few others are judged one by one
    # for the reason (names_problem is the reference and says the same of the ones that pass).
    names = roll.get_column("name").fill_null("")
    suspect = names.filter(
        ~names.str.contains(NAME_PATTERN) | (names.str.len_chars() < 2) | (names.str.len_chars() > MAX_NAME_LENGTH)
    ).unique()
    problems = {name: problem for name in suspect.to_list() if (problem := name_problem(name)) is not None}
    if not problems:
        return pl.DataFrame(schema=ERROR_SCHEMA)
    bad = roll.select("key", pl.col("name").fill_null("")).filter(pl.col("name").is_in(list(problems)))
    return bad.select(
        "key",
        pl.lit(ErrorCode.NAME).alias("code"),
        (pl.format("姓名“{}”：", pl.col("name")) + pl.col("name").replace_strict(problems, default="")).alias("reason"),
    )
