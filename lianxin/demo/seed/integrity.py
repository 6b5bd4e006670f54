"""The demo county's integrity monitoring points (廉情监测点) with a few clues (issue 19). Written through the app's
services."""

import datetime
import random


def write_integrity(rng: random.Random, *, today: datetime.date) -> None:
    """Nothing yet: the app's seed is being written."""


def clear_integrity() -> None:
    """Delete what write_integrity wrote."""
