from django.core.management.base import BaseCommand

from lianxin.accounts.permission_matrix import CASES, OTHER_STATES, SITES, STAND_INS, SUGGESTIONS, Matrix
from lianxin.accounts.roles import PERM_LABELS, ROLE_PERMISSIONS, ROLE_REGION_LEVELS, Perm, Role
from lianxin.regions.models import RegionLevel


def permissions_markdown() -> str:
    perms = list(Perm)
    lines = [
        "# Roles and permissions",
        "",
        "Generated from `lianxin/accounts/roles.py` by `make docs` (`lianxin permissions_table`); do not edit by hand.",
        "A role is granted over a region and covers that region and everything below it. Outside the region an",
        "object does not exist for the user: pages and API answer 404, exactly as for a missing id.",
        "",
        "| role | granted at | " + " | ".join(f"{PERM_LABELS[p]} `{p}`" for p in perms) + " |",
        "| --- | --- | " + " | ".join("---" for _ in perms) + " |",
    ]
    for role in Role:
        levels = "、".join(
            RegionLevel(level).label for level in RegionLevel.values if level in ROLE_REGION_LEVELS[role]
        )
        marks = " | ".join("✓" if p in ROLE_PERMISSIONS[role] else "" for p in perms)
        lines.append(f"| {role.label} `{role.value}` | {levels} | {marks} |")
    return "\n".join(lines) + "\n" + matrix_markdown()


_ACTOR_LABELS = {
    **{role.value: role.label for role in Role},
    "citizen": "群众",
    "system": "系统",
    # The suggestions' own columns.
    "co_deputy": "附议代表",
    "unit": "主办单位经办人",
    "co_unit": "协办单位经办人",
}


def _matrix_table(matrix: Matrix) -> list[str]:
    lines = [
        "| action | from | " + " | ".join(f"{_ACTOR_LABELS[actor]} `{actor}`" for actor in matrix.actors) + " |",
        "| --- | --- | " + " | ".join("---" for _ in matrix.actors) + " |",
    ]
    for row in matrix.rows:
        other = row.states == (OTHER_STATES,)
        states = "any other state" if other else ", ".join(f"`{state}`" for state in row.states)
        yes = "400" if other else "✓"
        marks = " | ".join(yes if actor in row.allowed else "403" for actor in matrix.actors)
        lines.append(f"| `{row.action}` | {states} | {marks} |")
    return lines


def matrix_markdown() -> str:
    """The permission matrix of lianxin/accounts/permission_matrix.py (cases, project sites, suggestions)."""
    stand_ins = "、".join(_ACTOR_LABELS[actor] for actor in STAND_INS)
    return (
        "\n".join(
            [
                "",
                "## The permission matrix",
                "",
                "Generated from `lianxin/accounts/permission_matrix.py`, which is written by hand from the rules of",
                "docs/workflow.md, docs/projects.md and issue 16; `lianxin/cases/tests/test_permission_matrix.py`,",
                "`lianxin/projects/tests/test_permission_matrix.py` and `lianxin/suggestions/tests/test_permission_matrix.py`",
                "check every cell against the services (and the cases' API).",
                "",
                "Each cell is what an actor gets *inside* their scope: the case or site lies in the region their role",
                "was granted over; for a deputy the case also came to them (or they lead the site), for a unit's handler",
                "it was transferred to their unit, for a grid worker it lies in their grid or they reported it.",
                "",
                "- ✓ done: the new state and one event (API 200);",
                "- 403: `permission_denied`, in every state (the permission is checked before the state, so someone",
                "  without the right learns nothing about where the case stands);",
                "- 400: may take the action, but not from this state: `invalid_transition` (sites: `site_bad_state`).",
                "",
                "**Outside their scope every actor is refused in every state**: `permission_denied` from the service,",
                "and in the API the case does not exist for them (404 `not_found`, as for a missing id). So are a",
                "deputy, a unit's handler and a grid worker in their own region on what is not theirs (a case that came",
                "to another deputy, another unit's case, another grid's case someone else reported, a site another",
                "deputy leads).",
                f"{stand_ins} act through services only and have no region: the person by the receipt code (rating,",
                "and escalating when unsatisfied again), the worker for deadlines and merged cases. `follow_master` is",
                "not offered by the API (404).",
                "",
                "### Cases (`POST /api/v1/cases/{id}/actions/{action}`, `case_transition`)",
                "",
                *_matrix_table(CASES),
                "",
                "### Project sites (`site_transition`)",
                "",
                "`:on_behalf` is staff entering the lead deputy's paper report (代填); 400 is `site_bad_state`. The API's",
                "one write on a site is the monthly report, `POST /api/v1/sites/{id}/reports` (the `report` rows, 201",
                "when done). Sites are on the public map: a site of their region that is not theirs answers 403 there,",
                "one outside their region 404. The other rows are the service's (`site_transition`).",
                "",
                *_matrix_table(SITES),
                "",
                "### Deputies' suggestions and bills (`suggestion_transition`)",
                "",
                "A suggestion or bill of a county's congress (its region is the congress's). Staff act on those of the",
                "congresses in the region they were granted over with `manage_suggestions`: a township's staff not on",
                "the county's, place staff on none. The suggestions have columns of their own: the lead deputy",
                "(领衔代表) and a deputy invited to co-sign (附议代表); the handlers of the lead unit (主办) and of a",
                "co-unit (协办), whose role is scoped to their unit, not a region. A unit action names a unit's part",
                "(`params.assignment`): the lead unit's, except `co_opinion`, the co-unit's. Staff may enter what a",
                "deputy or a unit sent on paper (a bill is converted by staff only with the deputy's consent).",
                "`reply` and `rate` settle the status from the lead units' parts (replied once every lead unit",
                "replied, rated once every reply is rated); the actions without a new state leave it as it is.",
                "Outside their scope, and for the deputies and units on a suggestion of their congress that is not",
                "theirs, every actor is refused: the service answers `not_found` to whoever may not see the",
                "suggestion at all (404, as for a missing id), `permission_denied` to the others.",
                "",
                *_matrix_table(SUGGESTIONS),
            ]
        )
        + "\n"
    )


class Command(BaseCommand):
    help = "打印角色权限表（Markdown），即 docs/permissions.md 的内容。"

    def handle(self, *args, **options):
        self.stdout.write(permissions_markdown(), ending="")
