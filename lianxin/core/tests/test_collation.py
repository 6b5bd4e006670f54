"""Issue 15: people lists in 姓氏笔画 order (lianxin.core.collation), the same on SQLite and PostgreSQL.

The order of the NPC's printed name lists: stroke count, then the strokes in writing order (横 丨 丿 丶 折), then
the next character. Each database test runs on whichever database the suite runs on (both in CI).
"""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from lianxin.core.collation import stroke_count, stroke_key
from lianxin.deputies.imports import deputies_export_xlsx
from lianxin.deputies.models import Deputy, GridWorker, Mandate, MandateLevel
from lianxin.elections import services as election_services
from lianxin.elections.models import Candidate, District, Voter
from lianxin.regions.services import grid_save
from lianxin.testing import square

# In the expected order: 丁 (2) < 王 (4) < 李 (7, 起笔 横) < 张 (7, 起笔 折) < 赵 (9); 张三 < 张丰 < 张伟 by the
# second character (3, 4, 6 strokes).
EXPECTED = ["丁一", "王五", "李四", "张三", "张丰", "张伟", "赵六"]
SHUFFLED = ["张伟", "赵六", "李四", "张丰", "丁一", "张三", "王五"]


def test_the_stroke_counts_come_from_the_offline_table():
    assert [stroke_count(c) for c in "丁王李张赵"] == [2, 4, 7, 7, 9]
    assert stroke_count("A") is None


def test_names_sort_by_strokes_then_stroke_order_then_the_next_character():
    assert sorted(SHUFFLED, key=stroke_key) == EXPECTED


def test_the_seven_stroke_surnames_follow_the_first_strokes_as_printed_name_lists_do():
    # PostgreSQL's ICU collation zh-u-co-stroke would give 何 余 吴 宋 张 李 杜 杨 汪 沈 邹 陆 陈 (by radical).
    surnames = "陈陆张宋沈汪邹余何吴杨李杜"
    assert "".join(sorted(surnames, key=stroke_key)) == "杜李杨吴何余邹汪沈宋张陆陈"


def test_a_shorter_name_comes_first_and_letters_come_after_every_chinese_name():
    assert sorted(["王五", "Wang", "王", "阿卜杜拉·艾则孜"], key=stroke_key) == [
        "王",
        "王五",
        "阿卜杜拉·艾则孜",
        "Wang",
    ]


def test_the_key_is_digits_only_so_any_database_collation_compares_it_alike():
    assert stroke_key("欧阳娜娜·Li").isdigit()
    assert stroke_key("  王五 ") == stroke_key("王五")


# In the database ---------------------------------------------------------------------------------------------


@pytest.fixture
def deputies(regions):
    made = []
    for name in SHUFFLED:
        deputy = Deputy.objects.create(name=name, gender="male")
        Mandate.objects.create(deputy=deputy, level=MandateLevel.COUNTY, congress_region=regions.deqing, term=17)
        made.append(deputy)
    return made


def test_saving_a_deputy_keeps_the_key_up_to_date_also_with_update_fields(deputies):
    deputy = Deputy.objects.get(name="赵六")
    assert deputy.name_stroke_key == stroke_key("赵六")

    deputy.name = "丁二"
    deputy.save(update_fields=["name"])

    assert Deputy.objects.get(pk=deputy.pk).name_stroke_key == stroke_key("丁二")
    assert list(Deputy.objects.values_list("name", flat=True))[:2] == ["丁一", "丁二"]


def test_the_database_lists_deputies_in_stroke_order(deputies):
    assert list(Deputy.objects.values_list("name", flat=True)) == EXPECTED


def test_the_deputy_admin_list_is_in_stroke_order(client, personas, deputies):
    client.force_login(personas.county_staff)
    body = client.get(reverse("admin:deputies_deputy_changelist")).content.decode()
    positions = [body.index(f">{name}<") for name in EXPECTED]
    assert positions == sorted(positions)


def test_the_api_lists_deputies_in_stroke_order(client, personas, deputies):
    client.force_login(personas.county_staff)
    items = client.get("/api/v1/deputies").json()["items"]
    assert [item["name"] for item in items] == EXPECTED


def test_the_excel_export_of_deputies_is_in_stroke_order(deputies):
    sheet = openpyxl.load_workbook(io.BytesIO(deputies_export_xlsx(Deputy.objects.all()))).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("姓名")
    names = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == EXPECTED


def test_grid_workers_are_listed_by_grid_then_stroke_order(client, personas, regions):
    grid = grid_save(actor=None, region=regions.jueren, code="G-1", name="居仁一网格", polygon=square(119.95, 30.5))
    for number, name in enumerate(SHUFFLED):
        GridWorker.objects.create(name=name, grid=grid, phone=f"1370000000{number}")
    assert list(GridWorker.objects.values_list("name", flat=True)) == EXPECTED

    client.force_login(personas.county_staff)
    body = client.get(reverse("admin:deputies_gridworker_changelist")).content.decode()
    positions = [body.index(f">{name}<") for name in EXPECTED]
    assert positions == sorted(positions)


def test_a_voter_roll_imported_in_bulk_gets_its_keys_and_the_admin_lists_it_in_stroke_order(client, personas, regions):
    election = election_services.election_create(
        actor=personas.county_staff, name="德清县选举", region=regions.deqing, election_day=datetime.date(2026, 12, 15)
    )
    district = District.objects.create(election=election, region=regions.jueren, code="J1", name="居仁选区")
    Voter.objects.bulk_create(
        [Voter(district=district, name=name, id_number=f"ID{n}") for n, name in enumerate(SHUFFLED)]
    )
    assert list(Voter.objects.order_by("name_stroke_key").values_list("name", flat=True)) == EXPECTED

    renamed = Voter.objects.get(name="赵六")
    renamed.name = "丁二"
    Voter.objects.bulk_update([renamed], ["name"])
    assert Voter.objects.get(pk=renamed.pk).name_stroke_key == stroke_key("丁二")

    client.force_login(personas.county_staff)
    body = client.get(reverse("admin:elections_voter_changelist")).content.decode()
    expected = ["丁一", "丁二", *EXPECTED[1:-1]]
    positions = [body.index(f">{name}<") for name in expected]
    assert positions == sorted(positions)


def test_candidates_are_in_stroke_order_as_the_election_law_lists_them(personas, regions):
    election = election_services.election_create(
        actor=personas.county_staff, name="德清县选举", region=regions.deqing, election_day=datetime.date(2026, 12, 15)
    )
    district = District.objects.create(election=election, region=regions.jueren, code="J1", name="居仁选区")
    for n, name in enumerate(SHUFFLED):
        Candidate.objects.create(district=district, name=name, id_number=f"ID{n}")
    assert list(Candidate.objects.values_list("name", flat=True)) == EXPECTED


def test_the_accounts_list_is_in_stroke_order_of_the_full_names(client, personas, make_user):
    for number, name in enumerate(SHUFFLED):
        make_user(f"user{number}", display_name=name)
    client.force_login(personas.admin)  # an account with no role yet is managed by the county's administrator
    body = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    positions = [body.index(f">{name}<") for name in EXPECTED]
    assert positions == sorted(positions)

    renamed = make_user("renamed", display_name="赵七")
    renamed.display_name = "丁二"
    renamed.save(update_fields=["display_name"])
    renamed.refresh_from_db()
    assert renamed.display_name_stroke_key == stroke_key("丁二")
