"""The permission matrix: who may take each step of a case (lianxin/cases/workflow.py), of a project site
(lianxin/projects/workflow.py) and of a deputy's suggestion (lianxin/suggestions/workflow.py), inside and outside
their region. docs/permissions.md is generated from it.

Written out by hand from the rules in docs/workflow.md, docs/projects.md, issue 16 and DOMAIN.md, never computed from
the permission functions: it is what those functions are tested against (cases/tests/test_permission_matrix.py,
projects/tests/test_permission_matrix.py, suggestions/tests/test_permission_matrix.py, cell by cell through the
services and the API), so it must be able to disagree with them. Plain strings only, so that this module stays in
`accounts` and imports nothing above it.

Each grid row is an action and the states it starts from; `*` is every other state of the workflow. A cell is
`Y` (may) or `.` (may not) for the actor of the column, *inside* their scope:

- congress and place staff, administrators: the case or site lies in the region they were granted;
- a deputy: the case came to them (码上答、交、办) / they lead the site (领办代表), in their region;
- a unit's handler: the case was transferred to their unit, in their region;
- a grid worker: the case lies in the grid they serve, or they reported it (Case.objects.visible_to);
- the citizen (the person, proven by the receipt code) and the system (the worker) act through services only and
  have no region;
- integrity staff (廉情监测, issue 19) hold only the confidential clue permission: no step anywhere here;
- suggestions have columns of their own (SUGGESTION_ACTORS): the lead deputy and an invited co-signer, the handlers
  of the lead unit and of a co-unit, each on the suggestion that is theirs (units are scoped to the unit, not a
  region).

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
    "integrity_staff",
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
action         from                               admin city county township place deputy grid unit citizen system intg
accept         registered                           Y    Y     Y       Y      Y     Y     .    .     .      .   .
accept         *                                    Y    Y     Y       Y      Y     Y     .    .     .      .   .
answer         accepted                             Y    Y     Y       Y      Y     Y     .    .     .      .   .
answer         *                                    Y    Y     Y       Y      Y     Y     .    .     .      .   .
coordinate     accepted                             Y    Y     Y       Y      Y     Y     .    .     .      .   .
coordinate     *                                    Y    Y     Y       Y      Y     Y     .    .     .      .   .
transfer       accepted,coordinating,supervising    Y    Y     Y       Y      .     .     .    .     .      .   .
transfer       *                                    Y    Y     Y       Y      .     .     .    .     .      .   .
convert        accepted                             Y    Y     Y       Y      Y     Y     .    .     .      .   .
convert        *                                    Y    Y     Y       Y      Y     Y     .    .     .      .   .
merge          accepted                             Y    Y     Y       Y      Y     .     .    .     .      .   .
merge          *                                    Y    Y     Y       Y      Y     .     .    .     .      .   .
decline        registered,accepted                  Y    Y     Y       Y      Y     .     .    .     .      .   .
decline        *                                    Y    Y     Y       Y      Y     .     .    .     .      .   .
reply          transferred,supervising              Y    Y     Y       Y      .     .     .    Y     .      .   .
reply          coordinating                         Y    Y     Y       Y      Y     Y     .    .     .      .   .
reply          *                                    Y    Y     Y       Y      .     .     .    Y     .      .   .
feed_back      replied,declined                     Y    Y     Y       Y      Y     Y     .    .     .      .   .
feed_back      *                                    Y    Y     Y       Y      Y     Y     .    .     .      .   .
follow_master  merged                               .    .     .       .      .     .     .    .     .      Y   .
follow_master  *                                    .    .     .       .      .     .     .    .     .      Y   .
rate           fed_back                             Y    Y     Y       Y      Y     Y     .    .     Y      .   .
rate           *                                    Y    Y     Y       Y      Y     Y     .    .     Y      .   .
reopen         fed_back                             Y    Y     Y       Y      Y     Y     .    .     Y      .   .
reopen         *                                    Y    Y     Y       Y      Y     Y     .    .     Y      .   .
escalate       fed_back                             Y    Y     Y       Y      .     .     .    .     Y      .   .
escalate       transferred                          Y    Y     Y       Y      .     .     .    .     .      Y   .
escalate       *                                    Y    Y     Y       Y      .     .     .    .     .      .   .
close          rated,fed_back,converted             Y    Y     Y       Y      .     .     .    .     .      .   .
close          *                                    Y    Y     Y       Y      .     .     .    .     .      .   .
publish        closed                               Y    Y     Y       Y      .     .     .    .     .      .   .
publish        *                                    Y    Y     Y       Y      .     .     .    .     .      .   .
"""

# A project site (docs/projects.md): the lead deputy files the monthly reports (report, start, finish); congress
# staff with manage_projects (not place staff) verify or reject a final report, and may enter a paper report for
# the lead deputy (`…:on_behalf`, 代填). Nobody else acts on a site.
SITE_GRID = """
action             from                      admin city county township place deputy grid unit citizen system intg
report             not_started,in_progress     .    .     .       .      .     Y     .    .     .      .   .
report             *                           .    .     .       .      .     Y     .    .     .      .   .
start              not_started                 .    .     .       .      .     Y     .    .     .      .   .
start              *                           .    .     .       .      .     Y     .    .     .      .   .
finish             not_started,in_progress     .    .     .       .      .     Y     .    .     .      .   .
finish             *                           .    .     .       .      .     Y     .    .     .      .   .
report:on_behalf   not_started,in_progress     Y    Y     Y       Y      .     .     .    .     .      .   .
report:on_behalf   *                           Y    Y     Y       Y      .     .     .    .     .      .   .
start:on_behalf    not_started                 Y    Y     Y       Y      .     .     .    .     .      .   .
start:on_behalf    *                           Y    Y     Y       Y      .     .     .    .     .      .   .
finish:on_behalf   not_started,in_progress     Y    Y     Y       Y      .     .     .    .     .      .   .
finish:on_behalf   *                           Y    Y     Y       Y      .     .     .    .     .      .   .
verify             finished                    Y    Y     Y       Y      .     .     .    .     .      .   .
verify             *                           Y    Y     Y       Y      .     .     .    .     .      .   .
reject             finished                    Y    Y     Y       Y      .     .     .    .     .      .   .
reject             *                           Y    Y     Y       Y      .     .     .    .     .      .   .
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


# A deputy's suggestion or bill (lianxin/suggestions/workflow.py, issue 16), of the county congress of the region.
# Its own columns: the lead deputy (领衔代表) and a deputy invited to co-sign (附议代表); a handler of the lead unit
# (主办) and one of a co-unit (协办); a unit action names the lead unit's assignment, co_opinion the co-unit's. Congress
# staff with manage_suggestions whose region holds the congress (admin, city, county; not a township's staff, whose
# township lies below it, nor place staff) review, assign, supervise and close, and may enter on paper what a deputy
# or a unit sent (edit, invite, submit, resubmit, convert with the deputy's consent; rate; contact, co_opinion, reply,
# fulfil). Only the lead deputy withdraws; only invited deputies sign or decline; only the unit asks to be
# re-assigned. Grid workers, integrity staff and the system take no step. The columns are SUGGESTION_ACTORS, in that order.
SUGGESTION_ACTORS = (
    "admin",
    "city_staff",
    "county_staff",
    "township_staff",
    "place_staff",
    "deputy",
    "co_deputy",
    "unit",
    "co_unit",
    "grid_worker",
    "system",
    "integrity_staff",
)
SUGGESTION_GRID = """
action           from                                             adm city cnty twp plc dep co_dep unit co_unit grid sys intg
edit             draft,returned                                    Y   Y    Y    .   .   Y    .     .      .     .    .   .
edit             *                                                 Y   Y    Y    .   .   Y    .     .      .     .    .   .
invite           draft,collecting                                  Y   Y    Y    .   .   Y    .     .      .     .    .   .
invite           *                                                 Y   Y    Y    .   .   Y    .     .      .     .    .   .
sign             collecting                                        .   .    .    .   .   .    Y     .      .     .    .   .
sign             *                                                 .   .    .    .   .   .    Y     .      .     .    .   .
decline_sign     collecting                                        .   .    .    .   .   .    Y     .      .     .    .   .
decline_sign     *                                                 .   .    .    .   .   .    Y     .      .     .    .   .
submit           draft,collecting                                  Y   Y    Y    .   .   Y    .     .      .     .    .   .
submit           *                                                 Y   Y    Y    .   .   Y    .     .      .     .    .   .
convert          draft,collecting,submitted,returned,pre_reviewed  Y   Y    Y    .   .   Y    .     .      .     .    .   .
convert          *                                                 Y   Y    Y    .   .   Y    .     .      .     .    .   .
withdraw         draft,collecting,submitted,returned               .   .    .    .   .   Y    .     .      .     .    .   .
withdraw         *                                                 .   .    .    .   .   Y    .     .      .     .    .   .
return           submitted                                         Y   Y    Y    .   .   .    .     .      .     .    .   .
return           *                                                 Y   Y    Y    .   .   .    .     .      .     .    .   .
resubmit         returned                                          Y   Y    Y    .   .   Y    .     .      .     .    .   .
resubmit         *                                                 Y   Y    Y    .   .   Y    .     .      .     .    .   .
pass             submitted                                         Y   Y    Y    .   .   .    .     .      .     .    .   .
pass             *                                                 Y   Y    Y    .   .   .    .     .      .     .    .   .
accept           pre_reviewed                                      Y   Y    Y    .   .   .    .     .      .     .    .   .
accept           *                                                 Y   Y    Y    .   .   .    .     .      .     .    .   .
to_presidium     pre_reviewed                                      Y   Y    Y    .   .   .    .     .      .     .    .   .
to_presidium     *                                                 Y   Y    Y    .   .   .    .     .      .     .    .   .
reject           submitted,pre_reviewed                            Y   Y    Y    .   .   .    .     .      .     .    .   .
reject           *                                                 Y   Y    Y    .   .   .    .     .      .     .    .   .
agenda           to_presidium                                      Y   Y    Y    .   .   .    .     .      .     .    .   .
agenda           *                                                 Y   Y    Y    .   .   .    .     .      .     .    .   .
refer            to_presidium                                      Y   Y    Y    .   .   .    .     .      .     .    .   .
refer            *                                                 Y   Y    Y    .   .   .    .     .      .     .    .   .
assign           accepted                                          Y   Y    Y    .   .   .    .     .      .     .    .   .
assign           *                                                 Y   Y    Y    .   .   .    .     .      .     .    .   .
request_reassign assigned                                          .   .    .    .   .   .    .     Y      .     .    .   .
request_reassign *                                                 .   .    .    .   .   .    .     Y      .     .    .   .
reassign         assigned                                          Y   Y    Y    .   .   .    .     .      .     .    .   .
reassign         *                                                 Y   Y    Y    .   .   .    .     .      .     .    .   .
refuse_reassign  assigned                                          Y   Y    Y    .   .   .    .     .      .     .    .   .
refuse_reassign  *                                                 Y   Y    Y    .   .   .    .     .      .     .    .   .
contact          assigned                                          Y   Y    Y    .   .   .    .     Y      .     .    .   .
contact          *                                                 Y   Y    Y    .   .   .    .     Y      .     .    .   .
co_opinion       assigned                                          Y   Y    Y    .   .   .    .     .      Y     .    .   .
co_opinion       *                                                 Y   Y    Y    .   .   .    .     .      Y     .    .   .
extend           assigned                                          Y   Y    Y    .   .   .    .     .      .     .    .   .
extend           *                                                 Y   Y    Y    .   .   .    .     .      .     .    .   .
reply            assigned                                          Y   Y    Y    .   .   .    .     Y      .     .    .   .
reply            *                                                 Y   Y    Y    .   .   .    .     Y      .     .    .   .
rate             replied                                           Y   Y    Y    .   .   Y    .     .      .     .    .   .
rate             *                                                 Y   Y    Y    .   .   Y    .     .      .     .    .   .
mark_key         accepted,assigned,replied,rated                   Y   Y    Y    .   .   .    .     .      .     .    .   .
mark_key         *                                                 Y   Y    Y    .   .   .    .     .      .     .    .   .
key_note         accepted,assigned,replied,rated,closed            Y   Y    Y    .   .   .    .     .      .     .    .   .
key_note         *                                                 Y   Y    Y    .   .   .    .     .      .     .    .   .
close            rated,replied                                     Y   Y    Y    .   .   .    .     .      .     .    .   .
close            *                                                 Y   Y    Y    .   .   .    .     .      .     .    .   .
publish          replied,rated,closed                              Y   Y    Y    .   .   .    .     .      .     .    .   .
publish          *                                                 Y   Y    Y    .   .   .    .     .      .     .    .   .
fulfil           replied,rated,closed                              Y   Y    Y    .   .   .    .     Y      .     .    .   .
fulfil           *                                                 Y   Y    Y    .   .   .    .     Y      .     .    .   .
"""
SUGGESTION_STATES = (
    "draft",
    "collecting",
    "submitted",
    "returned",
    "pre_reviewed",
    "not_accepted",
    "to_presidium",
    "on_agenda",
    "accepted",
    "assigned",
    "replied",
    "rated",
    "closed",
    "withdrawn",
)


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
    # The grid's columns, and which of them are stand-ins (no region) or act on what is theirs only.
    actors: tuple[str, ...] = ACTORS
    stand_ins: tuple[str, ...] = STAND_INS
    own_only: tuple[str, ...] = OWN_ONLY

    @property
    def actions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(row.action for row in self.rows))

    def sources(self, action: str) -> frozenset[str]:
        return frozenset(s for row in self.rows if row.action == action for s in row.states if s != OTHER_STATES)

    def scopes(self, actor: str) -> tuple[str, ...]:
        """The scopes an actor is tried in: stand-ins have no region; `region` differs from inside for own_only."""
        if actor in self.stand_ins:
            return ("inside",)
        return SCOPES if actor in self.own_only else ("inside", "outside")

    def expected(self, actor: str, state: str, action: str, *, scope: str = "inside") -> str:
        """DONE, PERMISSION_DENIED or the wrong-state refusal. Outside (stand-ins have no outside), and for own_only
        on what is not theirs, it is always PERMISSION_DENIED from the service; the API answers 404 before it asks."""
        assert scope in SCOPES and actor in self.actors, (actor, scope)
        if actor not in self.stand_ins and (scope == "outside" or (scope == "region" and actor in self.own_only)):
            return PERMISSION_DENIED
        for row in self.rows:
            if row.action == action and state in row.states:
                return DONE if actor in row.allowed else PERMISSION_DENIED
        other = next(row for row in self.rows if row.action == action and row.states == (OTHER_STATES,))
        return self.wrong_state if actor in other.allowed else PERMISSION_DENIED


def _parse(grid: str, actors: tuple[str, ...] = ACTORS) -> tuple[Row, ...]:
    """The header names the columns (abbreviated as one likes); they are `actors`, in that order."""
    lines = [line.split() for line in grid.strip().splitlines()]
    header, body = lines[0], lines[1:]
    assert header[:2] == ["action", "from"] and len(header) == 2 + len(actors), header
    rows = []
    for action, states, *marks in body:
        assert len(marks) == len(actors) and set(marks) <= {"Y", "."}, (action, states)
        allowed = frozenset(actor for actor, mark in zip(actors, marks, strict=True) if mark == "Y")
        rows.append(Row(action, tuple(states.split(",")), allowed))
    return tuple(rows)


CASES = Matrix("cases", CASE_STATES, _parse(CASE_GRID), INVALID_TRANSITION)
SITES = Matrix("sites", SITE_STATES, _parse(SITE_GRID), SITE_BAD_STATE)
SUGGESTIONS = Matrix(
    "suggestions",
    SUGGESTION_STATES,
    _parse(SUGGESTION_GRID, SUGGESTION_ACTORS),
    INVALID_TRANSITION,
    actors=SUGGESTION_ACTORS,
    stand_ins=("system",),
    own_only=("deputy", "co_deputy", "unit", "co_unit"),
)
