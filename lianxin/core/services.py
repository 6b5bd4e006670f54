"""Generic writes shared by the interface packages: saving an edited object with its audit row."""

from typing import Any, Protocol, runtime_checkable

from django.db import models, transaction

from lianxin.core.audit import audit_record, model_changes
from lianxin.core.codes import new_public_code
from lianxin.core.errors import DomainError


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


def object_relations_record(
    *, actor: Any, obj: models.Model, changes: dict[str, list[list[Any]]], region_path: str = ""
) -> None:
    """One audit row for many-to-many changes saved by a back-office form ({"field": [old pks, new pks]}): a
    unit's handlers, a group's members. Call inside the transaction that saved them."""
    if changes:
        audit_record(
            actor=actor, action=f"{obj._meta.model_name}.relations", obj=obj, changes=changes, region_path=region_path
        )


def object_delete(*, actor: Any, obj: models.Model, region_path: str = "") -> None:
    with transaction.atomic():
        audit_record(actor=actor, action=f"{obj._meta.model_name}.delete", obj=obj, region_path=region_path)
        obj.delete()


@runtime_checkable
class HasPublicCode(Protocol):
    """A deputy or a place: a model whose QR code carries `public_code`."""

    public_code: str


def public_code_rotate(*, actor: Any, obj: models.Model, region_path: str = "") -> str:
    """Give a deputy or place a new public code (a lost or defaced poster). The old QR code stops working;
    the deputy or place itself is unchanged. Compare-and-swap on the old code, so two clerks rotating at once
    cannot both win."""
    if not isinstance(obj, HasPublicCode):
        raise TypeError(f"{type(obj).__name__} has no public code")
    old = obj.public_code
    new = new_public_code()
    with transaction.atomic():
        changed = type(obj)._default_manager.filter(pk=obj.pk, public_code=old).update(public_code=new)
        if changed != 1:
            raise DomainError("public_code_conflict", "公开码刚刚已被他人更换，请刷新后重试")
        obj.public_code = new
        audit_record(
            actor=actor,
            action=f"{obj._meta.model_name}.rotate_code",
            obj=obj,
            changes={"public_code": [old, new]},
            region_path=region_path,
        )
    return new
