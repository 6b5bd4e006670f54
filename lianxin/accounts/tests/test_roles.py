from pathlib import Path

import pytest

from lianxin.accounts.management.commands.permissions_table import permissions_markdown
from lianxin.accounts.roles import Perm, Role
from lianxin.accounts.services import role_grant, role_revoke
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.regions.models import Region

DOCS = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"


def test_the_checked_in_permissions_table_matches_the_roles():
    assert DOCS.read_text(encoding="utf-8") == permissions_markdown(), "run `make docs` and commit docs/permissions.md"


def test_a_role_covers_its_region_and_everything_below(personas, regions):
    staff = personas.township_staff

    assert staff.has_perm_in(Perm.MANAGE_REGISTRY, regions.jueren.path)
    assert staff.has_perm_in(Perm.MANAGE_REGISTRY, regions.wukang.path)
    assert not staff.has_perm_in(Perm.MANAGE_REGISTRY, regions.deqing.path)
    assert not staff.has_perm_in(Perm.MANAGE_REGISTRY, regions.chengdong.path)
    assert list(Region.objects.visible_to(staff)) == [regions.wukang, regions.jueren]


def test_scope_paths_drop_regions_already_covered_by_a_wider_grant(personas, regions):
    user = personas.township_staff
    role_grant(actor=None, user=user, role=Role.COUNTY_STAFF, region=regions.deqing)
    user.refresh_from_db()

    assert user.scope_paths(Perm.MANAGE_REGISTRY) == [regions.deqing.path]


def test_a_deputy_may_read_but_not_see_contacts_or_manage(personas, regions):
    deputy = personas.deputy
    assert deputy.has_perm_in(Perm.VIEW_REGISTRY, regions.jueren.path)
    assert not deputy.has_perm_in(Perm.VIEW_CONTACTS, regions.jueren.path)
    assert not deputy.has_perm_anywhere(Perm.USE_BACKOFFICE)
    assert not deputy.is_staff


def test_an_inactive_account_can_do_nothing(personas, regions):
    user = personas.county_staff
    user.is_active = False
    assert not user.has_perm_in(Perm.VIEW_REGISTRY, regions.deqing.path)
    assert list(Region.objects.visible_to(user)) == []


def test_a_role_must_be_granted_at_its_level(make_user, regions):
    user = make_user("clerk")

    with pytest.raises(DomainError) as info:
        role_grant(actor=None, user=user, role=Role.TOWNSHIP_STAFF, region=regions.deqing)

    assert info.value.code == "role_region_level"
    assert info.value.message == "管辖区划: 乡镇人大工作人员只能授予在乡镇/街道一级，不能授予在德清县"
    assert not user.role_assignments.exists()


def test_administrators_grant_roles_only_inside_their_region(personas, make_user, regions):
    user = make_user("new_clerk")

    role_grant(actor=personas.admin, user=user, role=Role.TOWNSHIP_STAFF, region=regions.wukang)
    with pytest.raises(PermissionDenied):
        role_grant(actor=personas.admin, user=user, role=Role.COUNTY_STAFF, region=regions.anji)
    with pytest.raises(PermissionDenied):
        role_grant(actor=personas.county_staff, user=user, role=Role.TOWNSHIP_STAFF, region=regions.qianyuan)

    user.refresh_from_db()
    assert user.is_staff
    assert list(user.role_assignments.values_list("role", "region__name")) == [("township_staff", "武康街道")]
    event = AuditEvent.objects.get(action="role.grant", object_id=str(user.pk))
    assert (event.actor, event.changes) == (personas.admin, {"role": [None, "township_staff"]})


def test_revoking_a_role_is_audited(personas):
    assignment = personas.township_staff.role_assignments.get()

    role_revoke(actor=personas.admin, assignment=assignment)

    assert not personas.township_staff.role_assignments.exists()
    assert AuditEvent.objects.filter(action="role.revoke", actor=personas.admin).count() == 1
