from lianxin.accounts.roles import Role
from lianxin.cases.models import Case
from lianxin.cases.workflow import Action, case_transition
from lianxin.deputies.models import GridWorker
from lianxin.regions.models import Grid


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


def test_a_grid_worker_sees_the_cases_of_the_grid_they_serve_and_those_they_reported(loop, personas, regions):
    grid = Grid.objects.create(region=regions.jueren, code="JR-01", name="居仁一网格")
    other_grid = Grid.objects.create(region=regions.jueren, code="JR-02", name="居仁二网格")
    worker = GridWorker.objects.create(name="陆小芳", grid=grid, phone="13900000000", user=personas.grid_worker)
    in_grid = loop.register(deputy=None, grid=grid, title="本网格群众反映的一件")
    reported = loop.register(deputy=None, grid=other_grid, grid_worker=worker, title="本人上报、后改到别的网格的一件")
    loop.register(deputy=None, grid=other_grid, title="别的网格的一件")
    loop.register(deputy=None, title="同一社区没有网格的一件")

    assert set(Case.objects.visible_to(personas.grid_worker)) == {in_grid, reported}
    assert set(Case.objects.of_grid_worker(personas.grid_worker)) == {in_grid, reported}

    GridWorker.objects.filter(pk=worker.pk).update(is_active=False)  # no longer serves the grid
    assert list(Case.objects.visible_to(personas.grid_worker)) == [reported]
