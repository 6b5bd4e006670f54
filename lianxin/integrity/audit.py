"""The integrity records' audit rows. They carry no region path (`region_path=""`): the audit log of the admin shows
other staff the rows of their region, and even a clue's number, reader and time are the commission's business. Only
the clue's page shows its own trail, to integrity staff. Nothing confidential goes into a row: the clue's `__str__`
is its number, and notes and changes hold statuses, dates and receipt numbers, never the subject or the text."""

from typing import Any

from lianxin.core.audit import audit_record
from lianxin.core.masking import mask_text
from lianxin.core.models import AuditEvent
from lianxin.integrity.models import Clue

READ = "integrity.clue_read"
DENIED = "integrity.clue_denied"
CLUE_TYPE = Clue._meta.label_lower


def audit_clue(*, actor: Any, action: str, clue: Clue, changes: dict[str, Any] | None = None, note: str = "") -> None:
    audit_record(actor=actor, action=action, obj=clue, changes=changes, note=note, region_path="")


def audit_denied(*, actor: Any, clue_id: Any, where: str) -> None:
    """An attempt to reach a clue without the right: recorded whether the clue exists or not (the id as asked)."""
    AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=DENIED,
        object_type=CLUE_TYPE,
        object_id=str(clue_id)[:64],
        object_repr=f"廉情线索 #{str(clue_id)[:32]}",
        region_path="",
        changes={},
        note=mask_text(where)[:200],
    )


def trail(clue: Clue) -> list[AuditEvent]:
    """Who read or changed the clue, newest first (shown on its page to integrity staff)."""
    return list(
        AuditEvent.objects.filter(object_type=CLUE_TYPE, object_id=str(clue.pk))
        .select_related("actor")
        .order_by("-created_at", "-id")[:200]
    )
