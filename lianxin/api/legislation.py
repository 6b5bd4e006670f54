"""Drafts and their comments (issue 19): /api/v1/drafts, /api/v1/drafts/{id}/comments."""

from ninja import Router

router = Router(tags=["立法意见征集"])
