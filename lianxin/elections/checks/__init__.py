"""The voter-roll check engine: plain columnar functions over polars DataFrames, with no ORM.

The product (lianxin.elections.services) and the benchmark (bench/voters.py) call the same functions:
`run_checks` for everything, or `check_errors`, `find_duplicates`, `find_omissions` one by one.
"""

import datetime
from collections.abc import Collection
from dataclasses import dataclass

import polars as pl

from lianxin.elections.checks.duplicates import DUPLICATE_LABELS, DuplicateCode, find_duplicates
from lianxin.elections.checks.errors import ERROR_LABELS, ErrorCode, check_errors
from lianxin.elections.checks.omissions import OMISSION_LABELS, OmissionCode, find_omissions

__all__ = [
    "DUPLICATE_LABELS",
    "ERROR_LABELS",
    "OMISSION_LABELS",
    "CheckResult",
    "DuplicateCode",
    "ErrorCode",
    "OmissionCode",
    "check_errors",
    "find_duplicates",
    "find_omissions",
    "run_checks",
]


@dataclass(frozen=True)
class CheckResult:
    errors: pl.DataFrame  # key, code, reason
    duplicates: pl.DataFrame  # key_a, key_b, code, score, evidence
    omissions: pl.DataFrame  # code, key, id_number, name, birth_date, reason


def run_checks(
    roll: pl.DataFrame,
    *,
    election_day: datetime.date,
    as_of: datetime.date,
    region_prefixes: Collection[str] | None,
    register: pl.DataFrame | None = None,
    moved_out: pl.DataFrame | None = None,
    deceased: pl.DataFrame | None = None,
) -> CheckResult:
    errors = check_errors(roll, election_day=election_day, as_of=as_of, region_prefixes=region_prefixes)
    duplicates = find_duplicates(roll)
    if register is not None:
        omissions = find_omissions(
            roll, register, election_day=election_day, as_of=as_of, moved_out=moved_out, deceased=deceased
        )
    else:
        from lianxin.elections.checks.frame import OMISSION_SCHEMA

        omissions = pl.DataFrame(schema=OMISSION_SCHEMA)
    return CheckResult(errors=errors, duplicates=duplicates, omissions=omissions)
