import pytest
from django.core.management import CommandError, call_command

from lianxin.core.models import AuditEvent
from lianxin.open311.models import Open311Key
from lianxin.open311.services import open311_key_authenticate, open311_key_create
from lianxin.regions.models import Region

CHANGELIST = "/admin/open311/open311key/"


def test_the_command_prints_a_key_once_and_stores_only_its_hash(regions, capsys):
    Region.objects.filter(pk=regions.anji.pk).delete()  # one county left: the default
    call_command("create_open311_key", "德清县12345平台")
    key = capsys.readouterr().out.strip()
    record = Open311Key.objects.get()
    assert key.startswith("o311_") and record.region == regions.deqing
    assert record.key_hash == Open311Key.hash_key(key) and key not in record.key_hash
    assert key.startswith(f"o311_{record.prefix}")
    assert open311_key_authenticate(key) == record
    assert AuditEvent.objects.filter(action="open311_key.create", object_id=str(record.pk)).exists()


def test_the_command_needs_a_region_when_there_are_several_counties(regions, capsys):
    with pytest.raises(CommandError, match="--region"):
        call_command("create_open311_key", "某平台")
    call_command("create_open311_key", "武康街道小程序", "--region", regions.wukang.code)
    assert Open311Key.objects.get().region == regions.wukang
    with pytest.raises(CommandError, match="区划"):
        call_command("create_open311_key", "湖州市平台", "--region", regions.huzhou.code)
    with pytest.raises(CommandError, match="不存在"):
        call_command("create_open311_key", "某平台", "--region", "123")


def test_an_account_administrator_sees_the_keys_of_their_region_and_revokes_one(client, personas, regions):
    open311_key_create(actor=None, name="德清县12345平台", region=regions.deqing)
    open311_key_create(actor=None, name="安吉县平台", region=regions.anji)
    mine = Open311Key.objects.get(name="德清县12345平台")
    theirs = Open311Key.objects.get(name="安吉县平台")
    client.force_login(personas.admin)

    page = client.get(CHANGELIST)
    assert page.status_code == 200
    assert "德清县12345平台" in page.content.decode() and "安吉县平台" not in page.content.decode()
    assert client.get(f"{CHANGELIST}{theirs.pk}/change/").status_code == 404
    assert client.get(f"{CHANGELIST}add/").status_code == 403

    response = client.post(CHANGELIST, {"action": "revoke_keys", "_selected_action": [mine.pk]})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None
    assert AuditEvent.objects.filter(action="open311_key.revoke", actor=personas.admin).count() == 1


@pytest.mark.parametrize("persona", ["county_staff", "township_staff", "unit_handler", "deputy"])
def test_only_account_administrators_see_the_keys(client, personas, regions, persona):
    open311_key_create(actor=None, name="德清县12345平台", region=regions.deqing)
    client.force_login(getattr(personas, persona))
    assert client.get(CHANGELIST).status_code in (302, 403)
