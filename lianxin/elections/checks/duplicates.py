"""重: the same person registered twice, in one district or across districts.

Blocking, then scoring. Comparing every pair of a million registrations is 5·10¹¹ comparisons; instead
registrations are grouped on keys that a duplicate shares with its original even after an entry mistake,
and only pairs inside a group are scored:

    A  the ID number                                    (same person, another district or address)
    B  toneless pinyin of the name + birth date + sex   (homophone in the name; ID mistyped)
    C  the ID's characters sorted + birth date / pinyin (two digits of the ID transposed)
    D  look-alike-folded name + birth date + sex        (similar-looking character; ID mistyped)

A and C (with the birth date) run over the whole roll; B, D and C with the name only pair a registration
whose ID is invalid with the others of its group, because two valid IDs that differ by anything but a
transposition belong to two people (a single mistyped digit always breaks the check digit).

Each candidate pair is scored from what agrees: the ID (same, two digits transposed, one digit off),
the name (same, homophone, look-alike, one character off), birth date and sex. The ID weighs most
because two different people never share one and a mistyped ID rarely lands on someone else's;
the address weighs nothing because a person registered twice has usually moved (that is why).
Pairs with the same ID are always reported; other pairs from a score of 0.80.
"""

from typing import Any

import numpy as np
import polars as pl

from lianxin.elections.checks.errors import _WEIGHTS as ID_WEIGHTS
from lianxin.elections.checks.errors import id_birth, id_matrix
from lianxin.elections.checks.frame import DUPLICATE_SCHEMA
from lianxin.elections.checks.names import name_relation, pinyin_keys, shape_keys

THRESHOLD = 0.80
# A group larger than this on a fuzzy key is a common name on a common day, not a duplicate cluster.
MAX_FUZZY_GROUP = 50
POWERS_OF_19 = 19 ** np.arange(11, dtype=np.int64)

ID_WEIGHT = {"same": 0.55, "transposed": 0.45, "one_digit": 0.40, "differ": 0.0}
NAME_WEIGHT = {"same": 0.30, "homophone": 0.26, "similar": 0.26, "one_char": 0.12, "differ": 0.0}
BIRTH_WEIGHT = 0.10
SEX_WEIGHT = 0.05


class DuplicateCode:
    SAME_ID = "same_id"
    NEAR = "near"


DUPLICATE_LABELS = {DuplicateCode.SAME_ID: "身份证号重复", DuplicateCode.NEAR: "疑似同一人"}


def prepare(roll: pl.DataFrame, *, all_name_keys: bool = False) -> pl.DataFrame:
    """The roll with the blocking keys: birth date, the ID's digit multiset, whether the ID is invalid, and the
    pinyin and look-alike keys of the names.

    Name keys are only used around invalid IDs (blocks B, C′, D), so by default they are computed only for the
    registrations that share birth date and sex, or the ID's digits, with one; the others get null keys."""
    idn = pl.col("id_number").fill_null("")
    base = roll.with_columns(
        pl.col("name").fill_null(""),
        idn.alias("id_number"),
        # The birth date as entered; where none was entered, the one in the ID.
        pl.coalesce(pl.col("birth_date"), id_birth(idn)).alias("birth"),
    )
    shaped, matrix = id_matrix(base.get_column("id_number"))
    valid = np.zeros(len(shaped), dtype=bool)
    valid[shaped] = (matrix[:, :17] @ ID_WEIGHTS + matrix[:, 17]) % 11 == 1
    # Σ 19^character over the 18 positions = Σ count(c)·19^c: equal for IDs with the same characters in any order.
    digits = np.zeros(len(shaped), dtype=np.int64)
    digits[shaped] = POWERS_OF_19[matrix].sum(axis=1)
    base = base.with_columns(
        pl.Series("id_sorted", digits).set(pl.Series(~shaped), None),
        # An ID that cannot be right (wrong length, characters or check digit): a mistyped one.
        pl.Series("suspect", ~valid),
    )
    if all_name_keys:
        needs_keys = pl.lit(True)
    else:
        born = pl.struct("birth", "sex").hash(seed=3)
        suspects = base.filter(pl.col("suspect"))
        hot_births = suspects.select(born).to_series().unique()
        hot_digits = suspects.get_column("id_sorted").drop_nulls().unique()
        needs_keys = born.is_in(hot_births.implode()) | pl.col("id_sorted").is_in(hot_digits.implode())
    fuzzy = base.filter(needs_keys)
    names = fuzzy.get_column("name").unique().to_list()
    keys = pl.DataFrame(
        {"name": names, "py": pinyin_keys(names), "shape": shape_keys(names)},
        schema={"name": pl.Utf8, "py": pl.Utf8, "shape": pl.Utf8},
    )
    fuzzy = fuzzy.join(keys, on="name", how="left")
    if all_name_keys:
        return fuzzy
    rest = base.filter(~needs_keys).with_columns(
        pl.lit(None, pl.Utf8).alias("py"), pl.lit(None, pl.Utf8).alias("shape")
    )
    return pl.concat([fuzzy, rest], how="vertical", rechunk=False)


def id_digits_key(id_number: pl.Expr) -> pl.Expr:
    """How many of each character 0-9 and X the ID holds, as one integer: equal for two IDs that differ by a
    transposition. (Counting is ~5x faster than sorting the characters of a million strings.)"""
    return pl.sum_horizontal(
        [id_number.str.count_matches(ch, literal=True).cast(pl.Int64) * 19**i for i, ch in enumerate("0123456789X")]
    )


def _pairs(df: pl.DataFrame, on: list[str], max_group: int | None) -> pl.DataFrame:
    block = df.select("key", *on).drop_nulls()
    for column in on:
        if block.schema[column] == pl.Utf8:
            block = block.filter(pl.col(column) != "")
    # Grouping and joining on one 64-bit hash of the key is several times faster than on the strings; a hash
    # collision only adds a pair to score, which the scoring then rejects.
    block = block.select("key", pl.struct(on).hash(seed=11).alias("block"))
    size = pl.len().over("block")
    block = block.filter((size > 1) & (size <= max_group) if max_group else size > 1)
    joined = block.join(block, on="block", suffix="_b")
    return joined.filter(pl.col("key") < pl.col("key_b")).select(pl.col("key").alias("key_a"), "key_b")


def _pairs_touching_suspects(df: pl.DataFrame, on: list[str], max_group: int) -> pl.DataFrame:
    """Pairs of a fuzzy block in which at least one ID is invalid. Two valid IDs that differ are two people
    unless two digits were transposed (block C), so only a mistyped, hence invalid, ID needs a fuzzy partner:
    the join runs over the few groups that hold a suspect instead of over the whole roll."""
    block = df.select("key", "suspect", *on).drop_nulls()
    for column in on:
        if block.schema[column] == pl.Utf8:
            block = block.filter(pl.col(column) != "")
    block = block.select("key", "suspect", pl.struct(on).hash(seed=11).alias("block"))
    hot = block.filter(pl.col("suspect")).get_column("block").unique()
    block = block.filter(pl.col("block").is_in(hot.implode()))
    block = block.filter(pl.len().over("block") <= max_group)
    joined = block.join(block, on="block", suffix="_b")
    joined = joined.filter((pl.col("key") < pl.col("key_b")) & (pl.col("suspect") | pl.col("suspect_b")))
    return joined.select(pl.col("key").alias("key_a"), "key_b")


def candidate_pairs(prepared: pl.DataFrame) -> pl.DataFrame:
    blocks = [
        _pairs(prepared, ["id_number"], None),
        _pairs(prepared, ["id_sorted", "birth"], MAX_FUZZY_GROUP),
        _pairs_touching_suspects(prepared, ["py", "birth", "sex"], MAX_FUZZY_GROUP),
        _pairs_touching_suspects(prepared, ["id_sorted", "py"], MAX_FUZZY_GROUP),
        _pairs_touching_suspects(prepared, ["shape", "birth", "sex"], MAX_FUZZY_GROUP),
    ]
    return pl.concat(blocks).unique()


def id_relation(a: str, b: str) -> tuple[str, str]:
    if a == b:
        return "same", "身份证号相同"
    if len(a) != len(b):
        return "differ", f"身份证号不同（{a}／{b}）"
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diffs) == 2 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]:
        return "transposed", f"身份证号第{diffs[0] + 1}、{diffs[1] + 1}位颠倒（{a}／{b}）"
    if len(diffs) == 1:
        return "one_digit", f"身份证号第{diffs[0] + 1}位不同（{a}／{b}）"
    return "differ", f"身份证号不同（{a}／{b}）"


def score_pair(a: dict[str, Any], b: dict[str, Any]) -> tuple[float, str]:
    """The score of a candidate pair and the evidence, side by side, in Chinese."""
    id_rel, id_text = id_relation(a["id_number"], b["id_number"])
    name_rel, name_text = name_relation(a["name"], b["name"])
    score = ID_WEIGHT[id_rel] + NAME_WEIGHT[name_rel]
    evidence = [id_text, name_text]
    if a["birth"] is not None and a["birth"] == b["birth"]:
        score += BIRTH_WEIGHT
        evidence.append("出生日期相同")
    else:
        evidence.append(f"出生日期不同（{a['birth']}／{b['birth']}）")
    if a["sex"] is not None and a["sex"] == b["sex"]:
        score += SEX_WEIGHT
        evidence.append("性别相同")
    else:
        evidence.append("性别不同")
    if a["district"] == b["district"]:
        evidence.append("同一选区")
    else:
        evidence.append(f"不同选区（{a['district']}／{b['district']}）")
    if a["address"] == b["address"]:
        evidence.append("住址相同")
    else:
        evidence.append(f"住址不同（{a['address'] or '空'}／{b['address'] or '空'}）")
    return round(score, 4), "；".join(evidence)


def find_duplicates(roll: pl.DataFrame, *, threshold: float = THRESHOLD) -> pl.DataFrame:
    """One row per pair judged to be the same person: key_a < key_b, code, score (0–1), evidence."""
    prepared = prepare(roll)
    pairs = candidate_pairs(prepared)
    if pairs.is_empty():
        return pl.DataFrame(schema=DUPLICATE_SCHEMA)
    # A pair whose IDs differ in more than two places scores at most 0.45 (name, birth date and sex alone): drop it
    # before the per-pair Python. Most pairs of block C are such, people whose IDs hold the same digits.
    ids = prepared.select("key", "id_number")
    pairs = (
        pairs.join(ids.rename({"key": "key_a", "id_number": "id_a"}), on="key_a")
        .join(ids.rename({"key": "key_b", "id_number": "id_b"}), on="key_b")
        .filter(
            (pl.col("id_a").str.len_chars() == pl.col("id_b").str.len_chars())
            & (
                pl.sum_horizontal(
                    [
                        (pl.col("id_a").str.slice(i, 1) != pl.col("id_b").str.slice(i, 1)).cast(pl.Int8)
                        for i in range(18)
                    ]
                )
                <= 2
            )
        )
        .select("key_a", "key_b")
    )
    columns = ["key", "name", "id_number", "birth", "sex", "district", "address"]
    involved = pl.concat([pairs.get_column("key_a"), pairs.get_column("key_b")]).unique()
    records = {
        row["key"]: row
        for row in prepared.filter(pl.col("key").is_in(involved.implode())).select(columns).iter_rows(named=True)
    }
    out: dict[str, list[Any]] = {name: [] for name in DUPLICATE_SCHEMA}
    for key_a, key_b in pairs.iter_rows():
        a, b = records[key_a], records[key_b]
        score, evidence = score_pair(a, b)
        same_id = a["id_number"] == b["id_number"]
        if same_id or score >= threshold:
            out["key_a"].append(key_a)
            out["key_b"].append(key_b)
            out["code"].append(DuplicateCode.SAME_ID if same_id else DuplicateCode.NEAR)
            out["score"].append(score)
            out["evidence"].append(evidence)
    return pl.DataFrame(out, schema=DUPLICATE_SCHEMA).sort("key_a", "key_b")
