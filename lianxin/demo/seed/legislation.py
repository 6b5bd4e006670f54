"""The demo county's 基层立法联系点的法规草案与意见 (issue 19). Written through the app's services."""

import datetime
import random


def write_legislation(rng: random.Random, *, today: datetime.date) -> None:
    """Nothing yet: the app's seed is being written."""


def clear_legislation() -> None:
    """Delete what write_legislation wrote."""
