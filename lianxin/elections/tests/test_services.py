"""Rolls in the database: import, check, staff decisions with their audit rows, freezing, by-elections."""

import csv
import datetime
import io

import openpyxl
import pytest

from lianxin.core.errors import DomainError, ImportRejected, NotFound
from lianxin.core.idcard import id_number_check_character
from lianxin.core.models import AuditEvent
from lianxin.core.tabular import write_xlsx
from lianxin.elections import services
from lianxin.elections.checks.frame import EVENT_SCHEMA, REGISTER_SCHEMA, frame
from lianxin.elections.imports import (
    VOTER_COLUMNS,
    candidates_published_xlsx,
    published_list_xlsx,
    roll_export_xlsx,
)
from lianxin.elections.models import (
    Candidate,
    ElectionKind,
    Finding,
    Qualification,
    Resolution,
    Voter,
    VoterStatus,
)
from lianxin.testing import xlsx_bytes

JUREN, CHENGDONG = "330521001001", "330521101001"
HEADERS = ["序号", "姓名", "性别", "身份证号", "出生日期", "民族", "户籍地址", "现住址", "选区"]


def make_id(birth: str = "19850312", sequence: str = "123", prefix: str = "330521") -> str:
    first17 = prefix + birth + sequence
    return first17 + id_number_check_character(first17)


ZHANG = make_id("19850312", "131")  # male
LI = make_id("19900704", "242")  # female
WANG = make_id("19720101", "351")  # male


def row(number: int, name: str, id_number: str, sex: str = "男", birth: str = "", district: str = JUREN) -> list:
    return [number, name, sex, id_number, birth, "汉族", "德清县武康街道", "居仁社区1号", district]


@pytest.fixture
def election(regions, personas):
    return services.election_create(
        actor=personas.county_staff,
        name="德清县第十八届人大代表选举",
        region=regions.deqing,
        election_day=datetime.date(2026, 12, 15),
    )


def import_rows(election, rows, district=JUREN, actor=None, filename="roll.xlsx"):
    return services.voters_import(
        actor=actor, election=election, district_code=district, file=xlsx_bytes(HEADERS, rows), filename=filename
    )


# Import ------------------------------------------------------------------------------------------------------


def test_importing_a_roll_creates_the_district_from_its_region_code_and_keeps_what_was_entered(election):
    result = import_rows(
        election,
        [row(1, "张伟", ZHANG, birth="1985-03-12"), row(2, "李娜", LI.lower().replace("x", "x"), "女")],
    )
    assert (result.created, result.updated) == (2, 0)
    district = election.districts.get()
    assert (district.code, district.name) == (JUREN, "居仁社区居委会")
    assert Voter.objects.get(name="张伟").birth_date == datetime.date(1985, 3, 12)
    assert AuditEvent.objects.filter(action="election.voters_import", object_id=str(district.pk)).exists()


def test_importing_the_same_file_again_changes_nothing(election):
    rows = [row(1, "张伟", ZHANG), row(2, "李娜", LI, "女")]
    import_rows(election, rows)
    again = import_rows(election, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_a_lower_case_x_and_full_width_digits_are_normalised_on_import(election):
    with_x = next(make_id(sequence=f"{s:03d}") for s in range(100, 999) if make_id(sequence=f"{s:03d}").endswith("X"))
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in ZHANG)
    import_rows(election, [row(1, "张伟", full_width), row(2, "王芳", with_x.lower(), "女")])
    assert set(Voter.objects.values_list("id_number", flat=True)) == {ZHANG, with_x}


def test_a_bad_file_is_refused_whole_with_every_error_and_its_row_number(election):
    rows = [
        row(1, "张伟", ZHANG),
        row(2, "", LI, "女"),
        row(3, "王强", WANG, "未知"),
        row(4, "张伟", ZHANG),
        row(5, "赵敏", make_id(sequence="442"), "女", birth="1990-02-30"),
        row(6, "钱进", make_id(sequence="551"), district=CHENGDONG),
    ]
    with pytest.raises(ImportRejected) as caught:
        import_rows(election, rows)
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (3, "姓名"),
        (4, "性别"),
        (5, "身份证号"),
        (6, "出生日期"),
        (7, "选区"),
    ]
    assert "与第2行身份证号相同" in caught.value.errors[2].message
    assert not Voter.objects.exists()


def test_an_export_of_the_roll_imports_back_unchanged(election):
    import_rows(election, [row(1, "张伟", ZHANG, birth="1985-03-12"), row(2, "李娜", LI, "女")])
    exported = roll_export_xlsx(Voter.objects.select_related("district"))
    result = services.voters_import(
        actor=None, election=election, district_code=JUREN, file=exported, filename="export.xlsx"
    )
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)


def test_the_published_list_shows_name_and_district_and_masks_the_id(election):
    import_rows(election, [row(1, "张伟", ZHANG)])
    sheet = openpyxl.load_workbook(io.BytesIO(published_list_xlsx(Voter.objects.select_related("district")))).active
    assert [c.value for c in sheet[1]] == ["选区", "姓名", "身份证号"]
    assert [c.value for c in sheet[2]] == ["居仁社区居委会", "张伟", ZHANG[:4] + "*" * 10 + ZHANG[-4:]]


def test_staff_outside_the_region_cannot_import(election, personas):
    with pytest.raises(NotFound):
        import_rows(election, [row(1, "张伟", ZHANG)], actor=personas.outsider)


# Checks and decisions ------------------------------------------------------------------------------------------


@pytest.fixture
def checked(election):
    """张伟 twice (homophone 张玮, another district), a wrong check digit, a Latin letter in a name."""
    import_rows(
        election,
        [
            row(1, "张伟", ZHANG),
            row(2, "李娜", LI[:17] + ("0" if LI[17] != "0" else "1"), "女"),
            row(3, "王Qiang", WANG),
        ],
    )
    import_rows(election, [row(1, "张玮", ZHANG, district=CHENGDONG)], district=CHENGDONG)
    run = services.voters_check(actor=None, election=election, as_of=datetime.date(2026, 11, 1))
    return run


def test_a_check_records_each_finding_with_its_reason(checked):
    found = {(f.kind, f.code) for f in Finding.objects.all()}
    assert found == {("error", "id_checksum"), ("error", "name"), ("duplicate", "same_id")}
    duplicate = Finding.objects.get(kind="duplicate")
    assert {duplicate.voter.name, duplicate.other_voter.name} == {"张伟", "张玮"}
    assert "姓名同音字" in duplicate.reason and duplicate.score >= 0.9
    assert checked.summary["errors"] == 2 and checked.voters == 4


def test_checking_again_keeps_decisions_and_drops_what_is_no_longer_found(checked, election, personas):
    name_error = Finding.objects.get(code="name")
    services.finding_resolve(
        actor=personas.county_staff,
        finding=name_error,
        resolution=Resolution.CORRECT,
        changes={"name": "王强"},
        note="按户口簿更正",
    )
    kept = Finding.objects.get(code="id_checksum")
    services.finding_resolve(actor=personas.county_staff, finding=kept, resolution=Resolution.KEEP, note="已核实")
    run = services.voters_check(actor=None, election=election, as_of=datetime.date(2026, 11, 1))
    assert run.summary["new"] == 0
    assert Finding.objects.get(pk=kept.pk).resolution == Resolution.KEEP
    assert Finding.objects.get(pk=name_error.pk).resolution == Resolution.CORRECT


def test_merging_a_duplicate_keeps_one_registration_removes_the_other_and_audits_both(checked, personas):
    finding = Finding.objects.get(kind="duplicate")
    keep = finding.voter if finding.voter.name == "张伟" else finding.other_voter
    services.finding_resolve(
        actor=personas.county_staff, finding=finding, resolution=Resolution.MERGE, target=keep, note="同一人，已迁居"
    )
    other = Voter.objects.get(name="张玮")
    assert other.status == VoterStatus.REMOVED and Voter.objects.get(pk=keep.pk).status == VoterStatus.ACTIVE
    events = AuditEvent.objects.filter(action__startswith="election.").values_list("action", "object_id", "actor")
    assert ("election.voter_remove", str(other.pk), personas.county_staff.pk) in events
    assert ("election.finding_resolve", str(finding.pk), personas.county_staff.pk) in events
    resolved = Finding.objects.get(pk=finding.pk)
    assert resolved.resolved_by == personas.county_staff and resolved.resolution_note == "同一人，已迁居"


def test_correcting_an_error_changes_the_registration_and_the_audit_row_has_old_and_new(checked, personas):
    finding = Finding.objects.get(code="name")
    services.finding_resolve(
        actor=personas.county_staff, finding=finding, resolution=Resolution.CORRECT, changes={"name": "王强"}
    )
    event = AuditEvent.objects.get(action="election.voter_correct")
    assert event.changes == {"name": ["王Qiang", "王强"]}


def test_keeping_needs_a_note_and_a_finding_is_decided_once(checked, personas):
    finding = Finding.objects.get(code="id_checksum")
    with pytest.raises(DomainError, match="保留须说明"):
        services.finding_resolve(actor=personas.county_staff, finding=finding, resolution=Resolution.KEEP)
    services.finding_resolve(
        actor=personas.county_staff, finding=finding, resolution=Resolution.REMOVE, note="查无此人"
    )
    with pytest.raises(DomainError, match="已处理"):
        services.finding_resolve(actor=personas.county_staff, finding=finding, resolution=Resolution.KEEP, note="x")


def test_staff_of_another_township_cannot_see_or_decide_a_finding(checked, personas):
    finding = Finding.objects.get(code="name")  # 居仁社区, in 武康街道
    assert not Finding.objects.visible_to(personas.outsider).filter(pk=finding.pk).exists()
    assert Finding.objects.visible_to(personas.township_staff).filter(pk=finding.pk).exists()
    with pytest.raises(NotFound):
        services.finding_resolve(actor=personas.outsider, finding=finding, resolution=Resolution.KEEP, note="x")
    assert not Voter.objects.visible_to(personas.deputy).exists()  # deputies do not see rolls


def test_an_omission_is_corrected_by_registering_the_person_in_a_district(election, personas):
    import_rows(election, [row(1, "张伟", ZHANG)])
    register = frame(
        [
            {"id_number": ZHANG, "name": "张伟", "sex": "male", "birth_date": datetime.date(1985, 3, 12)},
            {"id_number": WANG, "name": "王强", "sex": "male", "birth_date": datetime.date(1972, 1, 1)},
        ],
        REGISTER_SCHEMA,
    )
    dead = frame([{"id_number": ZHANG, "date": datetime.date(2026, 9, 1)}], EVENT_SCHEMA)
    services.voters_check(
        actor=None,
        election=election,
        as_of=datetime.date(2026, 11, 1),
        registers=services.Registers(register=register, deceased=dead),
    )
    missing = Finding.objects.get(code="unregistered")
    assert missing.person_id_number == WANG and missing.voter is None
    services.finding_resolve(
        actor=personas.county_staff,
        finding=missing,
        resolution=Resolution.CORRECT,
        district=election.districts.get(),
        note="补登",
    )
    assert Voter.objects.filter(id_number=WANG, status=VoterStatus.ACTIVE).exists()
    died = Finding.objects.get(code="deceased")
    services.finding_resolve(actor=personas.county_staff, finding=died, resolution=Resolution.REMOVE, note="已死亡")
    assert Voter.objects.get(id_number=ZHANG).status == VoterStatus.REMOVED


# Freezing ------------------------------------------------------------------------------------------------------


def test_a_roll_with_open_findings_cannot_be_frozen(checked, election, personas):
    district = election.districts.get(code=JUREN)
    with pytest.raises(DomainError, match="未处理"):
        services.district_freeze(actor=personas.county_staff, district=district)


def test_after_freezing_a_change_needs_a_reason_which_the_audit_keeps(election, personas):
    import_rows(election, [row(1, "张伟", ZHANG)])
    district = election.districts.get()
    services.district_freeze(actor=personas.township_staff, district=district)
    voter = Voter.objects.get()
    with pytest.raises(DomainError, match="须填写原因"):
        services.voter_correct(actor=personas.township_staff, voter=voter, changes={"current_address": "新址"})
    with pytest.raises(DomainError, match="不能整批导入"):
        import_rows(election, [row(1, "张伟", ZHANG)])
    services.voter_correct(
        actor=personas.township_staff, voter=voter, changes={"current_address": "新址"}, reason="选民本人申请更正"
    )
    event = AuditEvent.objects.get(action="election.voter_correct")
    assert event.note == "选民本人申请更正" and event.changes["current_address"][1] == "新址***"  # masked (core.audit)
    assert AuditEvent.objects.filter(action="election.roll_freeze").exists()


# By-elections ------------------------------------------------------------------------------------------------


def test_a_by_election_reviews_candidates_against_the_roll(regions, personas):
    by_election = services.election_create(
        actor=personas.county_staff,
        name="武康街道居仁社区选区补选",
        region=regions.deqing,
        election_day=datetime.date(2026, 12, 15),
        kind=ElectionKind.BY_ELECTION,
    )
    district = services.district_create(
        actor=personas.county_staff, election=by_election, code="01", name="居仁选区", region=regions.jueren, seats=1
    )
    import_rows(by_election, [row(1, "张伟", ZHANG, district="01")], district="01")
    voter_candidate = services.candidate_nominate(
        actor=personas.county_staff, district=district, name="张伟", id_number=ZHANG, nominated_by="选民10人以上联名"
    )
    stranger = services.candidate_nominate(actor=personas.county_staff, district=district, name="王强", id_number=WANG)
    assert services.candidate_problems(candidate=voter_candidate) == []
    assert services.candidate_problems(candidate=stranger) == ["不在本次选举的选民名册中"]
    services.candidate_review(actor=personas.county_staff, candidate=voter_candidate, qualified=True)
    with pytest.raises(DomainError, match="不在本次选举的选民名册中"):
        services.candidate_review(actor=personas.county_staff, candidate=stranger, qualified=True)
    services.candidate_review(actor=personas.county_staff, candidate=stranger, qualified=False, note="非本选区选民")
    assert dict(Candidate.objects.values_list("name", "qualification")) == {
        "张伟": Qualification.QUALIFIED,
        "王强": Qualification.DISQUALIFIED,
    }
    assert AuditEvent.objects.filter(action="election.candidate_review").count() == 2
    published = openpyxl.load_workbook(io.BytesIO(candidates_published_xlsx(Candidate.objects.all()))).active
    assert [[c.value for c in r] for r in published.iter_rows(min_row=2)] == [
        ["居仁选区", "张伟", None, None, "选民10人以上联名"]
    ]


def test_write_xlsx_headers_are_the_import_headers():
    data = write_xlsx(VOTER_COLUMNS, [])
    assert data[:2] == b"PK"


def test_formula_text_in_an_imported_roll_exports_as_inert_text(election):
    formula = "=cmd|' /C calc'!A0"
    lines = io.StringIO()
    writer = csv.writer(lines)
    writer.writerow(HEADERS)
    writer.writerow([*row(1, "张伟", ZHANG)[:6], "+1+1", formula, JUREN])
    services.voters_import(
        actor=None, election=election, district_code=JUREN, file=lines.getvalue().encode(), filename="roll.csv"
    )
    assert Voter.objects.get().current_address == formula

    sheet = openpyxl.load_workbook(io.BytesIO(roll_export_xlsx(Voter.objects.select_related("district")))).active
    cells = dict(zip([c.value for c in sheet[1]], sheet[2], strict=True))
    assert (cells["现住址"].value, cells["现住址"].data_type) == ("'" + formula, "s")
    assert cells["户籍地址"].value == "'+1+1"
    assert all(cell.data_type != "f" for cell in sheet[2])
