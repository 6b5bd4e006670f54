"""Supervision items (issue 19): /api/v1/supervision-items."""

from ninja import Router

router = Router(tags=["监督事项"])
