import io

import openpyxl
import pytest

from lianxin.core.errors import DomainError, ImportRejected, PermissionDenied
from lianxin.notifications.models import Notification
from lianxin.suggestions.imports import SUGGESTION_COLUMNS, suggestions_import
from lianxin.suggestions.models import CoSigner, Kind, SignStatus, Status, Suggestion, SuggestionEvent

pytestmark = pytest.mark.django_db

HEADERS = ["编号", "类型", "标题", "领衔代表", "附议代表", "领域", "案由", "建议内容", "议案草案"]


def sheet(*rows, headers=HEADERS) -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(headers)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_rows(world):
    nine = "、".join(d.name for d in world.others[:9])
    return [
        (1, "建议", "关于增设城东公交站点的建议", "沈建国", "钱立新、孙美华", "城乡建设与管理", "城东居民出行难。",
         "建议增设两个公交站点。", ""),
        (2, "建议", "关于改善农村饮水的建议", "钱立新", "", "农业农村", "", "建议改造老旧供水管网。", ""),
        (1, "议案", "关于制定河道保护条例的议案", "沈建国", nine, "生态环境", "河道污染。", "建议制定条例。",
         "德清县河道保护条例（草案）"),
    ]  # fmt: skip


def test_a_good_file_becomes_submitted_suggestions_with_the_co_signers_signed_on_paper(world, personas):
    result = suggestions_import(
        actor=personas.county_staff, session=world.session, file=sheet(*good_rows(world)), filename="建议.xlsx"
    )
    assert (result.created, result.updated) == (3, 0)
    rows = {s.title: s for s in Suggestion.objects.filter(session=world.session)}
    assert {s.status for s in rows.values()} == {Status.SUBMITTED}
    first = rows["关于增设城东公交站点的建议"]
    assert first.lead_deputy == world.lead and first.field == "urban" and first.created_by == personas.county_staff
    assert set(first.co_signers.values_list("deputy__name", "status")) == {
        ("钱立新", SignStatus.SIGNED),
        ("孙美华", SignStatus.SIGNED),
    }
    bill = rows["关于制定河道保护条例的议案"]
    assert bill.kind == Kind.BILL and bill.draft_resolution == "德清县河道保护条例（草案）"
    assert CoSigner.objects.filter(suggestion=bill, status=SignStatus.SIGNED).count() == 9
    assert list(first.events.values_list("action", flat=True)) == ["create", "invite", "submit"]
    invite = first.events.get(action="invite")
    assert invite.data["signed_on_paper"] == ["钱立新", "孙美华"] and invite.actor == personas.county_staff
    assert "第2行导入（原编号1）" in first.events.get(action="submit").note
    assert list(rows["关于改善农村饮水的建议"].events.values_list("action", flat=True)) == ["create", "submit"]
    # Signatures on paper invite nobody.
    assert not Notification.objects.filter(kind="suggestion.invited").exists()


def test_every_bad_row_is_reported_with_its_row_and_column_and_nothing_is_written(world, personas):
    world.draft(title="关于已有建议的建议")  # a draft of the session with the same title
    rows = [
        (1, "建议", "关于甲的建议", "张无名", "", "", "", "内容甲", ""),
        (2, "建议", "关于乙的建议", "沈建国", "韩退休、杨乡镇", "", "", "内容乙", ""),
        (3, "建议", "关于甲的建议", "沈建国", "沈建国", "", "", "内容丙", ""),
        (3, "建议", "关于丁的建议", "沈建国", "", "交通", "", "", ""),
        (4, "议案", "关于戊的议案", "沈建国", "钱立新", "", "", "内容戊", ""),
        (5, "建议", "关于已有建议的建议", "沈建国", "", "", "", "内容己", ""),
    ]
    with pytest.raises(ImportRejected) as rejected:
        suggestions_import(actor=personas.county_staff, session=world.session, file=sheet(*rows), filename="a.xlsx")
    errors = [(e.row, e.column, e.message) for e in rejected.value.errors]
    assert errors == [
        (2, "领衔代表", "没有名为“张无名”的代表，请核对姓名"),
        (3, "附议代表", "韩退休 不是德清县第17届县级人大的在任代表"),
        (3, "附议代表", "杨乡镇 不是德清县第17届县级人大的在任代表"),
        (4, "标题", "与第2行的标题相同"),
        (4, "附议代表", "“沈建国”是领衔代表，不必再列为附议代表"),
        (5, "编号", "与第4行的建议编号相同"),
        (5, "领域", errors[6][2]),
        (5, "建议内容", "不能为空"),
        (6, "附议代表", "议案须有 10 名以上代表联名（含领衔代表），本行只有 2 名"),
        (6, "议案草案", "议案须附草案或决议建议稿"),
        (7, "标题", "本次会议已有同一标题的建议（草稿），请勿重复导入"),
    ]
    assert errors[6][2].startswith("应为 经济建设/") and errors[6][2].endswith("实为“交通”")
    assert Suggestion.objects.filter(session=world.session).count() == 1
    assert "第2行 领衔代表" in rejected.value.message


def test_the_same_file_imported_again_is_refused_row_by_row(world, personas):
    data = sheet(*good_rows(world))
    suggestions_import(actor=personas.county_staff, session=world.session, file=data, filename="a.xlsx")
    with pytest.raises(ImportRejected) as rejected:
        suggestions_import(actor=personas.county_staff, session=world.session, file=data, filename="a.xlsx")
    messages = {(e.row, e.column) for e in rejected.value.errors}
    assert messages == {(2, "标题"), (2, "编号"), (3, "标题"), (3, "编号"), (4, "标题"), (4, "编号")}
    assert Suggestion.objects.filter(session=world.session).count() == 3


def test_two_serving_deputies_of_one_name_are_told_apart_by_their_number(world, personas, regions):
    from lianxin.suggestions.tests.conftest import _deputy

    twin = _deputy("钱立新", regions)
    rows = [(None, "建议", "关于丙的建议", "钱立新", "", "", "", "内容", "")]
    with pytest.raises(ImportRejected) as rejected:
        suggestions_import(actor=personas.county_staff, session=world.session, file=sheet(*rows), filename="a.xlsx")
    assert "请写成“钱立新（代表编号）”" in rejected.value.errors[0].message
    rows = [(None, "建议", "关于丙的建议", f"钱立新（{twin.pk}）", "", "", "", "内容", "")]
    suggestions_import(actor=personas.county_staff, session=world.session, file=sheet(*rows), filename="a.xlsx")
    assert Suggestion.objects.get(title="关于丙的建议").lead_deputy == twin


def test_only_staff_of_the_sessions_congress_may_import(world, personas):
    data = sheet(*good_rows(world))
    for user in (personas.deputy, personas.unit_handler, personas.outsider):
        with pytest.raises(PermissionDenied):
            suggestions_import(actor=user, session=world.session, file=data, filename="a.xlsx")
    assert not Suggestion.objects.exists()


def test_a_deputy_cannot_record_co_signatures_on_paper(world, personas):
    s = world.draft()
    with pytest.raises(DomainError) as refused:
        world.act(s, "invite", personas.deputy, deputies=[world.others[0].pk], signed_on_paper=True)
    assert refused.value.code == "permission_denied"
    assert not CoSigner.objects.filter(suggestion=s).exists()
    assert not SuggestionEvent.objects.filter(suggestion=s, action="invite").exists()


def test_the_columns_are_those_the_issue_names():
    headers = [c.header for c in SUGGESTION_COLUMNS]
    assert headers[:8] == HEADERS[:8]
    assert [c.header for c in SUGGESTION_COLUMNS if c.required] == ["标题", "领衔代表", "建议内容"]


def test_the_import_runs_as_a_long_job_whose_rejected_rows_are_kept_and_whose_template_has_the_columns(
    world, personas, settings, tmp_path, client
):
    from lianxin.ops.longjobs import job_start, longjobs_run
    from lianxin.ops.models import JobStatus

    settings.PRIVATE_FILES_ROOT = tmp_path / "private"
    bad = sheet((None, "建议", "关于甲的建议", "张无名", "", "", "", "内容", ""))
    job = job_start(actor=personas.county_staff, kind="suggestions_import", params={"session": world.session.pk},
                    upload=("建议.xlsx", bad))  # fmt: skip
    longjobs_run()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.errors == [
        {"row": 2, "column": "领衔代表", "message": "没有名为“张无名”的代表，请核对姓名"}
    ]
    job = job_start(actor=personas.county_staff, kind="suggestions_import", params={"session": world.session.pk},
                    upload=("建议.xlsx", sheet(*good_rows(world))))  # fmt: skip
    longjobs_run()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.message == f"导入完成：{world.session.name}新增 3 件，均已提交待预审"
    assert Suggestion.objects.filter(session=world.session, status=Status.SUBMITTED).count() == 3

    client.force_login(personas.county_staff)
    response = client.get("/office/jobs/new/suggestions_import/template.xlsx")
    assert response.status_code == 200
    template = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in template.active[1]] == HEADERS


def test_an_import_into_a_closed_session_is_refused_on_the_form(world, personas):
    from lianxin.ops.longjobs import job_start

    world.session.is_open = False
    world.session.save()
    with pytest.raises(DomainError) as refused:
        job_start(actor=personas.county_staff, kind="suggestions_import", params={"session": world.session.pk},
                  upload=("建议.xlsx", b"x"))  # fmt: skip
    assert refused.value.code == "session_closed"
