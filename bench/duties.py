"""Duty-performance figures at the scale of a province: scoring every deputy for a year, and the compliance board
of a city.

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE bench_duties" postgres
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_duties .venv/bin/python bench/duties.py [--reset]

It migrates DATABASE_URL's database (refusing one that already holds regions unless --reset, which empties the
tables it fills), builds a synthetic province — 10 cities of 10 counties, each county's congress with
--deputies/100 deputies (30,000 by default), 5 townships of 2 villages per county — with --activities attended
activities per deputy in the year (50 by default: gatherings of 20 deputies of one county, every kind), two
receptions per deputy (the cases app's sessions) and six scoring items per congress, then measures:

  1. scoring: `duties.selectors.scores` for every county congress of the province (the year-end ranking);
  2. the board: `compliance_board` for a city's staff (its ~3,000 deputies, four rules), median of --repeat runs.

It prints the figures and ends with one JSON line: deputies, activities, attendances, seconds (scoring),
board_ms (median), board_max_ms. Targets (issue 17): scoring < 30 s, board < 300 ms. Nothing here asserts a time.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import time
from decimal import Decimal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--deputies", type=int, default=30_000)
    parser.add_argument("--activities", type=int, default=50, help="attended activities per deputy")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="measure the province an earlier run built (no build)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from lianxin.regions.models import Region

    if args.reuse:
        built = _built()
    else:
        if Region.objects.exists():
            if not args.reset:
                raise SystemExit("the database holds data: use an empty database, --reset or --reuse")
            _reset()
        started = time.perf_counter()
        built = _build(args.deputies, args.activities)
        print(
            f"built in {time.perf_counter() - started:.0f} s: {built['activities']} activities, "
            f"{built['attendances']} attendances"
        )
    # A bulk load leaves the planner without statistics (and the visibility map unset) until autovacuum comes by;
    # a database in use has both.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    from lianxin.accounts.models import User
    from lianxin.duties.selectors import compliance_board, scores

    year = built["year"]
    started = time.perf_counter()
    ranked = 0
    for county_id in built["counties"]:
        ranked += len(scores(region_id=county_id, level="county", year=year))
    seconds = time.perf_counter() - started
    print(f"scoring: {ranked} deputies of {len(built['counties'])} county congresses in {seconds:.1f} s")

    staff = User.objects.get(username="bench_city")
    day = datetime.date(year, 6, 15)
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        board = compliance_board(user=staff, day=day)
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"board of a city: {len(board.rows)} deputies × {len(board.rules)} rules, median {statistics.median(times):.0f} ms"
    )
    print(
        json.dumps(
            {
                "deputies": ranked,
                "activities": built["activities"],
                "attendances": built["attendances"],
                "seconds": round(seconds, 2),
                "board_ms": round(statistics.median(times), 1),
                "board_max_ms": round(max(times), 1),
                "board_deputies": len(board.rows),
            }
        )
    )


def _built() -> dict:
    from django.utils import timezone

    from lianxin.duties.models import Activity, Attendance
    from lianxin.regions.models import Region

    counties = list(
        Region.objects.filter(level="county", code__startswith="99").order_by("code").values_list("pk", flat=True)
    )
    if not counties:
        raise SystemExit("--reuse: no province built here yet")
    return {
        "year": timezone.localdate().year,
        "counties": counties,
        "activities": Activity.objects.count(),
        "attendances": Attendance.objects.count(),
    }


def _reset() -> None:
    from django.db import connection

    from lianxin.accounts.models import RoleAssignment, User
    from lianxin.cases.models import ReceptionSession
    from lianxin.deputies.models import Deputy, Mandate
    from lianxin.duties.models import Activity, Attendance, FrequencyRule, ScoreItem
    from lianxin.regions.models import Region

    for model in (Attendance, Activity, ReceptionSession, ScoreItem, FrequencyRule, Mandate, Deputy, RoleAssignment):
        model.objects.all().delete()
    User.objects.filter(username="bench_city").delete()
    with connection.cursor() as cursor:
        for level in ("village", "township", "county", "prefecture", "province"):
            cursor.execute("DELETE FROM regions_region WHERE level = %s", [level])
    assert not Region.objects.exists()


def _build(deputy_count: int, per_deputy: int) -> dict:
    from django.db import transaction
    from django.utils import timezone

    from lianxin.accounts.models import User
    from lianxin.accounts.roles import Role
    from lianxin.accounts.services import role_grant
    from lianxin.cases.models import ReceptionSession
    from lianxin.deputies.models import Deputy, Mandate
    from lianxin.duties.models import (
        Activity,
        ActivityKind,
        Attendance,
        AttendanceStatus,
        FrequencyRule,
        ScoreItem,
        ScoreSource,
        new_signin_code,
    )
    from lianxin.regions.models import Region

    rng = random.Random("bench:duties")
    year = timezone.localdate().year
    kinds = [k for k in ActivityKind.values if k != ActivityKind.RECEPTION]
    per_county = max(20, deputy_count // 100)
    counties, activities, attendances = [], 0, 0
    with transaction.atomic():
        province = Region.objects.create(code="990000000000", name="测试省", level="province", path="990000000000/")
        for c in range(10):
            city = _region(province, f"99{c + 1:02d}00000000", f"第{c + 1}市", "prefecture")
            for k in range(10):
                county = _region(city, f"99{c + 1:02d}{k + 1:02d}000000", f"第{c + 1}市{k + 1}县", "county")
                counties.append(county.pk)
                villages = []
                for t in range(5):
                    township = _region(
                        county, f"{county.code[:6]}{t + 1:03d}000", f"{county.name}{t + 1}镇", "township"
                    )
                    villages += [
                        _region(township, f"{township.code[:9]}{v + 1:03d}", f"{township.name}{v + 1}村", "village")
                        for v in range(2)
                    ]
                deputies = Deputy.objects.bulk_create(
                    [
                        Deputy(name=f"代表{c}-{k}-{n}", gender="male", name_stroke_key=f"{n:06d}")
                        for n in range(per_county)
                    ]
                )
                Mandate.objects.bulk_create(
                    [
                        Mandate(
                            deputy=d,
                            level="county",
                            congress_region=county,
                            term=17,
                            district_region=rng.choice(villages),
                        )
                        for d in deputies
                    ]
                )
                gatherings = per_county * per_deputy // 20
                rows = []
                for g in range(gatherings):
                    day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(360))
                    starts = datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)
                    rows.append(
                        Activity(
                            kind=kinds[g % len(kinds)],
                            title=f"活动{g}",
                            status="held",
                            region=rng.choice(villages),
                            starts_at=starts,
                            ends_at=starts + datetime.timedelta(hours=2),
                            signin_code=new_signin_code(),
                        )
                    )
                created = Activity.objects.bulk_create(rows, batch_size=2000)
                activities += len(created)
                batch = []
                for activity in created:
                    for deputy in rng.sample(deputies, 20):
                        batch.append(
                            Attendance(
                                activity=activity,
                                deputy=deputy,
                                status=AttendanceStatus.PRESENT,
                                signed_in_at=activity.starts_at,
                                method="qr",
                            )
                        )
                Attendance.objects.bulk_create(batch, batch_size=5000)
                attendances += len(batch)
                ReceptionSession.objects.bulk_create(
                    [
                        ReceptionSession(
                            kind="mobile",
                            deputy=d,
                            region=rng.choice(villages),
                            started_at=datetime.datetime(year, rng.randrange(1, 13), 10, 9, tzinfo=datetime.UTC),
                        )
                        for d in deputies
                        for _ in range(2)
                    ],
                    batch_size=5000,
                )
                ScoreItem.objects.bulk_create(
                    [
                        ScoreItem(region=county, level="county", year=year, position=1, name="视察调研",
                                  source=ScoreSource.ACTIVITIES, kinds=["inspection", "research", "law_check"],
                                  points_each=Decimal(2), max_points=Decimal(20)),
                        ScoreItem(region=county, level="county", year=year, position=2, name="联系群众",
                                  source=ScoreSource.ACTIVITIES, kinds=["visit", "grid_day", "residents_talk"],
                                  points_each=Decimal(1), max_points=Decimal(20)),
                        ScoreItem(region=county, level="county", year=year, position=3, name="接待选民",
                                  source=ScoreSource.RECEPTIONS, points_each=Decimal(3), max_points=Decimal(12)),
                        ScoreItem(region=county, level="county", year=year, position=4, name="履职活动",
                                  source=ScoreSource.ACTIVITIES, points_each=Decimal("0.5"), max_points=Decimal(20)),
                        ScoreItem(region=county, level="county", year=year, position=5, name="提出建议",
                                  source=ScoreSource.SUGGESTIONS, points_each=Decimal(2), max_points=Decimal(10)),
                        ScoreItem(region=county, level="county", year=year, position=6, name="自评",
                                  source=ScoreSource.SELF, points_each=Decimal(1), max_points=Decimal(10)),
                    ]
                )  # fmt: skip
            print(f"  city {c + 1}/10: {activities} activities, {attendances} attendances")
        FrequencyRule.objects.bulk_create(
            [
                FrequencyRule(name="县级代表每月至少一次基层活动", level="county", period="month", minimum=1),
                FrequencyRule(name="每年至少两次接待选民", period="year", minimum=2, kinds=["reception"]),
                FrequencyRule(
                    name="每季度至少一次视察调研", period="quarter", minimum=1, kinds=["inspection", "research"]
                ),
                FrequencyRule(name="每季度走访企业", period="quarter", minimum=1, kinds=["enterprise_visit"]),
            ]
        )
        staff = User.objects.create_user(username="bench_city", password=None)
        role_grant(actor=None, user=staff, role=Role.CITY_STAFF, region=Region.objects.get(code="990100000000"))
    return {"year": year, "counties": counties, "activities": activities, "attendances": attendances}


def _region(parent, code: str, name: str, level: str):
    from lianxin.regions.models import Region

    return Region.objects.create(code=code, name=name, level=level, parent=parent, path=f"{parent.path}{code}/")


if __name__ == "__main__":
    main()
