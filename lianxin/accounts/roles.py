"""Roles and what each may do. A role is granted over a region and covers everything below it.

This table is the single source of the permission rules; docs/permissions.md is generated from it
(`lianxin permissions_table`).
"""

from enum import StrEnum

from django.db import models

from lianxin.regions.models import RegionLevel


class Role(models.TextChoices):
    ADMIN = "admin", "系统管理员"
    CITY_STAFF = "city_staff", "市人大工作人员"
    COUNTY_STAFF = "county_staff", "县人大工作人员"
    TOWNSHIP_STAFF = "township_staff", "乡镇人大工作人员"
    PLACE_STAFF = "place_staff", "家站室联络员"
    DEPUTY = "deputy", "人大代表"
    GRID_WORKER = "grid_worker", "网格员"
    UNIT_HANDLER = "unit_handler", "承办单位经办人"
    # 廉情监测 (issue 19): reads and handles the confidential clues of the integrity monitoring points.
    INTEGRITY_STAFF = "integrity_staff", "廉情监测工作人员"


class Perm(StrEnum):
    VIEW_REGISTRY = "view_registry"  # regions, grids, deputies' public profiles, groups, places
    VIEW_CONTACTS = "view_contacts"  # deputies' and grid workers' phone, ID number, address
    MANAGE_REGISTRY = "manage_registry"  # edit and import deputies, grids, groups, places, pairings
    MANAGE_ROSTER = "manage_roster"  # edit a place's duty roster
    MANAGE_ACCOUNTS = "manage_accounts"  # grant roles, create accounts
    USE_BACKOFFICE = "use_backoffice"  # log in to the staff back office
    HANDLE_CASES = "handle_cases"  # register, accept, classify, route, answer, feed back citizens' opinions
    SUPERVISE_CASES = "supervise_cases"  # transfer to units, supervise (督办), close (销号), publish (公开)
    REPLY_AS_UNIT = "reply_as_unit"  # a responsible unit's handler replies to the cases assigned to the unit
    MANAGE_ELECTIONS = "manage_elections"  # voter rolls (ID numbers of everyone), their checks, by-election candidates
    MANAGE_PROJECTS = "manage_projects"  # livelihood projects: proposals, shortlist, votes, sites, closing (销号)
    # Deputies' suggestions and bills: pre-review, review, assignment to units, extension, supervision, closing.
    MANAGE_SUGGESTIONS = "manage_suggestions"
    # Duty performance: organise activities and sign deputies in, frequency rules, confirm scores, honours, funds.
    MANAGE_DUTIES = "manage_duties"
    # Link a login account to a deputy: the account then acts as the deputy, secret ballots included. Apart from
    # manage_registry so that staff who edit deputies cannot make themselves one (issue 12, item 6).
    LINK_DEPUTY_ACCOUNT = "link_deputy_account"
    # Supervision (issue 19): annual supervision items and groups, their records, rectification, 约见 and 直通车.
    MANAGE_SUPERVISION = "manage_supervision"
    # The integrity monitoring points' clues, joint checks and transfers to the discipline commission: confidential,
    # so apart from every other permission and no staff role holds it but integrity staff (and the administrator).
    MANAGE_INTEGRITY = "manage_integrity"
    # Grassroots legislative contact points (issue 19): drafts, moderation of comments, the summary and feedback.
    MANAGE_LEGISLATION = "manage_legislation"


PERM_LABELS = {
    Perm.VIEW_REGISTRY: "查看代表、网格、家站室",
    Perm.VIEW_CONTACTS: "查看联系方式等个人信息",
    Perm.MANAGE_REGISTRY: "维护与导入组织数据",
    Perm.MANAGE_ROSTER: "编排接待排班",
    Perm.MANAGE_ACCOUNTS: "管理账号与授权",
    Perm.USE_BACKOFFICE: "进入管理后台",
    Perm.HANDLE_CASES: "登记、受理、答复意见建议",
    Perm.SUPERVISE_CASES: "交办、督办、销号、公开",
    Perm.REPLY_AS_UNIT: "以承办单位身份办理答复",
    Perm.MANAGE_ELECTIONS: "选民登记核查与补选",
    Perm.MANAGE_PROJECTS: "民生实事项目点单、票决、点位督查与销号",
    Perm.MANAGE_SUGGESTIONS: "代表建议议案的审查、交办、督办与办结",
    Perm.MANAGE_DUTIES: "组织履职活动、评定履职积分与经费",
    Perm.LINK_DEPUTY_ACCOUNT: "关联代表的登录账号",
    Perm.MANAGE_SUPERVISION: "监督事项、约见与直通车",
    Perm.MANAGE_INTEGRITY: "廉情线索、联合督查与问题移送（保密）",
    Perm.MANAGE_LEGISLATION: "立法意见征集、审核与汇总",
}

_STAFF = {
    Perm.VIEW_REGISTRY,
    Perm.VIEW_CONTACTS,
    Perm.MANAGE_REGISTRY,
    Perm.MANAGE_ROSTER,
    Perm.USE_BACKOFFICE,
    Perm.HANDLE_CASES,
    Perm.SUPERVISE_CASES,
    Perm.MANAGE_ELECTIONS,
    Perm.MANAGE_PROJECTS,
    Perm.MANAGE_SUGGESTIONS,
    Perm.MANAGE_DUTIES,
    Perm.MANAGE_SUPERVISION,
    Perm.MANAGE_LEGISLATION,
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.ADMIN: frozenset(Perm),
    Role.CITY_STAFF: frozenset(_STAFF),
    Role.COUNTY_STAFF: frozenset(_STAFF),
    Role.TOWNSHIP_STAFF: frozenset(_STAFF),
    # Place staff organise their place's activities (接待、议事) and sign deputies in.
    Role.PLACE_STAFF: frozenset(
        {
            Perm.VIEW_REGISTRY,
            Perm.VIEW_CONTACTS,
            Perm.MANAGE_ROSTER,
            Perm.USE_BACKOFFICE,
            Perm.HANDLE_CASES,
            Perm.MANAGE_DUTIES,
            # A station that is a legislative contact point collects and summarises the comments on drafts.
            Perm.MANAGE_LEGISLATION,
        }
    ),
    # A deputy handles the cases that came to them (lianxin.cases.permissions), not all cases of the region.
    Role.DEPUTY: frozenset({Perm.VIEW_REGISTRY}),
    Role.GRID_WORKER: frozenset({Perm.VIEW_REGISTRY}),
    Role.UNIT_HANDLER: frozenset({Perm.VIEW_REGISTRY, Perm.REPLY_AS_UNIT, Perm.USE_BACKOFFICE}),
    Role.INTEGRITY_STAFF: frozenset({Perm.VIEW_REGISTRY, Perm.USE_BACKOFFICE, Perm.MANAGE_INTEGRITY}),
}

# The levels of region each role may be granted over; a grant elsewhere is refused.
ROLE_REGION_LEVELS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(RegionLevel.values),
    Role.CITY_STAFF: frozenset({RegionLevel.PREFECTURE}),
    Role.COUNTY_STAFF: frozenset({RegionLevel.COUNTY}),
    Role.TOWNSHIP_STAFF: frozenset({RegionLevel.TOWNSHIP}),
    Role.PLACE_STAFF: frozenset({RegionLevel.TOWNSHIP, RegionLevel.VILLAGE}),
    Role.DEPUTY: frozenset(RegionLevel.values),
    Role.GRID_WORKER: frozenset({RegionLevel.VILLAGE}),
    Role.UNIT_HANDLER: frozenset({RegionLevel.PREFECTURE, RegionLevel.COUNTY, RegionLevel.TOWNSHIP}),
    Role.INTEGRITY_STAFF: frozenset({RegionLevel.PREFECTURE, RegionLevel.COUNTY, RegionLevel.TOWNSHIP}),
}
