"""A new term (换届): re-elected deputies keep their groups, grids, pairings and roster; the rest closes, once."""

import datetime
import io
import json
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from lianxin.core.errors import DomainError, NotFound
from lianxin.core.idcard import id_number_check_character
from lianxin.core.models import AuditEvent
from lianxin.deputies.models import (
    SERVING_STATUSES,
    AssignmentBasis,
    Deputy,
    DeputyGroup,
    DutyShift,
    GridAssignment,
    GridWorker,
    GridWorkerPairing,
    GroupKind,
    Household,
    Mandate,
    MandateLevel,
    MandateStatus,
    MentorPairing,
    StandingMemberLink,
)
from lianxin.deputies.terms import new_term_apply, new_term_plan
from lianxin.regions.models import Grid
from lianxin.venues.models import Place, PlaceKind

DAY = datetime.date(2027, 1, 10)
BEFORE, AFTER = DAY - datetime.timedelta(days=30), DAY + datetime.timedelta(days=7)


def make_id(sequence: str) -> str:
    first17 = "330521" + "19800101" + sequence
    return first17 + id_number_check_character(first17)


@pytest.fixture
def county(regions):
    """德清's county congress in its 17th term, with the new term's import already done for 张 and 孙."""
    deqing = regions.deqing

    def deputy(name, sequence, *mandates):
        person = Deputy.objects.create(name=name, gender="male", id_number=make_id(sequence))
        for level, congress, term, extra in mandates:
            Mandate.objects.create(deputy=person, level=level, congress_region=congress, term=term, **extra)
        return person

    county17 = (MandateLevel.COUNTY, deqing, 17, {"district_name": "武康第1选区", "district_region": regions.jueren})
    county18 = (MandateLevel.COUNTY, deqing, 18, {"district_name": "武康第2选区"})
    zhang = deputy("张建国", "011", county17, county18)  # re-elected: the import made his mandate of term 18
    zhao = deputy("赵丽", "022", county17)  # re-elected by the list
    li = deputy("李明", "031", county17)  # not re-elected, no other mandate: leaves
    wang = deputy("王芳", "042", county17, (MandateLevel.TOWNSHIP, regions.wukang, 9, {}))  # still a township deputy
    resigned = {"status": MandateStatus.RESIGNED, "ended_on": datetime.date(2025, 6, 1)}
    qian = deputy("钱进", "051", (MandateLevel.COUNTY, deqing, 17, resigned))  # resigned during the term
    sun = deputy("孙强", "061", county18)  # newly elected
    zhou = deputy("周涛", "071", (MandateLevel.CITY, regions.huzhou, 9, {}))  # a city deputy, mentor of two
    anji = deputy("吴刚", "081", (MandateLevel.COUNTY, regions.anji, 17, {}))  # another county's congress

    grid = Grid.objects.create(region=regions.jueren, code="330521001001-01", name="居仁社区第1网格")
    worker = GridWorker.objects.create(name="陈静", grid=grid, phone="13900000001")
    place = Place.objects.create(kind=PlaceKind.HOME, name="武康街道代表之家", region=regions.wukang)
    group = DeputyGroup.objects.create(kind=GroupKind.LOCAL, name="武康代表小组", region=regions.wukang, leader=zhang)
    led_by_li = DeputyGroup.objects.create(
        kind=GroupKind.PROFESSIONAL, name="法治专业小组", region=deqing, leader=li, place=place
    )
    group.members.add(zhang, zhao, li, wang, qian)
    led_by_li.members.add(li, zhang)
    household = Household.objects.create(grid=grid, head_name="沈", address="居仁社区1号")
    household.deputies.add(zhang, li)
    for person in (zhang, li, wang, qian, anji):
        GridAssignment.objects.create(deputy=person, grid=grid, basis=AssignmentBasis.DISTRICT)
        GridWorkerPairing.objects.create(deputy=person, grid_worker=worker)
    MentorPairing.objects.create(upper=zhou, lower=zhang)
    MentorPairing.objects.create(upper=zhou, lower=li)
    StandingMemberLink.objects.create(member=li, place=place)
    StandingMemberLink.objects.create(member=zhou, deputy=li)
    for person in (zhang, li):
        for date in (BEFORE, AFTER):
            DutyShift.objects.create(
                place=place, deputy=person, date=date, start_time=datetime.time(9), end_time=datetime.time(11)
            )
    return SimpleNamespace(**locals())


def run(actor=None, *, apply=True, reelected=None, **overrides):
    args = {"congress": overrides.pop("congress", None), "level": MandateLevel.COUNTY, "from_term": 17, "to_term": 18}
    args.update(overrides)
    return (new_term_apply if apply else new_term_plan)(actor=actor, day=DAY, reelected_ids=reelected, **args)


def test_the_preview_names_who_carries_over_and_what_closes_and_writes_nothing(county, personas):
    events, mandates = AuditEvent.objects.count(), list(Mandate.objects.values_list("id", "ended_on"))

    plan = run(personas.county_staff, apply=False, congress=county.deqing, reelected=[county.zhao.id_number])

    assert [d.name for d in plan.reelected] == ["张建国", "赵丽"]
    assert [d.name for d in plan.leaving] == ["李明", "钱进"]
    assert [d.name for d in plan.serving_elsewhere] == ["王芳"]
    assert [m.deputy.name for m in plan.closing] == ["张建国", "赵丽", "李明", "王芳"]
    assert [m.deputy.name for m in plan.new_mandates] == ["赵丽"] and plan.newcomers == 1
    assert plan.carried == {
        "groups": 3,
        "grids": 1,
        "worker_pairings": 1,
        "mentor_pairings": 1,
        "households": 1,
        "member_links": 0,
        "future_shifts": 1,
    }
    assert {key: len(rows) for key, rows in plan.removed.items()} == {
        "groups": 3,
        "grids": 2,
        "worker_pairings": 2,
        "mentor_pairings": 1,
        "households": 1,
        "member_links": 2,
        "future_shifts": 1,
    }
    assert plan.led_groups == [county.led_by_li]
    lines = plan.lines()
    assert lines[0] == "德清县县级人大第17届 → 第18届（换届日 2027-01-10）"
    assert "连任代表 2 名：张建国、赵丽" in lines
    assert "届满离任 2 名：李明、钱进" in lines
    assert "将终止第17届代表资格 4 条" in lines
    assert "  将免去代表小组组长：法治专业小组" in lines
    assert "未连任但仍任其他人大代表 1 名（保留小组、网格与结对）：王芳" in lines
    assert AuditEvent.objects.count() == events
    assert list(Mandate.objects.values_list("id", "ended_on")) == mandates
    assert not Mandate.objects.filter(deputy=county.zhao, term=18).exists()


def test_applying_carries_over_for_the_re_elected_and_closes_the_rest_with_audit_rows(county, personas):
    zhang, zhao, li, wang, qian = county.zhang, county.zhao, county.li, county.wang, county.qian
    code = zhang.public_code

    plan = run(personas.county_staff, congress=county.deqing, reelected=[zhao.id_number])

    assert plan.applied
    # Mandates of term 17 end on the day of the new term; the resigned one keeps its own date.
    ended = dict(Mandate.objects.filter(term=17, congress_region=county.deqing).values_list("deputy__name", "ended_on"))
    assert ended == {"张建国": DAY, "赵丽": DAY, "李明": DAY, "王芳": DAY, "钱进": datetime.date(2025, 6, 1)}
    new = Mandate.objects.get(deputy=zhao, term=18)
    assert (new.status, new.started_on, new.district_name, new.district_region) == (
        MandateStatus.SERVING,
        DAY,
        "武康第1选区",
        county.regions.jueren,
    )
    # Re-elected: the same row and public code, everything kept.
    zhang.refresh_from_db()
    assert zhang.public_code == code
    assert set(zhang.groups.values_list("name", flat=True)) == {"武康代表小组", "法治专业小组"}
    assert zhang.grid_assignments.count() == 1 and zhang.worker_pairings.count() == 1
    assert zhang.mentors.count() == 1 and zhang.households.count() == 1
    assert zhang.duty_shifts.count() == 2
    assert DeputyGroup.objects.get(name="武康代表小组").leader == zhang
    # Leaving: out of groups, grids, pairings, households, links; future shifts gone, past ones kept.
    for person in (li, qian):
        assert not person.groups.exists() and not person.grid_assignments.exists()
        assert not person.worker_pairings.exists() and not person.households.exists()
    assert not MentorPairing.objects.filter(lower=li).exists()
    assert not StandingMemberLink.objects.exists()
    assert list(li.duty_shifts.values_list("date", flat=True)) == [BEFORE]
    assert DeputyGroup.objects.get(name="法治专业小组").leader is None
    # Still a township deputy: kept.
    assert wang.groups.count() == 1 and wang.grid_assignments.count() == 1 and wang.worker_pairings.count() == 1
    # Another county's congress is untouched.
    assert county.anji.grid_assignments.count() == 1
    assert not Mandate.objects.filter(congress_region=county.regions.anji, ended_on__isnull=False).exists()

    run_event = AuditEvent.objects.get(action="deputy.new_term")
    assert (run_event.actor, run_event.region_path, run_event.object_id) == (
        personas.county_staff,
        county.deqing.path,
        str(county.deqing.pk),
    )
    changes = run_event.changes
    assert changes["reelected_deputies"] == [zhang.pk, zhao.pk]
    assert changes["leaving_deputies"] == [li.pk, qian.pk]
    assert changes["serving_elsewhere_deputies"] == [wang.pk]
    assert changes["mandates_created"] == [new.pk]
    assert changes["leaders_cleared"] == [[county.led_by_li.pk, li.pk]]
    assert changes["deleted"]["future_shifts"] == [[li.pk, county.place.pk, AFTER.isoformat(), "09:00:00", "11:00:00"]]
    assert sorted(changes["deleted"]["grids"]) == sorted(
        [[li.pk, county.grid.pk, "district"], [qian.pk, county.grid.pk, "district"]]
    )
    ended_events = AuditEvent.objects.filter(action="mandate.update")
    assert sorted(int(e.object_id) for e in ended_events) == sorted(m.pk for m in plan.closing)
    # Compared as dicts: PostgreSQL's jsonb keeps its keys in its own order.
    assert [e.changes for e in ended_events] == [
        {"ended_on": [None, "2027-01-10"], "status": ["serving", "term_ended"]}
    ] * len(plan.closing)
    # A finished term is no longer "serving" anywhere: Deputy.serving() and every SERVING_STATUSES filter agree.
    assert not Mandate.objects.filter(pk__in=[m.pk for m in plan.closing], status__in=SERVING_STATUSES).exists()
    assert li not in Deputy.objects.serving() and qian not in Deputy.objects.serving()
    assert AuditEvent.objects.filter(action="mandate.create", object_id=str(new.pk)).count() == 1


def test_applying_twice_does_nothing_more(county, personas):
    run(personas.county_staff, congress=county.deqing, reelected=[county.zhao.id_number])
    events = AuditEvent.objects.count()
    counts = [model.objects.count() for model in (Mandate, GridAssignment, GridWorkerPairing, DutyShift, MentorPairing)]

    again = run(personas.county_staff, congress=county.deqing, reelected=[county.zhao.id_number])

    assert again.is_empty and again.applied
    assert "没有需要处理的内容（此前已完成换届）" in again.lines()
    assert [d.name for d in again.reelected] == ["张建国", "赵丽"]
    assert AuditEvent.objects.count() == events
    assert [
        model.objects.count() for model in (Mandate, GridAssignment, GridWorkerPairing, DutyShift, MentorPairing)
    ] == counts
    # Without the list, the mandate of term 18 made by the first run now says 赵丽 was re-elected.
    assert [d.name for d in run(personas.county_staff, congress=county.deqing).reelected] == ["张建国", "赵丽"]


def test_mistakes_are_refused_in_chinese_before_anything_is_written(county, personas):
    staff, deqing = personas.county_staff, county.deqing
    with pytest.raises(DomainError, match="新一届应为第18届，不能从第17届换到第19届"):
        run(staff, congress=deqing, to_term=19)
    with pytest.raises(DomainError, match="德清县县级人大没有第16届代表资格记录"):
        run(staff, congress=deqing, from_term=16, to_term=17)
    with pytest.raises(DomainError, match="第19届代表尚未导入，也没有提供连任名单") as caught:
        run(staff, congress=deqing, from_term=18, to_term=19)
    assert caught.value.code == "term_new_unknown"
    stranger = make_id("099")
    with pytest.raises(DomainError, match=f"连任名单中的身份证号第2个（{stranger}）不是德清县县级人大第17届代表"):
        run(staff, congress=deqing, reelected=[county.zhao.id_number, stranger])
    with pytest.raises(DomainError, match="不是德清县县级人大第17届代表"):
        run(staff, congress=deqing, reelected=[county.anji.id_number])
    assert not AuditEvent.objects.filter(action__in=["deputy.new_term", "mandate.update", "mandate.create"]).exists()
    assert not Mandate.objects.filter(ended_on=DAY).exists()


def test_staff_outside_the_congress_get_not_found(county, personas):
    # Township staff of 武康 manage their township's registry, not the county congress.
    for actor in (personas.township_staff, personas.outsider, personas.deputy):
        with pytest.raises(NotFound):
            run(actor, congress=county.deqing)
    assert not Mandate.objects.filter(ended_on=DAY).exists()


def test_the_command_previews_by_default_and_applies_with_apply(county, tmp_path):
    listed = tmp_path / "连任.txt"
    listed.write_text(f"身份证号\n{county.zhao.id_number}\n", encoding="utf-8")
    common = ["--congress", county.deqing.code, "--level", "county", "--from", "17", "--to", "18"]
    common += ["--day", DAY.isoformat(), "--reelected", str(listed)]

    out = io.StringIO()
    call_command("new_term", *common, stdout=out)
    text = out.getvalue()
    assert "连任代表 2 名：张建国、赵丽" in text and "以上为预览，未写入" in text
    assert not AuditEvent.objects.filter(action="deputy.new_term").exists()

    out = io.StringIO()
    call_command("new_term", *common, "--apply", "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["applied"] is True
    assert (summary["reelected"], summary["leaving"], summary["closing_mandates"]) == (2, 2, 4)
    assert summary["removed"]["grids"] == 2 and summary["carried"]["grids"] == 1
    assert AuditEvent.objects.filter(action="deputy.new_term").count() == 1

    with pytest.raises(CommandError, match="新一届应为第18届"):
        call_command("new_term", "--congress", county.deqing.code, "--level", "county", "--from", "17", "--to", "20")


# --- as long jobs from the office: a preview file, then the run ------------------------------------------------------


@pytest.fixture
def jobs(settings, tmp_path, monkeypatch):
    from lianxin.ops import longjobs

    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    monkeypatch.setattr(longjobs, "REPORT_EVERY", 0.05)

    def run_job(actor, kind, params):
        job = longjobs.job_start(actor=actor, kind=kind, params=params)
        assert longjobs.longjobs_run() == 1
        job.refresh_from_db()
        sheets = {}
        if job.result_name:
            with longjobs.job_file_open(job) as handle:
                book = openpyxl.load_workbook(io.BytesIO(handle.read()), read_only=True)
            sheets = {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}
        return job, sheets

    return run_job


def test_the_office_previews_the_new_term_as_a_file_then_applies_it_once(county, personas, jobs):
    from lianxin.ops.models import JobStatus

    params = {"region": county.deqing.code, "level": "county", "from_term": "17", "to_term": "18", "day": "2027-01-10"}
    staff = personas.county_staff

    job, sheets = jobs(staff, "new_term_preview", params)

    assert job.status == JobStatus.DONE, job.message
    assert job.message == (
        "德清县县级人大第17届 → 第18届预览：连任 1 名，届满离任 3 名，终止代表资格 4 条（未写入）；"
        "请下载核对后再执行“换届（执行）”"
    )
    assert job.result_name == "换届预览-德清县.xlsx"
    assert sheets["代表"][1:] == [
        ("连任", county.zhang.pk, "张建国"),
        ("届满离任", county.zhao.pk, "赵丽"),
        ("届满离任", county.li.pk, "李明"),
        ("届满离任", county.qian.pk, "钱进"),
        ("未连任，仍任其他人大代表", county.wang.pk, "王芳"),
    ]
    assert ("代表小组组长", "法治专业小组（组长 李明）") in sheets["移出明细"]
    assert ("今后接待排班", f"李明 {AFTER:%Y-%m-%d} 09:00-11:00 武康街道代表之家") in sheets["移出明细"]
    assert not Mandate.objects.filter(ended_on=DAY).exists()

    job, sheets = jobs(staff, "new_term_apply", params)
    assert job.status == JobStatus.DONE, job.message
    assert job.message == "德清县县级人大第17届 → 第18届已完成：连任 1 名，届满离任 3 名，终止代表资格 4 条"
    assert Mandate.objects.filter(ended_on=DAY).count() == 4
    assert AuditEvent.objects.get(action="deputy.new_term").actor == staff

    job, _ = jobs(staff, "new_term_apply", params)
    assert job.message == "德清县县级人大第17届 → 第18届：没有需要处理的内容（此前已完成换届）"
    assert AuditEvent.objects.filter(action="deputy.new_term").count() == 1


def test_the_new_term_jobs_refuse_a_congress_outside_the_users_registry(county, personas, jobs):
    from lianxin.ops.longjobs import job_start

    params = {"region": county.deqing.code, "level": "county", "from_term": "17", "to_term": "18"}
    with pytest.raises(DomainError) as refused:
        job_start(actor=personas.township_staff, kind="new_term_apply", params=params)
    assert refused.value.field == "region"
    with pytest.raises(DomainError, match="原届次: 请填写届次的数字"):
        job_start(actor=personas.county_staff, kind="new_term_preview", params={**params, "from_term": "十七"})
