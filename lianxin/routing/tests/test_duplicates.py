import pytest

from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.services import case_register
from lianxin.cases.workflow import case_transition
from lianxin.routing.duplicates import DuplicateIndex
from lianxin.routing.selectors import duplicates_find, duplicates_forget, township_of


def test_the_index_ranks_the_same_problem_first_and_leaves_out_excluded_keys():
    index = DuplicateIndex()
    index.add(
        [1, 2, 3],
        ["居仁路路灯不亮", "城东村垃圾无人清运", "学校门口交通拥堵"],
        [
            "居仁路东段三盏路灯一个月没亮了，晚上走路不安全。",
            "城东村垃圾堆了一周没人清运，臭气熏天。",
            "放学时校门口车辆拥堵。",
        ],
    )
    index.add([4], ["居仁路菜场油烟扰民"], ["居仁路菜场门口烧烤油烟很大。"])
    found = index.search("反映居仁路路灯坏了", "居仁路东段路灯晚上不亮，三盏都坏了，走路不安全。", k=5)
    assert found[0].key == 1
    assert 0 < found[0].score <= 1
    assert len(found) <= 5
    assert all(m.key != 1 for m in index.search("居仁路路灯不亮", "路灯一个月没亮", k=5, exclude={1}))
    assert DuplicateIndex().search("路灯", "不亮") == []


@pytest.fixture(autouse=True)
def _fresh_indexes():
    duplicates_forget()
    yield
    duplicates_forget()


@pytest.fixture
def register(regions):
    def make(title, body, region=None):
        return case_register(
            actor=None, draft=CaseDraft(channel="online", title=title, body=body, region=region or regions.jueren)
        ).case

    return make


def test_the_duplicate_warning_finds_open_cases_of_the_same_township_only(register, regions, personas):
    lamp = register("居仁路路灯不亮", "居仁路东段三盏路灯一个月没亮了，晚上走路不安全。")
    register("居仁路菜场油烟扰民", "居仁路菜场门口烧烤油烟很大，影响楼上住户。")
    elsewhere = register("城东村路灯不亮", "城东村东段三盏路灯一个月没亮了，晚上走路不安全。", region=regions.chengdong)

    found = duplicates_find(title="路灯坏了", body="居仁路东段路灯晚上不亮，走路不安全。", region=regions.jueren)
    assert found[0].case == lamp
    assert 0 < found[0].score <= 1
    assert elsewhere not in [d.case for d in found]
    assert township_of(regions.jueren) == regions.wukang

    # A case registered after the index was built is found; a declined one is not.
    again = register("居仁路东段路灯还是不亮", "居仁路东段路灯晚上不亮，已经一个多月。")
    case_transition(case=lamp, action="decline", actor=personas.township_staff, params={"reason": "已由街道处理"})
    found = duplicates_find(title="路灯坏了", body="居仁路东段路灯晚上不亮，走路不安全。", region=regions.jueren)
    assert found[0].case == again
    assert lamp not in [d.case for d in found]


def test_the_duplicate_warning_leaves_out_the_case_itself_and_answers_empty_when_nothing_is_alike(register, regions):
    lamp = register("居仁路路灯不亮", "居仁路东段三盏路灯一个月没亮了。")
    found = duplicates_find(title=lamp.title, body=lamp.body, region=regions.jueren, exclude=lamp.pk)
    assert lamp not in [d.case for d in found]
    assert duplicates_find(title="无关", body="完全无关的内容", region=regions.qianyuan) == []
