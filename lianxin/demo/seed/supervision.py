"""The demo county's 监督事项与监督组、廉情监测点、约见 (issue 19). Written through the app's services."""

import datetime
import random


def write_supervision(rng: random.Random, *, today: datetime.date) -> None:
    """Nothing yet: the app's seed is being written."""


def clear_supervision() -> None:
    """Delete what write_supervision wrote."""
