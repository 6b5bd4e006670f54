"""Audit rows keep who changed what, with personal values masked when the row is written (they can never be
purged later: the table is append-only)."""

import json

from lianxin.core.audit import audit_record
from lianxin.core.models import AuditEvent
from lianxin.core.services import object_save
from lianxin.deputies.models import Deputy


def test_a_deputy_s_id_number_phone_and_address_change_is_audited_masked(personas):
    deputy = Deputy.objects.create(
        name="王明", id_number="330521199001011234", phone="13912345678", address="武康街道永安街160号3单元501室"
    )
    before = {"id_number": deputy.id_number, "phone": deputy.phone, "address": deputy.address, "name": deputy.name}
    deputy.id_number, deputy.phone, deputy.address = "33052119920202123X", "13812345678", "乾元镇城东村18号"
    object_save(actor=personas.county_staff, obj=deputy, before=before, fields=[*before])

    event = AuditEvent.objects.get(action="deputy.update", object_id=str(deputy.pk))
    assert event.changes == {
        "id_number": ["3305**********1234", "3305**********123X"],
        "phone": ["139****5678", "138****5678"],
        "address": ["武康街道永安街***", "乾元镇城东村***"],
    }
    stored = json.dumps(event.changes, ensure_ascii=False) + event.note + event.object_repr
    for secret in ("330521199001011234", "33052119920202123X", "13912345678", "13812345678", "160号", "18号"):
        assert secret not in stored


def test_phone_and_id_numbers_in_an_audit_note_are_masked(personas):
    deputy = Deputy.objects.create(name="王明")
    audit_record(actor=None, action="deputy.note", obj=deputy, note="来电13912345678，身份证330521199001011234")
    assert AuditEvent.objects.get(action="deputy.note").note == "来电139****5678，身份证3305**********1234"
