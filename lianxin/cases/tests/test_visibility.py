from lianxin.accounts.roles import Role
from lianxin.cases.models import Case
from lianxin.cases.workflow import Action, case_transition


def test_a_case_of_a_unit_with_several_handlers_is_listed_once(loop, personas, make_user, regions):
    second_handler = make_user("second_handler", Role.UNIT_HANDLER, regions.deqing)
    loop.unit.handlers.add(second_handler)
    case = loop.register()
    case_transition(case=case, action=Action.ACCEPT, actor=personas.township_staff, params={"category": "transport"})
    case_transition(case=case, action=Action.TRANSFER, actor=personas.township_staff, params={"unit": loop.unit.pk})

    for user in (personas.county_staff, personas.unit_handler, second_handler):
        assert list(Case.objects.visible_to(user).values_list("pk", flat=True)) == [case.pk]
    assert Case.objects.visible_to(personas.outsider).count() == 0


def test_a_deputy_sees_only_the_cases_that_came_to_them(loop, personas, regions):
    theirs = loop.register()
    loop.register(deputy=None, title="没有经过代表的件")

    assert list(Case.objects.visible_to(personas.deputy)) == [theirs]
    assert Case.objects.visible_to(personas.grid_worker).count() == 0
