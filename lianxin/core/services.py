"""Generic writes shared by the interface packages: saving an edited object with its audit row."""

from typing import Any

from django.db import models, transaction

from lianxin.core.audit import audit_record, model_changes


def object_save(
    *, actor: Any, obj: models.Model, before: dict[str, Any], fields: list[str], region_path: str = ""
) -> models.Model:
    """Save `obj` and write one audit row with the fields that changed since `before`.

    Used by back-office forms for plain registry records (grids, places, groups, pairings). Writes with rules
    of their own (workflows, imports, grants) have dedicated services and never come through here.
    """
    creating = obj.pk is None
    with transaction.atomic():
        obj.save()
        changes = model_changes(obj, {} if creating else before, fields)
        if creating or changes:
            label = obj._meta.model_name
            audit_record(
                actor=actor,
                action=f"{label}.create" if creating else f"{label}.update",
                obj=obj,
                changes=changes,
                region_path=region_path,
            )
    return obj


def object_delete(*, actor: Any, obj: models.Model, region_path: str = "") -> None:
    with transaction.atomic():
        audit_record(actor=actor, action=f"{obj._meta.model_name}.delete", obj=obj, region_path=region_path)
        obj.delete()
