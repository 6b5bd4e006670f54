"""The staff dashboard page as a whole (issue 18, "every dashboard query"), on the data `bench/stats.py` built:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/benchstats .venv/bin/python bench/insight_pages.py [--pages 60]

stats.py times `figures` alone. A page (`/office/insight/`) also reads the same figures a year and a period
earlier, the trend, the breakdowns by deputy and by place, the overdue and supervised cases behind the figures,
the common problems and the map, and renders it all. This script asks the real page, through Django's test client
logged in as an administrator (the whole province in scope), for the first --pages questions of stats.py's seeded
mix whose period has ended (the page shows only ended periods), and times each part of the page by wrapping the
functions the page calls. It prints per level the page's p50/p95, per part its p50/p95, and one JSON line:
pages, p50_ms, p95_ms, max_ms and each part's p95. Nothing here asserts a time.
"""

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lianxin.settings")

# What the page calls, by module and name: each is wrapped to add its time to the request's parts.
PARTS = {
    "figures ×3": ("lianxin.office.insight.build", "figures"),
    "daily totals": ("lianxin.office.insight.build", "figures_daily"),
    "trend": ("lianxin.insight.dashboard", "trend"),
    "by deputy, by place": ("lianxin.insight.dashboard", "case_breakdown"),
    "overdue cases": ("lianxin.insight.dashboard", "overdue_cases"),
    "supervised cases": ("lianxin.insight.dashboard", "supervised_cases"),
    "common problems": ("lianxin.office.insight.views", "common_problems"),
    "map": ("lianxin.office.insight.build", "region_map_parts"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=60)
    args = parser.parse_args()

    import django

    django.setup()
    import importlib

    from django.conf import settings
    from django.test import Client
    from stats import _pct, _queries

    from lianxin.accounts.models import User

    settings.ALLOWED_HOSTS = ["*"]
    spent: dict[str, float] = defaultdict(float)
    for part, (module_name, name) in PARTS.items():
        module = importlib.import_module(module_name)
        setattr(module, name, _timed(getattr(module, name), part, spent))

    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True, "display_name": "压测管理员"}
    )
    client = Client()
    client.force_login(admin)
    from lianxin.office.insight.params import today

    asked = [query for query in _queries(args.pages * 2) if query["end"] < today()][: args.pages]
    for query in asked[:3]:  # warm-up: connections, templates, the calendar; not measured
        client.get("/office/insight/", _params(query))
    results = []
    for query in asked:
        spent.clear()
        started = time.perf_counter()
        response = client.get("/office/insight/", _params(query))
        total = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{_params(query)}: HTTP {response.status_code}")
        parts = {part: spent.get(part, 0.0) * 1000 for part in PARTS}
        parts["the rest (parameters, rendering)"] = total - sum(parts.values())
        results.append({"query": query, "ms": total, "parts": parts})

    print(f"{len(results)} pages, load average after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("| level | n | p50 ms | p95 ms | max ms |\n| --- | ---: | ---: | ---: | ---: |")
    groups: dict[str, list[float]] = defaultdict(list)
    for result in results:
        query = result["query"]
        groups[query["level"]].append(result["ms"])
        groups["a " + query["period"]].append(result["ms"])
        if any(key in query for key in ("category", "channel", "unit_id")):
            groups["filtered"].append(result["ms"])
        groups["**all**"].append(result["ms"])
    for name, values in groups.items():
        print(f"| {name} | {len(values)} | {_pct(values, 50):.1f} | {_pct(values, 95):.1f} | {max(values):.1f} |")
    print("\n| part of the page | p50 ms | p95 ms | max ms |\n| --- | ---: | ---: | ---: |")
    for part in results[0]["parts"]:
        values = [result["parts"][part] for result in results]
        print(f"| {part} | {_pct(values, 50):.1f} | {_pct(values, 95):.1f} | {max(values):.1f} |")
    slowest = max(results, key=lambda result: result["ms"])
    print(f"\nslowest page: {_params(slowest['query'])} {slowest['ms']:.0f} ms: " + json.dumps(slowest["parts"]))
    pages = [result["ms"] for result in results]
    summary: dict[str, Any] = {
        "pages": len(results),
        "p50_ms": round(_pct(pages, 50), 1),
        "p95_ms": round(_pct(pages, 95), 1),
        "max_ms": round(max(pages), 1),
    }
    for part in results[0]["parts"]:
        summary[f"{part} p95_ms"] = round(_pct([result["parts"][part] for result in results], 95), 1)
    print(json.dumps(summary, ensure_ascii=False))


def _timed(function: Any, part: str, spent: dict[str, float]) -> Any:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[part] += time.perf_counter() - started

    return timed


def _params(query: dict[str, Any]) -> dict[str, str]:
    from lianxin.insight.reports import period_of

    params = {"region": query["region"].code, "period": period_of(query["period"], query["start"]).code}
    if "category" in query:
        params["category"] = query["category"].code
    if "channel" in query:
        params["channel"] = query["channel"]
    if "unit_id" in query:
        params["unit"] = str(query["unit_id"])
    return params


if __name__ == "__main__":
    main()
