"""The demo county's 代表服务圈的覆盖与选址方案 (issue 20). Written through the app's services."""

import datetime
import random


def write_circle(rng: random.Random, *, today: datetime.date) -> None:
    """Nothing yet: the app's seed is being written."""


def clear_circle() -> None:
    """Delete what write_circle wrote."""
