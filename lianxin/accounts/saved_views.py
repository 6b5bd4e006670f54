"""Saved views (保存的视图): a person's named filter sets for a list page. Private to their owner: another
person's view answers as not found, the same as one that does not exist."""

from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.db import transaction
from django.db.models import QuerySet

from lianxin.accounts.models import SavedView
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, NotFound, PermissionDenied

NAME_LIMIT = 40
QUERY_LIMIT = 1000
# Parameters that are about one visit, not the filter set: the page number, a saved view's own id.
_TRANSIENT = frozenset({"page", "view", "csrfmiddlewaretoken"})


def saved_view_query_clean(query: str) -> str:
    """The filter part of a query string, without empty values and the per-visit parameters, in a stable order."""
    pairs = [(k, v) for k, v in parse_qsl(query.lstrip("?"), keep_blank_values=False) if k not in _TRANSIENT]
    return urlencode(sorted(pairs))


def saved_views_of(*, user: Any, page: str) -> QuerySet[SavedView]:
    if user is None or not user.is_authenticated:
        return SavedView.objects.none()
    return SavedView.objects.filter(owner=user, page=page).order_by("name", "id")


def saved_view_get(*, user: Any, page: str, view_id: int) -> SavedView:
    view = saved_views_of(user=user, page=page).filter(pk=view_id).first()
    if view is None:
        raise NotFound("该视图不存在，或不是您保存的")
    return view


def saved_view_save(*, actor: Any, page: str, name: str, query: str) -> SavedView:
    """Save the filter set under `name`; a view of the same name on the same page is replaced (one audit row)."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied("请先登录")
    name = (name or "").strip()
    if not name:
        raise DomainError("field_required", "视图名称: 不能为空", field="name")
    if len(name) > NAME_LIMIT:
        raise DomainError("field_too_long", f"视图名称: 不能超过{NAME_LIMIT}字，现为{len(name)}字", field="name")
    query = saved_view_query_clean(query)
    if len(query) > QUERY_LIMIT:
        raise DomainError("field_too_long", "筛选条件过长，请减少筛选项后再保存", field="query")
    with transaction.atomic():
        view = SavedView.objects.select_for_update().filter(owner=actor, page=page, name=name).first()
        before = view.query if view is not None else None
        if view is None:
            view = SavedView.objects.create(owner=actor, page=page, name=name, query=query)
        else:
            view.query = query
            view.save(update_fields=["query", "updated_at"])
        audit_record(
            actor=actor,
            action="saved_view.save",
            obj=view,
            changes={"page": page, "name": name, "query": [before, query]},
        )
    return view


def saved_view_delete(*, actor: Any, page: str, view_id: int) -> None:
    with transaction.atomic():
        view = saved_view_get(user=actor, page=page, view_id=view_id)
        audit_record(
            actor=actor, action="saved_view.delete", obj=view, changes={"name": view.name, "query": view.query}
        )
        view.delete()
