import csv
from pathlib import Path

import pytest

from lianxin.cases.defaults import CATEGORIES
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.models import Category
from lianxin.cases.services import case_register
from lianxin.cases.workflow import case_transition

# Platform category codes for three of the source's first-level labels.
CODES = {"交通运输": "transport", "环境保护": "environment", "教育文体": "education"}


@pytest.fixture(scope="session")
def tiny_messages(shared_data: Path) -> list[dict[str, str]]:
    """25 messages of each of three categories from messages.csv: small enough to train in a second."""
    picked: dict[str, list[dict[str, str]]] = {label: [] for label in CODES}
    with (shared_data / "govmsg" / "messages.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            bucket = picked.get(row["一级标签"])
            if bucket is not None and len(bucket) < 25 and row["留言主题"]:
                bucket.append(row)
    return [row for rows in picked.values() for row in rows]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["留言编号", "留言主题", "留言详情", "一级标签"], extrasaction="ignore"
        )
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def history(personas, regions, tiny_messages):
    """60 accepted cases in 居仁社区 with their final category: the platform's own history to train on."""
    # The categories come from a data migration; a transactional test that ran before (PostgreSQL's SKIP LOCKED
    # tests use one) has flushed them, so they are made again when missing.
    for sort, (code, name, description, keywords) in enumerate(CATEGORIES):
        Category.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "keywords": keywords, "sort": sort}
        )

    def register(row, region=None):
        return case_register(
            actor=None,
            draft=CaseDraft(
                channel="online",
                title=row["留言主题"][:100],
                body=row["留言详情"][:5000] or row["留言主题"],
                region=region or regions.jueren,
            ),
        ).case

    cases = []
    for i, row in enumerate(tiny_messages):
        if i % 5 == 0:
            continue  # every fifth letter is kept for new cases
        case = register(row)
        case_transition(
            case=case, action="accept", actor=personas.township_staff, params={"category": CODES[row["一级标签"]]}
        )
        cases.append(case)
    fresh = [row for i, row in enumerate(tiny_messages) if i % 5 == 0]
    return type("History", (), {"cases": cases, "fresh": fresh, "register": staticmethod(register)})
