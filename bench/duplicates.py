"""Duplicate warning at intake: latency of the top-5 search among 100,000 open cases.

    .venv/bin/python bench/duplicates.py [--cases 100000] [--queries 300]

The index is lianxin.routing.duplicates.DuplicateIndex (what lianxin.routing.selectors.duplicates_find keeps per
township). Worst case: all the open cases in ONE township's index (a real county spreads them over 13-150
townships, so each index is far smaller). Cases are the 10,872 real letters of messages.csv and hot_issues.csv,
repeated with a varying estate/number suffix up to --cases; queries are other letters' titles and openings, plus
re-worded copies of indexed letters (whose own case must come first). Prints build time, the index's size, latency
percentiles and the hit rate of the re-worded copies. The selector adds two indexed queries (newest id; statuses of
the ≤15 candidates) on top of the figures here.
"""

import argparse
import csv
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lianxin.routing.duplicates import DuplicateIndex

SHARED = Path(os.environ.get("LIANXIN_SHARED_DATA", Path(__file__).resolve().parent.parent.parent / "shared" / "data"))


def letters() -> list[tuple[str, str]]:
    out = []
    for name in ("messages.csv", "hot_issues.csv"):
        with (SHARED / "govmsg" / name).open(encoding="utf-8") as handle:
            out += [(r["留言主题"] or "", r["留言详情"] or "") for r in csv.DictReader(handle)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(0)
    source = letters()
    held_out = set(rng.sample(range(len(source)), args.queries))
    pool = [s for i, s in enumerate(source) if i not in held_out]
    titles, bodies = [], []
    for n in range(args.cases):
        title, body = pool[n % len(pool)]
        if n >= len(pool):  # later copies: another building, another phase — same words, different letter
            title = f"{title}{rng.choice('东西南北')}{n % 97}栋"
            body = f"{rng.randint(1, 30)}号楼住户反映：{body}"
        titles.append(title)
        bodies.append(body)

    started = time.perf_counter()
    index = DuplicateIndex()
    for start in range(0, args.cases, 10_000):
        index.add(
            list(range(start, min(start + 10_000, args.cases))),
            titles[start : start + 10_000],
            bodies[start : start + 10_000],
        )
    index.search("预热", "预热")
    build = time.perf_counter() - started
    matrix = index._build()
    size = matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes

    queries = [source[i] for i in sorted(held_out)]
    reworded = rng.sample(range(min(len(pool), args.cases)), args.queries)
    for key in reworded:  # the same problem told again by someone else: shortened title, the body's middle
        title, body = titles[key], bodies[key]
        queries.append((f"关于{title[: max(6, len(title) * 2 // 3)]}", body[len(body) // 4 :]))
    latencies = []
    hits = 0
    for n, (title, body) in enumerate(queries):
        started = time.perf_counter()
        found = index.search(title, body, k=5)
        latencies.append((time.perf_counter() - started) * 1000)
        if n >= args.queries and found and found[0].key == reworded[n - args.queries]:
            hits += 1
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2)

    print(
        json.dumps(
            {
                "open_cases_in_one_township": args.cases,
                "build_seconds": round(build, 1),
                "index_mb": round(size / 2**20),
                "queries": len(latencies),
            }
        )
    )
    print(
        json.dumps(
            {
                "latency_ms_p50": pct(0.5),
                "p95": pct(0.95),
                "p99": pct(0.99),
                "max": round(latencies[-1], 2),
                "reworded_copy_ranked_first": round(hits / args.queries, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
