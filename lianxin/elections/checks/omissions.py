"""漏: who should be on a roll and is not, and who is on one and should not be.

Given an extract of the population register (户籍人口) and the lists of people who moved out (迁出) and
died (死亡):

- a resident who is 18 or older on election day, alive, still resident, and on no roll of the election:
  registered nowhere (未登记); among them those who are not 18 yet on the day of the check but will be by
  election day are named apart (届时年满18周岁), because they are the ones most often forgotten;
- a registration whose ID is on the moved-out or the deaths list (dated on or before election day).

A resident whose ID is not on any roll but whose name and birth date are, is not reported as missing: that
is a registration with a mistyped ID, which the error and duplicate checks already name.
"""

import datetime

import polars as pl

from lianxin.elections.checks.duplicates import id_digits_key
from lianxin.elections.checks.errors import VOTING_AGE
from lianxin.elections.checks.frame import OMISSION_SCHEMA, age_on


class OmissionCode:
    UNREGISTERED = "unregistered"
    TURNING_18 = "turning_18"
    MOVED_OUT = "moved_out"
    DECEASED = "deceased"


OMISSION_LABELS = {
    OmissionCode.UNREGISTERED: "符合条件未登记",
    OmissionCode.TURNING_18: "届时年满18周岁未登记",
    OmissionCode.MOVED_OUT: "已迁出仍在名册",
    OmissionCode.DECEASED: "已死亡仍在名册",
}


def find_omissions(
    roll: pl.DataFrame,
    register: pl.DataFrame,
    *,
    election_day: datetime.date,
    as_of: datetime.date,
    moved_out: pl.DataFrame | None = None,
    deceased: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Rows of code, key (the registration, for moved out / deceased), id_number, name, birth_date, reason."""
    gone_frames = [
        events.filter(pl.col("date") <= election_day).select("id_number")
        for events in (moved_out, deceased)
        if events is not None
    ]
    gone = pl.concat(gone_frames).unique() if gone_frames else pl.DataFrame(schema={"id_number": pl.Utf8})

    residents = register.filter(pl.col("birth_date").is_not_null()).with_columns(
        age_on(pl.col("birth_date"), election_day).alias("age_then"),
        age_on(pl.col("birth_date"), as_of).alias("age_now"),
    )
    eligible = residents.filter(pl.col("age_then") >= VOTING_AGE).join(gone, on="id_number", how="anti")
    missing = eligible.join(roll.select("id_number"), on="id_number", how="anti")
    # A mistyped ID on the roll: a registration whose ID is not in the register has this person's name, birth
    # date and sex, and either the same sequence digits (a wrong check digit, birth date or region code in the
    # ID) or the same digits in another order (a transposition). Two people who share name, birth date and sex
    # share the sequence digits once in 500.
    strays = roll.join(register.select("id_number"), on="id_number", how="anti").drop_nulls(["name", "birth_date"])
    keys = [
        pl.col("id_number").str.slice(14, 3).alias("seq"),
        id_digits_key(pl.col("id_number")).alias("digits"),
    ]
    strays = strays.select("name", "birth_date", "sex", *keys)
    missing = missing.with_columns(*keys)
    for key in ("seq", "digits"):
        missing = missing.join(strays, on=["name", "birth_date", "sex", key], how="anti", nulls_equal=False)
    unregistered = missing.select(
        pl.when(pl.col("age_now") < VOTING_AGE)
        .then(pl.lit(OmissionCode.TURNING_18))
        .otherwise(pl.lit(OmissionCode.UNREGISTERED))
        .alias("code"),
        pl.lit(None, dtype=pl.Int64).alias("key"),
        "id_number",
        "name",
        "birth_date",
        pl.when(pl.col("age_now") < VOTING_AGE)
        .then(
            pl.format(
                "{}年满18周岁，选举日（{}）前成年，未登记",
                pl.col("birth_date").dt.offset_by(f"{VOTING_AGE}y").dt.strftime("%Y-%m-%d"),
                pl.lit(election_day.isoformat()),
            )
        )
        .otherwise(pl.format("选举日{}周岁，户籍在本地，未在任何选区登记", pl.col("age_then")))
        .alias("reason"),
    )

    found = [unregistered]
    for code, events, label in (
        (OmissionCode.MOVED_OUT, moved_out, "迁出"),
        (OmissionCode.DECEASED, deceased, "死亡"),
    ):
        if events is None:
            continue
        hits = roll.join(events.filter(pl.col("date") <= election_day), on="id_number", how="inner")
        found.append(
            hits.select(
                pl.lit(code).alias("code"),
                "key",
                "id_number",
                "name",
                "birth_date",
                pl.format(f"{{}}已{label}，仍在名册", pl.col("date").dt.strftime("%Y-%m-%d")).alias("reason"),
            )
        )
    return pl.concat([f.cast(OMISSION_SCHEMA) for f in found]).sort("code", "id_number")  # type: ignore[arg-type]
