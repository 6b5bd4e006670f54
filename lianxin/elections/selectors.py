"""Reads: rolls as the check engine's frames, and the querysets the pages and exports start from."""

from typing import Any

import polars as pl
from django.db.models import Count, Q, QuerySet

from lianxin.elections.checks.frame import ROLL_SCHEMA
from lianxin.elections.models import District, Election, Finding, Voter, VoterStatus


def roll_frame(*, election: Election) -> pl.DataFrame:
    """The active registrations of every district of the election, in the engine's columns. The address
    compared is where the person lives (现住址), or the household address when that is blank."""
    rows = (
        Voter.objects.filter(district__election=election, status=VoterStatus.ACTIVE)
        .order_by()
        .values_list("pk", "name", "sex", "id_number", "birth_date", "district__code", "current_address")
        .iterator(chunk_size=20_000)
    )
    columns: dict[str, list[Any]] = {name: [] for name in ROLL_SCHEMA}
    names = list(ROLL_SCHEMA)
    for row in rows:
        for name, value in zip(names, row, strict=True):
            columns[name].append(value)
    frame = pl.DataFrame(columns, schema=ROLL_SCHEMA)
    return frame.with_columns(pl.col("sex").replace("", None))


def voters_of(*, district: District, active_only: bool = True) -> QuerySet[Voter]:
    queryset = Voter.objects.filter(district=district).select_related("district")
    return queryset.filter(status=VoterStatus.ACTIVE) if active_only else queryset


def election_voters(*, election: Election) -> QuerySet[Voter]:
    return (
        Voter.objects.filter(district__election=election, status=VoterStatus.ACTIVE)
        .select_related("district")
        .order_by("district__code", "id")
    )


def findings_of(*, election: Election, user: Any = None) -> QuerySet[Finding]:
    queryset = Finding.objects.filter(election=election)
    if user is not None:
        queryset = queryset.visible_to(user)
    return queryset.select_related("voter__district", "other_voter__district").order_by("kind", "code", "id")


def findings_summary(*, election: Election) -> dict[str, dict[str, int]]:
    """{kind: {code: open count}} and the totals, for the command's summary and the election page."""
    out: dict[str, dict[str, int]] = {}
    rows = (
        Finding.objects.filter(election=election)
        .values("kind", "code")
        .annotate(total=Count("id"), open=Count("id", filter=Q(resolution="")))
        .order_by("kind", "code")
    )
    for row in rows:
        out.setdefault(row["kind"], {})[row["code"]] = row["open"]
    return out
