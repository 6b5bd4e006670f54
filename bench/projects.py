"""Livelihood-project figures on a seeded demo county: the public year page and the monthly report (latency,
queries), the seed's projects part, and counting a large vote (tally + decision + hash-chain digest).

    DATABASE_URL=sqlite:////tmp/projects-demo.db .venv/bin/lianxin migrate
    DATABASE_URL=sqlite:////tmp/projects-demo.db .venv/bin/lianxin seed_demo --cases 30
    DATABASE_URL=sqlite:////tmp/projects-demo.db .venv/bin/python bench/projects.py [--repeat 10] [--ballots 3000]

The counting figure uses unsaved ballots in memory (no database): it is the cost of `tally`, `decide` and
`ballots_digest` themselves, the work done at the close and by every `vote_verify`.
"""

import argparse
import os
import random
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--ballots", type=int, default=3000)
    parser.add_argument("--candidates", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from lianxin.accounts.models import User
    from lianxin.demo.seed import projects as demo_projects
    from lianxin.projects.models import Ballot, Project, Site, TiePolicy
    from lianxin.projects.voting import ballots_digest, decide, tally

    year = Project.objects.order_by("-year").values_list("year", flat=True).first()
    if year is None:
        raise SystemExit("no projects: seed the demo county first (see the docstring)")
    client = Client()
    staff = Client()
    staff.force_login(User.objects.get(username="county"))
    today = timezone.localdate()
    pages = [
        ("year page", client, f"/projects/{year}/"),
        ("year page, one town", client, f"/projects/{year}/?town=330521001000"),
        ("site page", client, f"/projects/{year}/sites/{Site.objects.order_by('id').first().pk}"),  # type: ignore[union-attr]
        ("monthly report xlsx", staff, f"/projects/report/{today:%Y}-{today.month}.xlsx"),
        ("monthly report pdf", staff, f"/projects/report/{today:%Y}-{today.month}.pdf"),
    ]
    print(f"{Site.objects.filter(project__year=year).count()} sites of {year}; {args.repeat} requests per page")
    for name, who, url in pages:
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = who.get(url)
                times.append(time.perf_counter() - started)
            assert response.status_code == 200, (url, response.status_code)
        print(
            f"  {name:22} median {statistics.median(times) * 1000:7.1f} ms  max {max(times) * 1000:7.1f} ms  "
            f"{len(queries)} queries  {len(response.content) // 1024} KiB"
        )

    started = time.perf_counter()
    with transaction.atomic():
        demo_projects.clear_projects()
        counts = demo_projects.write_projects(random.Random("bench:projects"), today=today)
        transaction.set_rollback(True)
    print(f"seed's projects part: {time.perf_counter() - started:.1f} s for {counts} (rolled back)")

    rng = random.Random(1)
    numbers = list(range(1, args.candidates + 1))
    ballots = [
        Ballot(method="electronic", choices={str(n): rng.choice(["for", "against", "abstain"]) for n in numbers})
        for _ in range(args.ballots)
    ]
    started = time.perf_counter()
    counts_by = tally(numbers, ballots)
    decide(
        counts=counts_by, electorate_size=args.ballots, cast=args.ballots, seats=10, quorum=(2, 3),
        tie_policy=TiePolicy.RUNOFF,
    )  # fmt: skip
    ballots_digest(ballots)
    print(
        f"count a vote: {args.ballots} ballots × {args.candidates} candidates in "
        f"{(time.perf_counter() - started) * 1000:.0f} ms (tally, decision, digest)"
    )


if __name__ == "__main__":
    main()
