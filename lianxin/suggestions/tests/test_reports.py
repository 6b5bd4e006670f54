import datetime
import io
import re
from types import SimpleNamespace

import openpyxl
import pypdfium2 as pdfium
import pytest
import time_machine
from docx import Document

from lianxin.cases.models import ResponsibleUnit
from lianxin.core.errors import DomainError
from lianxin.publicweb import fonts
from lianxin.suggestions.exports import (
    assignment_list_xlsx,
    assignment_rows,
    below_target,
    statistics_collect,
    statistics_xlsx,
)
from lianxin.suggestions.models import Kind, UnitRole
from lianxin.suggestions.reports import compilation_collect, compilation_docx, compilation_pdf
from lianxin.suggestions.selectors import statistics_total, suggestion_statistics

pytestmark = pytest.mark.django_db

try:
    fonts.font_path()
    FONT_MISSING = ""
except DomainError as error:
    FONT_MISSING = error.message

ASSIGNED_ON = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


def at(day: str):
    return time_machine.travel(datetime.datetime.fromisoformat(day + "T10:00:00+08:00"), tick=False)


def part(s, unit):
    return s.units.get(is_active=True, unit=unit)


@pytest.fixture
def handled(world, personas):
    """Four suggestions of the session, assigned on 2 March 2026, and two that are not compiled:

    - s1 — transport leads, housing co-handles: contact before the reply, A on time, rated 满意;
    - s2 — housing leads: C late, rated 不满意 (re-handling), B late again, rated 不满意 again;
    - s3 — transport leads: not replied yet;
    - bill — ten signers, on the presidium's agenda (accepted, not assigned);
    - a draft and a suggestion not accepted.
    """
    w = world
    with at("2026-03-02"):
        s1 = w.draft(title="关于加快城东片区道路改造的建议", field="urban")
        w.act(s1, "invite", personas.county_staff, deputies=[w.others[0].pk, w.others[1].pk], signed_on_paper=True)
        s2 = w.draft(
            title="关于老旧小区加装电梯的建议", field="urban", reasons="老人上下楼难。", content="建议补贴加装电梯。"
        )
        s3 = w.draft(title="关于增开乡村公交的建议", field="rural", content="建议增开班次。")
        bill = w.draft(title="关于制定河道保护条例的议案", kind=Kind.BILL, field="environment",
                       draft_resolution="德清县河道保护条例（草案）", content="建议制定条例。")  # fmt: skip
        w.act(bill, "invite", personas.county_staff, deputies=[d.pk for d in w.others[:9]], signed_on_paper=True)
        draft = w.draft(title="尚在草稿的建议")
        rejected = w.draft(title="不予立案的建议")
        for s in (s1, s2, s3, bill, rejected):
            w.act(s, "submit", personas.deputy)
            w.act(s, "pass")
        w.act(rejected, "reject", reason="属于信访事项。")
        for s in (s1, s2, s3):
            w.act(s, "accept")
        w.act(bill, "to_presidium")
        w.act(bill, "agenda")
        w.act(s1, "assign", units=[{"unit": w.transport.pk, "role": "lead"}, {"unit": w.housing.pk, "role": "co"}])
        w.act(s2, "assign", units=[{"unit": w.housing.pk, "role": "lead"}])
        w.act(s3, "assign", units=[{"unit": w.transport.pk, "role": "lead"}])
    with at("2026-03-10"):
        lead = part(s1, w.transport)
        w.act(s1, "contact", personas.unit_handler, assignment=lead.pk, contacted_on="2026-03-09", way="visit",
              person="张科长")  # fmt: skip
        w.act(s1, "reply", personas.unit_handler, assignment=lead.pk, reply_class="A",
              reply_text="城东片区道路改造已列入2026年计划，主干道已于三月开工。", signed_by="王局长")  # fmt: skip
        w.act(s1, "rate", personas.deputy, assignment=lead.pk, rating="satisfied")
    housing = part(s2, w.housing)
    with at("2026-07-01"):
        w.act(s2, "reply", w.other_handler, assignment=housing.pk, reply_class="C",
              reply_text="受财力所限，今年暂无加装电梯补贴资金，明年争取列入预算。", signed_by="李局长")  # fmt: skip
    with at("2026-07-02"):
        w.act(s2, "rate", personas.deputy, assignment=housing.pk, rating="unsatisfied", comment="没有说明时间表。")
    with at("2026-09-01"):
        w.act(s2, "reply", w.other_handler, assignment=housing.pk, reply_class="B",
              reply_text="已列入2027年老旧小区改造计划。", signed_by="李局长", promised_on="2027-06-30")  # fmt: skip
    with at("2026-09-02"):
        w.act(s2, "rate", personas.deputy, assignment=housing.pk, rating="unsatisfied", comment="仍不满意。")
    return SimpleNamespace(s1=s1, s2=s2, s3=s3, bill=bill, draft=draft, rejected=rejected)


def figures_of(rows):
    return {
        f.label: (f.assigned, f.replied, f.replied_on_time, f.class_a, f.class_b, f.class_c, f.contacted, f.rated,
                  f.satisfied, f.rehandled)
        for f in rows
    }  # fmt: skip


def test_the_statistics_per_unit_count_each_lead_part_once(world, personas, handled):
    rows = suggestion_statistics(user=personas.county_staff, by="unit")
    assert figures_of(rows) == {
        # assigned, replied, on time, A, B, C, contacted, rated, satisfied, re-handled
        "县交通运输局": (2, 1, 1, 1, 0, 0, 1, 1, 1, 0),
        "县住建局": (1, 1, 0, 0, 1, 0, 0, 1, 0, 1),
    }
    transport, housing = rows
    assert (transport.on_time_rate, transport.contact_rate, transport.satisfaction_rate) == (1.0, 1.0, 1.0)
    assert (housing.on_time_rate, housing.satisfaction_rate, housing.class_share("B")) == (0.0, 0.0, 1.0)
    assert below_target(housing) and not below_target(transport)
    total = statistics_total(rows)
    assert figures_of([total]) == {"合计": (3, 2, 1, 1, 1, 0, 1, 2, 1, 1)}
    assert (total.on_time_rate, total.contact_rate, total.satisfaction_rate) == (0.5, 0.5, 0.5)
    assert (total.class_share("A"), total.class_share("B"), total.class_share("C")) == (0.5, 0.5, 0.0)


def test_the_statistics_per_level_and_session_add_up_to_the_same_total(world, personas, handled):
    by_level = suggestion_statistics(user=personas.county_staff, by="level")
    by_session = suggestion_statistics(user=personas.county_staff, by="session")
    assert figures_of(by_level) == {"县级": (3, 2, 1, 1, 1, 0, 1, 2, 1, 1)}
    assert figures_of(by_session) == {world.session.name: (3, 2, 1, 1, 1, 0, 1, 2, 1, 1)}
    assert suggestion_statistics(user=personas.county_staff, by="unit", year=2025) == []
    assert suggestion_statistics(user=personas.outsider, by="unit") == []


def test_the_statistics_export_has_a_sheet_per_grouping_with_rates_and_the_target_marked(world, personas, handled):
    book = openpyxl.load_workbook(io.BytesIO(statistics_xlsx(statistics_collect(user=personas.county_staff))))
    assert book.sheetnames == ["说明", "按承办单位", "按人大层级", "按会议"]
    sheet = book["按承办单位"]
    headers = [c.value for c in sheet[1]]
    assert headers[:5] == ["承办单位", "交办件数", "已答复", "按期答复", "按期答复率"]
    rows = {row[0]: dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"县交通运输局", "县住建局", "合计"}
    assert rows["县住建局"]["满意率"] == 0 and rows["县住建局"]["满意率达标（≥95%）"] == "未达标"
    assert rows["县交通运输局"]["满意率达标（≥95%）"] == "达标"
    assert rows["合计"]["交办件数"] == 3 and rows["合计"]["办前联系率"] == 0.5 and rows["合计"]["重新办理"] == 1
    assert sheet.cell(2, headers.index("满意率") + 1).number_format == "0.0%"
    assert book["按人大层级"]["A2"].value == "县级"


def test_the_assignment_list_has_each_assigned_suggestion_with_its_units_and_dates(world, personas, handled):
    rows = assignment_rows(user=personas.county_staff, session=world.session)
    assert [r["title"] for r in rows] == [
        "关于加快城东片区道路改造的建议",
        "关于老旧小区加装电梯的建议",
        "关于增开乡村公交的建议",
    ]
    first = rows[0]
    assert first["number"] == "第1号建议" and first["lead"] == "沈建国"
    assert (first["lead_units"], first["co_units"]) == ("县交通运输局", "县住建局")
    assert first["assigned_on"] == datetime.date(2026, 3, 2) and first["due_date"] == datetime.date(2026, 6, 2)
    book = openpyxl.load_workbook(io.BytesIO(assignment_list_xlsx(rows)))
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["编号", "类型", "标题", "领衔代表", "主办单位", "协办单位", "交办日期",
                                           "答复期限", "状态"]  # fmt: skip
    assert sheet["A2"].value == "第1号建议" and sheet["G2"].value == datetime.datetime(2026, 3, 2)
    assert assignment_rows(user=personas.outsider, session=world.session) == []


def test_exports_write_formulas_as_inert_text(world, personas):
    evil = ResponsibleUnit.objects.create(
        name='=HYPERLINK("http://evil.example","点我")', region=world.session.congress_region
    )
    s = world.draft(title="=1+2 关于公式的建议")
    world.act(s, "submit", personas.deputy)
    world.act(s, "pass")
    world.act(s, "accept")
    world.act(s, "assign", units=[{"unit": evil.pk, "role": UnitRole.LEAD}])
    stats = openpyxl.load_workbook(io.BytesIO(statistics_xlsx(statistics_collect(user=personas.county_staff))))
    cell = stats["按承办单位"]["A2"]
    assert cell.value == '\'=HYPERLINK("http://evil.example","点我")' and cell.data_type == "s"
    listing = openpyxl.load_workbook(io.BytesIO(assignment_list_xlsx(assignment_rows(user=personas.county_staff,
                                                                                     session=world.session))))  # fmt: skip
    assert listing.active["C2"].value == "'=1+2 关于公式的建议" and listing.active["C2"].data_type == "s"
    assert listing.active["E2"].value.startswith("'=HYPERLINK")


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    return "\n".join(p.text for p in document.paragraphs)


def test_the_compilation_lists_accepted_suggestions_by_field_with_their_replies(world, personas, handled):
    compilation = compilation_collect(user=personas.county_staff, session=world.session)
    assert [(s.label, [e.title for e in s.entries]) for s in compilation.sections] == [
        ("城乡建设与管理", ["关于加快城东片区道路改造的建议", "关于老旧小区加装电梯的建议"]),
        ("农业农村", ["关于增开乡村公交的建议"]),
        ("生态环境", ["关于制定河道保护条例的议案"]),
    ]
    assert compilation.summary == "共 4 件：建议 3 件，议案 1 件"
    first = compilation.sections[0].entries[0]
    assert first.signers_line == "领衔代表：沈建国；附议代表：钱立新、孙美华"
    assert first.units_line == "主办单位：县交通运输局；协办单位：县住建局"
    assert first.replies[0].heading == "县交通运输局（A类（已解决或采纳），签发人：王局长，2026年03月10日答复）"


def test_the_compilation_as_docx_has_a_title_page_contents_and_every_suggestion_with_its_reply(
    world, personas, handled
):
    text = docx_text(compilation_docx(compilation_collect(user=personas.county_staff, session=world.session)))
    assert (
        text.index("德清县第十七届人民代表大会第三次会议")
        < text.index("代表建议、议案及答复汇编")
        < text.index("目　录")
    )
    contents, body = text.split("目　录", 1)[1].split("一、城乡建设与管理（2件）", 2)[1:]
    assert "第1号建议　关于加快城东片区道路改造的建议（沈建国）" in contents
    for expected in (
        "领衔代表：沈建国；附议代表：钱立新、孙美华",
        "城东片区道路破损严重，雨天积水，群众反映强烈。",
        "城东片区道路改造已列入2026年计划，主干道已于三月开工。",
        "县交通运输局（A类（已解决或采纳），签发人：王局长，2026年03月10日答复）",
        "代表评价：满意",
        "县住建局（B类（正在解决或列入计划），签发人：李局长，2026年09月01日答复，重新办理后答复）",
        "县交通运输局：尚未答复（答复期限 2026年06月02日）",
        "第1号议案　关于制定河道保护条例的议案",
        "德清县河道保护条例（草案）",
        "三、生态环境（1件）",
    ):
        assert expected in body, expected
    assert "尚在草稿的建议" not in text and "不予立案的建议" not in text


@pytest.mark.skipif(bool(FONT_MISSING), reason=f"no CJK font: {FONT_MISSING}")
def test_the_compilation_as_pdf_has_the_chinese_text_and_a_contents_page_with_page_numbers(world, personas, handled):
    steps = []
    data = compilation_pdf(
        compilation_collect(user=personas.county_staff, session=world.session),
        lambda done, total, message="": steps.append((done, total)),
    )
    document = pdfium.PdfDocument(data)
    try:
        pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()
    text = "".join(pages).replace("\r", "").replace("\n", "")
    assert "代表建议、议案及答复汇编" in pages[0] and "共 4 件" in pages[0]
    assert "目　录" in pages[1] or "目 录" in pages[1]
    # The contents give the page each suggestion starts on.
    bill_page = next(n for n, page in enumerate(pages) if n > 1 and "关于制定河道保护条例的议案" in page) + 1
    assert re.search(rf"第1号议案 关于制定河道保护条例的议案（沈建国）[ .]*{bill_page}\b", pages[1])
    for expected in (
        "关于加快城东片区道路改造的建议",
        "城东片区道路改造已列入2026年计划",
        "签发人：王局长",
        "德清县河道保护条例（草案）",
    ):
        assert expected in text, expected
    assert "尚在草稿的建议" not in text
    assert steps[-1] == (4, 4)


# --- as long jobs (lianxin.ops.longjob_kinds) ----------------------------------------------------------------------


@pytest.fixture
def jobs(settings, tmp_path, monkeypatch):
    from lianxin.ops import longjobs

    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    monkeypatch.setattr(longjobs, "REPORT_EVERY", 0.05)

    def run(actor, kind, params=None, upload=None):
        job = longjobs.job_start(actor=actor, kind=kind, params=params or {}, upload=upload)
        assert longjobs.longjobs_run() == 1
        job.refresh_from_db()
        return job

    return SimpleNamespace(run=run, open=longjobs.job_file_open)


def test_the_compilation_runs_as_a_long_job_for_staff_of_the_congress(world, personas, handled, jobs):
    from lianxin.core.models import AuditEvent
    from lianxin.ops.models import JobStatus

    job = jobs.run(personas.county_staff, "suggestions_compile", {"session": world.session.name})
    assert job.status == JobStatus.DONE, job.message
    assert job.message == "汇编已生成：共 4 件：建议 3 件，议案 1 件"
    assert job.result_name == "德清县第十七届人民代表大会第三次会议代表建议议案汇编.docx"
    assert job.region == world.session.congress_region and job.params["session"] == world.session.pk
    with jobs.open(job) as handle:
        assert "关于增开乡村公交的建议" in docx_text(handle.read())
    assert AuditEvent.objects.filter(action="longjob.done", object_id=str(job.pk)).exists()


def test_the_statistics_and_the_assignment_list_run_as_long_jobs(world, personas, handled, jobs):
    from lianxin.ops.models import JobStatus

    stats = jobs.run(personas.county_staff, "suggestions_stats_export", {"year": 2026})
    assert stats.status == JobStatus.DONE, stats.message
    assert "主办件 3 件，已答复 2 件，满意率 50.0%" in stats.message
    with jobs.open(stats) as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    assert book["按会议"]["A2"].value == world.session.name
    listing = jobs.run(personas.county_staff, "suggestions_assignment_list", {"session": str(world.session.pk)})
    assert listing.status == JobStatus.DONE and listing.message.endswith("3 件")


def test_the_suggestion_jobs_are_for_congress_staff_and_their_sessions_only(world, personas, handled):
    from lianxin.ops.longjobs import job_start, kinds_for

    names = {"suggestions_stats_export", "suggestions_assignment_list", "suggestions_compile", "suggestions_import"}
    assert names <= {k.name for k in kinds_for(personas.county_staff)}
    assert not names & {k.name for k in kinds_for(personas.unit_handler)}
    assert not names & {k.name for k in kinds_for(personas.deputy)}
    # Township staff of 乾元镇 manage suggestions of their own congress, not the county's session.
    with pytest.raises(DomainError) as refused:
        job_start(actor=personas.outsider, kind="suggestions_compile", params={"session": world.session.pk})
    assert refused.value.field == "session" and "不在您的管辖范围内" in refused.value.message


def test_the_compile_command_writes_the_file_and_prints_its_progress(world, personas, handled, tmp_path):
    from django.core.management import CommandError, call_command

    out, printed = tmp_path / "汇编.docx", io.StringIO()
    call_command("suggestions_compile", "--session", str(world.session.pk), "--out", str(out), stdout=printed)
    assert "关于制定河道保护条例的议案" in docx_text(out.read_bytes())
    lines = printed.getvalue().splitlines()
    assert lines[0] == "正在读取本次会议的建议和答复 0/0"
    assert "正在编排第4件（共4件） 4/4" in lines and lines[-1] == f"已写入 {out}：共 4 件：建议 3 件，议案 1 件"
    with pytest.raises(CommandError, match="--format docx"):
        call_command("suggestions_compile", "--session", str(world.session.pk), "--out", str(tmp_path / "a.txt"))
    with pytest.raises(CommandError, match="还没有已立案的建议或议案"):
        call_command("suggestions_compile", "--session", str(world.session.pk), "--out", str(out),
                     "--user", personas.outsider.username)  # fmt: skip
