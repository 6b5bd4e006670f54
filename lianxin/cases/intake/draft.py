"""A case as a channel hands it over: what the person said and where, before anything is derived or checked.

A channel fills in what its input says and leaves the rest empty: an empty title is taken from the text, an
unset reply preference from the channel and the contact, a missing region from the location, place, grid or
deputy (rules.py). The draft is immutable; `case_check` returns the case's fields from it.

For the API queue a draft is stored in its own serialised form (`to_payload`: references as codes and ids, JSON
values) and read back by the worker (`draft_from_payload`), so that no schema mirrors these fields by hand."""

import datetime
import time
from dataclasses import dataclass, field, fields, replace
from typing import Any

from lianxin.accounts.models import User
from lianxin.accounts.roles import Perm
from lianxin.cases.models import Category, ReceptionSession, Urgency
from lianxin.cases.selectors import case_refs_resolve, category_get_by_code
from lianxin.core.errors import DomainError
from lianxin.deputies.models import Deputy, GridWorker
from lianxin.regions.models import Grid, Region
from lianxin.venues.models import Place


@dataclass(frozen=True, kw_only=True)
class CaseDraft:
    channel: str
    body: str
    title: str = ""  # "": the first line of the text (rules.title_from_text)
    # Where and to whom: any of these, or a location; rules.region_resolve decides the case's region.
    region: Region | None = None
    place: Place | None = None
    deputy: Deputy | None = None
    grid: Grid | None = None
    grid_worker: GridWorker | None = None
    session: ReceptionSession | None = None
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    category: Category | None = None
    urgency: str = Urgency.NORMAL
    # The person.
    person_name: str = ""
    person_phone: str = ""
    is_anonymous: bool = False
    people_count: int = 1
    # How they want the answer: None lets the channel and the contact decide (rules.reply_preference);
    # wants_reply=False is "no answer needed" on a form that asks only that.
    reply_via: str | None = None
    wants_reply: bool = True
    external_id: str = ""  # a 12345 work order's number
    registered_at: datetime.datetime | None = None  # a paper register entered late; default: now
    photos: tuple[bytes, ...] = field(default=(), repr=False)  # cleaned JPEGs (lianxin.publicweb.photos)
    idempotency_key: str | None = None  # "<channel>:<key>": a retry returns the first attempt's case

    def with_changes(self, **changes: Any) -> "CaseDraft":
        return replace(self, **changes)

    def to_payload(self) -> dict[str, Any]:
        """The draft as JSON-ready data: objects by code or id, the registration time in ISO 8601. Photos and the
        idempotency key are not part of it (the queue row keeps the key in its own column)."""
        payload: dict[str, Any] = {}
        for name, value in asdict_shallow(self).items():
            if name in ("photos", "idempotency_key"):
                continue
            if name in _BY_CODE:
                value = value.code if value is not None else None
            elif name in _BY_ID:
                value = value.pk if value is not None else None
            elif isinstance(value, datetime.datetime):
                value = value.isoformat()
            payload[name] = value
        return payload


_BY_CODE = ("region", "grid", "category")
_BY_ID = ("place", "deputy", "grid_worker", "session")
_SCOPED = ("place", "deputy", "grid", "grid_worker", "session")
DRAFT_FIELDS = frozenset(f.name for f in fields(CaseDraft))


def asdict_shallow(draft: CaseDraft) -> dict[str, Any]:
    """The fields as they are (dataclasses.asdict would deep-copy the model instances)."""
    return {f.name: getattr(draft, f.name) for f in fields(draft)}


def draft_from_payload(
    *, actor: User, payload: dict[str, Any], received_at: datetime.datetime | None = None
) -> CaseDraft:
    """A draft from its serialised form (or from the API's input, which has the same names), with its references
    resolved as `actor` may see them: DomainError naming the field otherwise. `received_at`: when a queued
    submission arrived (its reception session may have closed since)."""
    unknown = set(payload) - DRAFT_FIELDS
    if unknown:
        raise DomainError("field_invalid", f"未知字段: {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    values = {name: value for name, value in payload.items() if name not in (*_BY_CODE, *_BY_ID)}
    if isinstance(values.get("registered_at"), str):
        values["registered_at"] = datetime.datetime.fromisoformat(values["registered_at"])
    return CaseDraft(**values, **_references(actor=actor, payload=payload, received_at=received_at))


def _references(*, actor: User, payload: dict[str, Any], received_at: datetime.datetime | None) -> dict[str, Any]:
    """The objects a payload names. The common submission (staff naming a region and perhaps a category) is
    resolved from a per-process cache; anything scoped to the caller goes through the scoped selector."""
    if any(payload.get(name) is not None for name in _SCOPED) or not actor.has_perm_anywhere(Perm.HANDLE_CASES):
        # A deputy or grid worker registering without naming one is registering their own: the selector knows.
        refs = case_refs_resolve(
            user=actor,
            received_at=received_at,
            **{name: payload.get(name) for name in (*_BY_CODE, *_BY_ID)},
        )
        return vars(refs)
    return {
        "region": _region(payload["region"]) if payload.get("region") else None,
        "category": _category(payload["category"]) if payload.get("category") else None,
    }


# Regions and categories by code, per process. Both are reference data that change a few times a year; a
# stale entry can only let a submission through that the worker then rejects with the reason (it resolves
# everything again), never register a case that should not exist.
REFERENCE_CACHE_SECONDS = 300.0
_reference_cache: dict[tuple[str, str], tuple[float, Any]] = {}


def reference_cache_clear() -> None:
    """Forget cached regions and categories (tests; an administrator who renamed a code)."""
    _reference_cache.clear()


def _cached(kind: str, code: str, load: Any) -> Any:
    now = time.monotonic()
    hit = _reference_cache.get((kind, code))
    if hit is not None and now - hit[0] < REFERENCE_CACHE_SECONDS:
        return hit[1]
    value = load()
    _reference_cache[(kind, code)] = (now, value)
    return value


def _region(code: str) -> Region:
    def load() -> Region | None:
        return Region.objects.only("id", "code", "name", "level", "path", "boundary").filter(code=code).first()

    region = _cached("region", code, load)
    if region is None:
        raise DomainError("region_unknown", f"所在区划: 区划代码 {code} 不存在", field="region")
    return region


def _category(code: str) -> Category:
    def load() -> Category | None:
        try:
            return category_get_by_code(code=code)
        except DomainError:
            return None

    category = _cached("category", code, load)
    if category is None:
        raise DomainError("category_unknown", f"类别: “{code}”不存在或已停用", field="category")
    return category
