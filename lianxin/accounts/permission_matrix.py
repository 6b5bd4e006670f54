"""The permission matrix: who may take each step of a case (lianxin/cases/workflow.py) and of a project site
(lianxin/projects/workflow.py), inside and outside their region. docs/permissions.md is generated from it.

Written out by hand from the rules in docs/workflow.md, docs/projects.md and DOMAIN.md, never computed from the
permission functions: it is what those functions are tested against (cases/tests/test_permission_matrix.py,
projects/tests/test_permission_matrix.py, cell by cell through the services and the API), so it must be able to
disagree with them. Plain strings only, so that this module stays in `accounts` and imports nothing above it.

Each grid row is an action and the states it starts from; `*` is every other state of the workflow. A cell is
`Y` (may) or `.` (may not) for the actor of the column, *inside* their scope:

- congress and place staff, administrators: the case or site lies in the region they were granted;
- a deputy: the case came to them (码上答、交、办) / they lead the site (领办代表), in their region;
- a unit's handler: the case was transferred to their unit, in their region;
- a grid worker: the case lies in the grid they serve, or they reported it (Case.objects.visible_to);
- the citizen (the person, proven by the receipt code) and the system (the worker) act through services only and
  have no region.

What a cell means (the permission is checked before the state, so that someone without the right learns nothing
about where the case stands):

| row | `Y` | `.` |
| --- | --- | --- |
| a source state | done: the new state and one event/audit row (API 200) | refused, `permission_denied` (API 403) |
| `*` (other states) | refused, `invalid_transition` / `site_bad_state` (API 400) | refused, `permission_denied` (403) |

Outside their scope every actor is refused in every state: `permission_denied` from the service, and through the
API the case does not exist for them (404 `not_found`, the same answer as for a missing id). So are a deputy, a
unit's handler and a grid worker in their own region on what is not theirs (a case that came to another deputy,
another unit's case, another grid's case someone else reported; a site another deputy leads): scope `region` in
the tests.
"""

from dataclasses import dataclass

ACTORS = (
    "admin",
    "city_staff",
    "county_staff",
    "township_staff",
    "place_staff",
    "deputy",
    "grid_worker",
    "unit_handler",
    "citizen",
    "system",
)
STAND_INS = ("citizen", "system")
# Who acts on what is theirs rather than on everything in their region.
OWN_ONLY = ("deputy", "grid_worker", "unit_handler")
# inside: in their region and theirs; region: in their region, not theirs (OWN_ONLY); outside: neither.
SCOPES = ("inside", "region", "outside")
OTHER_STATES = "*"

DONE = "done"
PERMISSION_DENIED = "permission_denied"
INVALID_TRANSITION = "invalid_transition"
SITE_BAD_STATE = "site_bad_state"

# The closed loop (docs/workflow.md). Congress staff (admin, city, county, township) handle and supervise; place
# staff handle (register, accept, answer, coordinate, merge, decline, feed back) but do not transfer, close or
# publish; the deputy handles what came to them but only staff transfer; a unit replies to what it was given,
# local coordination is answered by staff or the deputy; the person rates, and staff or the deputy may record a
# rating given by phone; the worker escalates what is overdue (transferred, not replied) and the person what they
# are unsatisfied with again (fed back); merged cases follow their master by the system alone.
CASE_GRID = """
action         from                               admin city county township place deputy grid unit citizen system
accept         registered                           Y    Y     Y       Y      Y     Y     .    .     .      .
accept         *                                    Y    Y     Y       Y      Y     Y     .    .     .      .
answer         accepted                             Y    Y     Y       Y      Y     Y     .    .     .      .
answer         *                                    Y    Y     Y       Y      Y     Y     .    .     .      .
coordinate     accepted                             Y    Y     Y       Y      Y     Y     .    .     .      .
coordinate     *                                    Y    Y     Y       Y      Y     Y     .    .     .      .
transfer       accepted,coordinating,supervising    Y    Y     Y       Y      .     .     .    .     .      .
transfer       *                                    Y    Y     Y       Y      .     .     .    .     .      .
convert        accepted                             Y    Y     Y       Y      Y     Y     .    .     .      .
convert        *                                    Y    Y     Y       Y      Y     Y     .    .     .      .
merge          accepted                             Y    Y     Y       Y      Y     .     .    .     .      .
merge          *                                    Y    Y     Y       Y      Y     .     .    .     .      .
decline        registered,accepted                  Y    Y     Y       Y      Y     .     .    .     .      .
decline        *                                    Y    Y     Y       Y      Y     .     .    .     .      .
reply          transferred,supervising              Y    Y     Y       Y      .     .     .    Y     .      .
reply          coordinating                         Y    Y     Y       Y      Y     Y     .    .     .      .
reply          *                                    Y    Y     Y       Y      .     .     .    Y     .      .
feed_back      replied,declined                     Y    Y     Y       Y      Y     Y     .    .     .      .
feed_back      *                                    Y    Y     Y       Y      Y     Y     .    .     .      .
follow_master  merged                               .    .     .       .      .     .     .    .     .      Y
follow_master  *                                    .    .     .       .      .     .     .    .     .      Y
rate           fed_back                             Y    Y     Y       Y      Y     Y     .    .     Y      .
rate           *                                    Y    Y     Y       Y      Y     Y     .    .     Y      .
reopen         fed_back                             Y    Y     Y       Y      Y     Y     .    .     Y      .
reopen         *                                    Y    Y     Y       Y      Y     Y     .    .     Y      .
escalate       fed_back                             Y    Y     Y       Y      .     .     .    .     Y      .
escalate       transferred                          Y    Y     Y       Y      .     .     .    .     .      Y
escalate       *                                    Y    Y     Y       Y      .     .     .    .     .      .
close          rated,fed_back,converted             Y    Y     Y       Y      .     .     .    .     .      .
close          *                                    Y    Y     Y       Y      .     .     .    .     .      .
publish        closed                               Y    Y     Y       Y      .     .     .    .     .      .
publish        *                                    Y    Y     Y       Y      .     .     .    .     .      .
"""

# A project site (docs/projects.md): the lead deputy files the monthly reports (report, start, finish); congress
# staff with manage_projects (not place staff) verify or reject a final report, and may enter a paper report for
# the lead deputy (`…:on_behalf`, 代填). Nobody else acts on a site.
SITE_GRID = """
action             from                      admin city county township place deputy grid unit citizen system
report             not_started,in_progress     .    .     .       .      .     Y     .    .     .      .
report             *                           .    .     .       .      .     Y     .    .     .      .
start              not_started                 .    .     .       .      .     Y     .    .     .      .
start              *                           .    .     .       .      .     Y     .    .     .      .
finish             not_started,in_progress     .    .     .       .      .     Y     .    .     .      .
finish             *                           .    .     .       .      .     Y     .    .     .      .
report:on_behalf   not_started,in_progress     Y    Y     Y       Y      .     .     .    .     .      .
report:on_behalf   *                           Y    Y     Y       Y      .     .     .    .     .      .
start:on_behalf    not_started                 Y    Y     Y       Y      .     .     .    .     .      .
start:on_behalf    *                           Y    Y     Y       Y      .     .     .    .     .      .
finish:on_behalf   not_started,in_progress     Y    Y     Y       Y      .     .     .    .     .      .
finish:on_behalf   *                           Y    Y     Y       Y      .     .     .    .     .      .
verify             finished                    Y    Y     Y       Y      .     .     .    .     .      .
verify             *                           Y    Y     Y       Y      .     .     .    .     .      .
reject             finished                    Y    Y     Y       Y      .     .     .    .     .      .
reject             *                           Y    Y     Y       Y      .     .     .    .     .      .
"""

CASE_STATES = (
    "registered",
    "accepted",
    "coordinating",
    "transferred",
    "supervising",
    "replied",
    "fed_back",
    "rated",
    "converted",
    "merged",
    "declined",
    "closed",
    "published",
)
SITE_STATES = ("not_started", "in_progress", "finished", "closed")


@dataclass(frozen=True)
class Row:
    action: str
    states: tuple[str, ...]  # (OTHER_STATES,) for the row of every other state
    allowed: frozenset[str]


@dataclass(frozen=True)
class Matrix:
    name: str
    states: tuple[str, ...]
    rows: tuple[Row, ...]
    wrong_state: str  # the refusal code of an allowed actor in a state the action does not start from

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(row.action for row in self.rows))

    def sources(self, action: str) -> frozenset[str]:
        return frozenset(s for row in self.rows if row.action == action for s in row.states if s != OTHER_STATES)

    def expected(self, actor: str, state: str, action: str, *, scope: str = "inside") -> str:
        """DONE, PERMISSION_DENIED or the wrong-state refusal. Outside (stand-ins have no outside), and for OWN_ONLY
        on what is not theirs, it is always PERMISSION_DENIED from the service; the API answers 404 before it asks."""
        assert scope in SCOPES
        if actor not in STAND_INS and (scope == "outside" or (scope == "region" and actor in OWN_ONLY)):
            return PERMISSION_DENIED
        for row in self.rows:
            if row.action == action and state in row.states:
                return DONE if actor in row.allowed else PERMISSION_DENIED
        other = next(row for row in self.rows if row.action == action and row.states == (OTHER_STATES,))
        return self.wrong_state if actor in other.allowed else PERMISSION_DENIED


def _parse(grid: str) -> tuple[Row, ...]:
    lines = [line.split() for line in grid.strip().splitlines()]
    header, body = lines[0], lines[1:]
    assert header[:2] == ["action", "from"] and len(header) == 2 + len(ACTORS), header
    rows = []
    for action, states, *marks in body:
        assert len(marks) == len(ACTORS) and set(marks) <= {"Y", "."}, (action, states)
        allowed = frozenset(actor for actor, mark in zip(ACTORS, marks, strict=True) if mark == "Y")
        rows.append(Row(action, tuple(states.split(",")), allowed))
    return tuple(rows)


CASES = Matrix("cases", CASE_STATES, _parse(CASE_GRID), INVALID_TRANSITION)
SITES = Matrix("sites", SITE_STATES, _parse(SITE_GRID), SITE_BAD_STATE)
