"""Limit/offset pagination answering exactly {"items": [...], "count": N}."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
# Far beyond any list here, and far below the 2^63 at which the database's OFFSET overflows (a 500 before).
MAX_OFFSET = 2**31 - 1


class LimitOffset(PaginationBase):
    class Input(Schema):
        limit: int = Field(
            DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"每页条数，1–{MAX_LIMIT}，默认 {DEFAULT_LIMIT}"
        )
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description=f"跳过的条数，0–{MAX_OFFSET}，默认 0")

    class Output(Schema):
        items: list[Any]
        count: int = Field(..., description="符合条件的总条数")

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any) -> Any:
        start = pagination.offset
        return {
            "items": list(queryset[start : start + pagination.limit]),
            "count": queryset.count(),
        }
