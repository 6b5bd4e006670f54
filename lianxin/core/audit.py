"""Write audit rows. Call from services, inside the same transaction as the change.

Audit rows are append-only (in the database too: migration core 0002), so personal data cannot be purged from
them later: it is masked here, when the row is written (lianxin.core.masking, docs/privacy.md). A change of a
phone number is recorded as 139****5678 → 138****4321: enough to see that it changed and to which number, not
enough to call anyone.
"""

from typing import Any

from django.db import models

from lianxin.core.masking import mask_personal, mask_text
from lianxin.core.models import AuditEvent


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
    note: str = "",
    region_path: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=mask_text(str(obj))[:200],
        region_path=region_path,
        changes=mask_personal(changes or {}),
        note=mask_text(note),
    )


def model_changes(obj: models.Model, before: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """{"field": [old, new]} for the fields whose value differs from `before`."""
    out: dict[str, Any] = {}
    for name in fields:
        new = getattr(obj, name)
        if before.get(name) != new:
            out[name] = [_jsonable(before.get(name)), _jsonable(new)]
    return out


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    if isinstance(value, models.Model):
        return value.pk
    return str(value)
