"""Portal figures on a seeded demo county: public pages (latency, queries) and A4 posters (single and per township).

    LIANXIN_VAR_DIR=/tmp/portal-demo .venv/bin/lianxin migrate && LIANXIN_VAR_DIR=/tmp/portal-demo .venv/bin/lianxin seed_demo
    LIANXIN_VAR_DIR=/tmp/portal-demo .venv/bin/python bench/portal.py [--repeat 20]

Reads only (the rate limits and captchas are not exercised). Django's test client in-process: no network, no
server, so the figures are the application's own cost per page.
"""

import argparse
import os
import statistics
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20, help="requests per page (default 20)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings")
    import django

    django.setup()
    import pypdfium2 as pdfium
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from lianxin.cases.models import Case, Status
    from lianxin.deputies.models import Deputy
    from lianxin.portal.posters import deputy_poster, region_posters
    from lianxin.regions.models import Grid, Region, RegionLevel
    from lianxin.venues.models import Place

    deputy = Deputy.objects.exclude(user=None).first() or Deputy.objects.first()
    place, grid = Place.objects.first(), Grid.objects.exclude(centroid_lat=None).first()
    result = Case.objects.filter(status=Status.PUBLISHED).first()
    if deputy is None or place is None or grid is None:
        sys.exit("no demo data: run `lianxin seed_demo` on this database first")
    client = Client()
    pages = [
        ("deputy page", f"/d/{deputy.public_code}"),
        ("submit form", f"/d/{deputy.public_code}/submit"),
        ("place page", f"/p/{place.public_code}"),
        ("results list", "/results/"),
        ("result detail", f"/results/{result.pk}" if result else "/results/"),
        ("find by grid", f"/find/?grid={grid.code}"),
        ("find by location", f"/find/?lat={grid.centroid_lat}&lng={grid.centroid_lng}"),
        ("QR code SVG", f"/d/{deputy.public_code}/qr.svg"),
        ("QR code PNG", f"/d/{deputy.public_code}/qr.png"),
        ("deputy poster PDF", f"/d/{deputy.public_code}/poster.pdf"),
    ]
    print(
        f"{Deputy.objects.count()} deputies, {Place.objects.count()} places, {Case.objects.count()} cases; "
        f"{connection.vendor}; {args.repeat} requests per page after one warm-up"
    )
    print(f"{'page':<20}{'status':>7}{'queries':>9}{'p50 ms':>9}{'max ms':>9}{'bytes':>9}")
    for label, url in pages:
        client.get(url)  # warm-up: templates, fonts
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
        print(
            f"{label:<20}{response.status_code:>7}{len(queries):>9}{statistics.median(times):>9.1f}"
            f"{max(times):>9.1f}{len(response.content):>9}"
        )

    start = time.perf_counter()
    single = [deputy_poster(deputy=d) for d in Deputy.objects.all()[:20]]
    print(
        f"\nposters: {len(single)} single deputy posters in {time.perf_counter() - start:.2f} s "
        f"({statistics.median(len(p) for p in single) // 1024} KB each, median)"
    )
    print(f"{'township':<12}{'pages':>7}{'seconds':>9}{'KB':>8}")
    total_pages, total_start = 0, time.perf_counter()
    for town in Region.objects.filter(level=RegionLevel.TOWNSHIP).order_by("code"):
        start = time.perf_counter()
        pdf = region_posters(region=town)
        seconds = time.perf_counter() - start
        document = pdfium.PdfDocument(pdf)
        count = len(document)
        document.close()
        total_pages += count
        print(f"{town.name:<12}{count:>7}{seconds:>9.2f}{len(pdf) // 1024:>8}")
    print(f"all townships: {total_pages} pages in {time.perf_counter() - total_start:.1f} s")


if __name__ == "__main__":
    main()
