"""Voter-roll checks at city scale: errors (错), duplicates (重) and omissions (漏) in a synthetic city,
and splink (probabilistic record linkage on DuckDB) on the same duplicate task.

    .venv/bin/python bench/voters.py                 # 1,000,000 registrations
    .venv/bin/python bench/voters.py --n 200000 --no-splink

1. Generates the city (lianxin.elections.synthetic: real Lanzhou villages and communities as electoral
   districts, realistic names, valid IDs; a few percent of errors, duplicates and omissions injected, with
   twins and other hard negatives) and writes it as Parquet to a temporary directory.
2. In a fresh process: reads it and runs the product's check engine (lianxin.elections.checks.run_checks:
   all three kinds), timed from the loaded frames to the findings. Peak memory is that process's max RSS.
3. In another fresh process: splink 4 with DuckDB on the duplicate task only, given the same derived columns
   our engine uses (toneless pinyin of the name, sorted ID characters) so that it blocks as well as we do.
   Timed from the loaded table through training (u by random sampling, λ from a deterministic rule, m by EM)
   to the scored pairs. Its F1 is the best over match-probability thresholds 0.5-0.999 (generous to it).
4. Scores both against the injected truth and prints a table; the last line is one JSON object.

Nothing here is a timed assert; figures depend on the machine and its load (printed beside them).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARED = Path(os.getenv("LIANXIN_SHARED_DATA", ROOT.parent / "shared" / "data"))
REGIONS_CSV = SHARED / "regions" / "lanzhou_deqing.csv"
# Pairs sampled to estimate splink's u probabilities: its docs suggest 1e7-1e9 (1e6 is its default).
U_PAIRS = float(os.getenv("SPLINK_U_PAIRS", "1e6"))
THRESHOLDS = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999)


def peak_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent
    across fork and exec, so a stage started by the (large) generator process would report the generator's."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prf(found: set[Any], truth: set[Any]) -> tuple[float, float, float]:
    tp = len(found & truth)
    precision = tp / len(found) if found else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


# Stage 2: our checks ---------------------------------------------------------------------------------------


def stage_check(data: Path) -> dict[str, Any]:
    import datetime

    import polars as pl

    from lianxin.elections.checks import run_checks

    meta = json.loads((data / "meta.json").read_text())
    started = time.perf_counter()
    roll = pl.read_parquet(data / "roll.parquet")
    register = pl.read_parquet(data / "register.parquet")
    moved_out = pl.read_parquet(data / "moved_out.parquet")
    deceased = pl.read_parquet(data / "deceased.parquet")
    loaded = time.perf_counter()
    times: dict[str, float] = {}
    from lianxin.elections.checks import check_errors, find_duplicates, find_omissions

    t0, c0 = time.perf_counter(), time.process_time()
    result = run_checks(
        roll,
        election_day=datetime.date.fromisoformat(meta["election_day"]),
        as_of=datetime.date.fromisoformat(meta["as_of"]),
        region_prefixes=set(meta["region_prefixes"]),
        register=register,
        moved_out=moved_out,
        deceased=deceased,
    )
    times["all"] = time.perf_counter() - t0
    times["all_cpu"] = time.process_time() - c0
    # The parts alone, for the table (the engine is called again; not part of "all").
    t0 = time.perf_counter()
    check_errors(
        roll,
        election_day=datetime.date.fromisoformat(meta["election_day"]),
        as_of=datetime.date.fromisoformat(meta["as_of"]),
        region_prefixes=set(meta["region_prefixes"]),
    )
    times["errors"] = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    find_duplicates(roll)
    times["duplicates"] = time.perf_counter() - t0
    times["duplicates_cpu"] = time.process_time() - c0
    t0 = time.perf_counter()
    find_omissions(
        roll,
        register,
        election_day=datetime.date.fromisoformat(meta["election_day"]),
        as_of=datetime.date.fromisoformat(meta["as_of"]),
        moved_out=moved_out,
        deceased=deceased,
    )
    times["omissions"] = time.perf_counter() - t0
    om = result.omissions
    return {
        "load_seconds": loaded - started,
        "times": times,
        "errors": [list(r) for r in result.errors.select("key", "code").iter_rows()],
        "duplicates": [list(r) for r in result.duplicates.select("key_a", "key_b").iter_rows()],
        "omissions": [
            [code, id_number if key is None else str(key)]
            for code, key, id_number in om.select("code", "key", "id_number").iter_rows()
        ],
        "peak_mb": peak_mb(),
    }


# Stage 3: splink -------------------------------------------------------------------------------------------


def stage_splink(data: Path) -> dict[str, Any]:
    import logging

    import duckdb
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    con = duckdb.connect()
    started = time.perf_counter()
    # The same derived keys our engine blocks on, computed by our code and handed to splink as columns.
    con.execute(f"create table voters as select * from read_parquet('{data / 'splink_input.parquet'}')")
    loaded, cpu_loaded = time.perf_counter(), time.process_time()
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="key",
        comparisons=[
            cl.LevenshteinAtThresholds("id_number", [1, 2]),
            cl.CustomComparison(
                output_column_name="name",
                comparison_levels=[
                    cll.NullLevel("name"),
                    cll.ExactMatchLevel("name"),
                    cll.ExactMatchLevel("py"),
                    cll.ExactMatchLevel("shape"),
                    cll.ElseLevel(),
                ],
            ),
            cl.ExactMatch("birth"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("address"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("id_number"),
            block_on("py", "birth", "sex"),
            block_on("id_sorted", "birth"),
            block_on("id_sorted", "py"),
            block_on("shape", "birth", "sex"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker("voters", settings, db_api=DuckDBAPI(connection=con), set_up_basic_logging=False)
    steps: dict[str, float] = {}
    mark = time.perf_counter()

    def step(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        steps[name], mark = now - mark, now

    linker.training.estimate_probability_two_random_records_match([block_on("id_number", "name")], recall=0.4)
    step("lambda")
    linker.training.estimate_u_using_random_sampling(max_pairs=U_PAIRS, seed=1)
    step("u")
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("py", "birth", "sex"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("id_number"))
    step("em")
    predictions = linker.inference.predict(threshold_match_probability=min(THRESHOLDS))
    rows = con.execute(f"select key_l, key_r, match_probability from {predictions.physical_name}").fetchall()
    step("predict")
    finished = time.perf_counter()
    return {
        "load_seconds": loaded - started,
        "seconds": finished - loaded,
        "cpu_seconds": time.process_time() - cpu_loaded,
        "steps": steps,
        "pairs": [[min(a, b), max(a, b), p] for a, b, p in rows],
        "peak_mb": peak_mb(),
    }


# Stage 1 and the report ------------------------------------------------------------------------------------


def generate(n: int, seed: int, data: Path) -> Any:
    import polars as pl

    from lianxin.elections.checks.duplicates import prepare
    from lianxin.elections.synthetic import generate_city, load_districts, region_prefixes_from

    city = generate_city(n, load_districts(REGIONS_CSV), region_prefixes=region_prefixes_from(REGIONS_CSV), seed=seed)
    city.roll.write_parquet(data / "roll.parquet")
    city.register.write_parquet(data / "register.parquet")
    city.moved_out.write_parquet(data / "moved_out.parquet")
    city.deceased.write_parquet(data / "deceased.parquet")
    prepare(city.roll, all_name_keys=True).select(
        "key", "name", "py", "shape", "id_number", "id_sorted", "birth", "sex", "address"
    ).with_columns(pl.col("birth").cast(pl.Utf8)).write_parquet(data / "splink_input.parquet")
    (data / "meta.json").write_text(
        json.dumps(
            {
                "election_day": city.election_day.isoformat(),
                "as_of": city.as_of.isoformat(),
                "region_prefixes": sorted(city.region_prefixes),
            }
        )
    )
    return city


def run_stage(stage: str, data: Path) -> dict[str, Any]:
    out = data / f"{stage}.json"
    subprocess.run([sys.executable, __file__, "--stage", stage, "--data", str(data), "--out", str(out)], check=True)
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="registrations on the city's rolls")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-splink", action="store_true", help="skip the splink comparison")
    parser.add_argument("--stage", choices=["check", "splink"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        result = stage_check(args.data) if args.stage == "check" else stage_splink(args.data)
        args.out.write_text(json.dumps(result, default=str))
        return

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="voters-bench-") as tmp:
        data = Path(tmp)
        t0 = time.perf_counter()
        city = generate(args.n, args.seed, data)
        generated = time.perf_counter() - t0
        truth = city.truth
        print(
            f"synthetic city: {city.roll.height:,} registrations in {len(city.districts):,} districts, "
            f"register {city.register.height:,}, generated in {generated:.1f} s"
        )
        for kind, count in sorted(truth.kinds.items()):
            print(f"  injected {kind:<34} {count:>8,}")
        del city

        ours = run_stage("check", data)
        found_errors = {(k, c) for k, c in ours["errors"]}
        found_dups = {(a, b) for a, b in ours["duplicates"]}
        found_omissions = {(c, i) for c, i in ours["omissions"]}
        err = prf(found_errors, truth.errors)
        dup = prf(found_dups, truth.duplicates)
        omi = prf(found_omissions, truth.omissions)
        times = ours["times"]
        print()
        print(f"{'kind':<12}{'precision':>11}{'recall':>9}{'F1':>9}{'found':>10}{'truth':>10}{'seconds':>9}")
        for label, (p, r, f), found, real, sec in (
            ("errors", err, found_errors, truth.errors, times["errors"]),
            ("duplicates", dup, found_dups, truth.duplicates, times["duplicates"]),
            ("omissions", omi, found_omissions, truth.omissions, times["omissions"]),
        ):
            print(f"{label:<12}{p:>11.5f}{r:>9.5f}{f:>9.5f}{len(found):>10,}{len(real):>10,}{sec:>9.2f}")
        print(
            f"whole check (all three, one call): {times['all']:.2f} s ({times['all_cpu']:.2f} s CPU); reading Parquet {ours['load_seconds']:.2f} s; "
            f"peak RSS of the check process {ours['peak_mb']:.0f} MB"
        )

        splink_seconds = splink_f1 = splink_peak = None
        try:
            import splink  # noqa: F401  (only to know whether the comparison can run)
        except ImportError:
            print('splink is not installed (pip install -e ".[bench]"): skipping the comparison')
            args.no_splink = True
        if not args.no_splink:
            theirs = run_stage("splink", data)
            best = (0.0, 0.0, 0.0, 0.0)
            for threshold in THRESHOLDS:
                pairs = {(a, b) for a, b, p in theirs["pairs"] if p >= threshold}
                p, r, f = prf(pairs, truth.duplicates)
                print(f"splink at p≥{threshold:<6} precision {p:.5f} recall {r:.5f} F1 {f:.5f} ({len(pairs):,} pairs)")
                if f > best[3]:
                    best = (threshold, p, r, f)
            splink_seconds, splink_f1, splink_peak = theirs["seconds"], best[3], theirs["peak_mb"]
            print("splink steps: " + ", ".join(f"{k} {v:.1f} s" for k, v in theirs["steps"].items()))
            print(
                f"splink duplicates: best F1 {best[3]:.5f} at p≥{best[0]}, {splink_seconds:.2f} s "
                f"(+{theirs['load_seconds']:.2f} s loading), peak RSS {splink_peak:.0f} MB"
            )
            print(
                f"ours on duplicates: F1 {dup[2]:.5f} in {times['duplicates']:.2f} s: "
                f"{splink_seconds / times['duplicates']:.1f}x faster than splink "
                f"(CPU time: ours {times['duplicates_cpu']:.2f} s, splink {theirs['cpu_seconds']:.2f} s, "
                f"{theirs['cpu_seconds'] / times['duplicates_cpu']:.1f}x)"
            )
        load_after = os.getloadavg()
        print(
            f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
            f"({os.cpu_count()} CPUs, shared machine)"
        )
        summary = {
            "n": args.n,
            "seconds": round(times["all"], 3),
            "cpu_seconds": round(times["all_cpu"], 3),
            "dup_seconds": round(times["duplicates"], 3),
            "dup_precision": round(dup[0], 5),
            "dup_recall": round(dup[1], 5),
            "dup_f1": round(dup[2], 5),
            "error_precision": round(err[0], 5),
            "error_recall": round(err[1], 5),
            "omission_precision": round(omi[0], 5),
            "omission_recall": round(omi[1], 5),
            "splink_seconds": round(splink_seconds, 3) if splink_seconds is not None else None,
            "splink_f1": round(splink_f1, 5) if splink_f1 is not None else None,
            "peak_mb": round(ours["peak_mb"]),
            "splink_peak_mb": round(splink_peak) if splink_peak is not None else None,
            "load_average": round(load_after[0], 2),
        }
        print(json.dumps(summary))


if __name__ == "__main__":
    main()
