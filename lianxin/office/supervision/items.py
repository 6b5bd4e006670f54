"""年度监督事项 pages: the list (by year and status), a new item with its groups, and the item's page with its record
and the actions its status allows."""

import datetime
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lianxin.accounts.roles import Perm
from lianxin.cases.models import ResponsibleUnit
from lianxin.core.errors import DomainError
from lianxin.core.scoping import region_scope_q
from lianxin.deputies.models import DeputyGroup, GroupKind
from lianxin.office.supervision.common import (
    congresses,
    get_or_404,
    parse_date,
    parse_datetime,
    pick,
    refused,
    staff,
    supervision_required,
    tabs,
)
from lianxin.projects.models import Project
from lianxin.supervision import services
from lianxin.supervision.models import ItemStatus, RecordKind, Stage, SubjectKind, SupervisionItem
from lianxin.supervision.selectors import item_events, item_groups, item_records

PAGE_SIZE = 100


def _managed(user: Any) -> Any:
    return SupervisionItem.objects.filter(region_scope_q(user, "region__path", Perm.MANAGE_SUPERVISION)).select_related(
        "region", "unit", "project"
    )


@supervision_required
def item_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    rows = _managed(request.user).filter(year=year)
    by_status = {r["status"]: r["n"] for r in rows.values("status").annotate(n=Count("id")).order_by()}
    status = request.GET.get("status", "")
    if status in ItemStatus.values:
        rows = rows.filter(status=status)
    context = {
        "tabs": tabs(request),
        "year": year,
        "years": list(range(today.year + 1, today.year - 5, -1)),
        "status": status,
        "counts": [{"status": v, "label": lbl, "n": by_status.get(v, 0)} for v, lbl in ItemStatus.choices],
        "total": sum(by_status.values()),
        "rows": rows.order_by("starts_on", "id")[:PAGE_SIZE],
        "today": today,
    }
    return render(request, "office/supervision/items.html", context)


def _units(user: Any) -> Any:
    scope = region_scope_q(user, "region__path", Perm.MANAGE_SUPERVISION)
    return ResponsibleUnit.objects.filter(scope, is_active=True).order_by("region__path", "name")


def _projects(user: Any) -> Any:
    return Project.objects.filter(region_scope_q(user, "region__path", Perm.MANAGE_SUPERVISION)).order_by(
        "-year", "number"
    )


def _form_choices(user: Any) -> dict[str, Any]:
    groups = DeputyGroup.objects.filter(kind=GroupKind.SUPERVISION).filter(
        region_scope_q(user, "region__path", Perm.MANAGE_SUPERVISION)
    )
    return {
        "regions": list(congresses(user)[:200]),
        "units": _units(user)[:500],
        "groups": groups.select_related("region").annotate(n=Count("members")).order_by("region__path", "name")[:500],
        "projects": _projects(user)[:200],
        "kinds": SubjectKind.choices,
    }


@supervision_required
def item_new(request: HttpRequest) -> HttpResponse:
    choices = _form_choices(request.user)
    values: dict[str, Any] = {"year": timezone.localdate().year}
    if request.method == "POST":
        data = request.POST
        values = {
            k: data.get(k, "")
            for k in (
                "region",
                "year",
                "title",
                "subject_kind",
                "unit",
                "law_name",
                "project",
                "plan",
                "starts_on",
                "ends_on",
                "lead_group",
            )
        }
        values["groups"] = [int(g) for g in data.getlist("groups") if g.isdigit()]
        try:
            region = pick(congresses(request.user), data.get("region"), "region", "人大（区划）")
            unit = pick(_units(request.user), data["unit"], "unit", "被监督部门") if data.get("unit") else None
            project = (
                pick(_projects(request.user), data["project"], "project", "民生实事项目")
                if data.get("project")
                else None
            )
            group_rows = list(DeputyGroup.objects.filter(pk__in=values["groups"]).select_related("region"))
            lead = next((g for g in group_rows if str(g.pk) == data.get("lead_group")), None)
            try:
                year = int(data.get("year", ""))
            except ValueError:
                raise DomainError("field_invalid", "年度: 应为四位年份", field="year") from None
            item = services.item_create(
                actor=staff(request),
                region=region,
                year=year,
                title=data.get("title", ""),
                subject_kind=data.get("subject_kind", ""),
                unit=unit,
                law_name=data.get("law_name", ""),
                project=project,
                plan=data.get("plan", ""),
                starts_on=parse_date(data.get("starts_on", ""), "starts_on", "开始日期"),
                ends_on=parse_date(data.get("ends_on", ""), "ends_on", "结束日期"),
                groups=group_rows,
                lead_group=lead,
            )
        except DomainError as exc:
            refused(request, exc)
        else:
            messages.success(request, f"已新建监督事项“{item.title}”")
            return redirect("office:supervision_item", item.pk)
    return render(request, "office/supervision/item_new.html", {"tabs": tabs(request), "values": values, **choices})


def _item_or_404(request: HttpRequest, pk: int) -> SupervisionItem:
    item: SupervisionItem = get_or_404(_managed(request.user), pk)
    return item


@supervision_required
def item_page(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item_or_404(request, pk)
    records = list(item_records(item=item))
    stages = [
        {"value": value, "label": label, "records": [r for r in records if r.stage == value]}
        for value, label in Stage.choices
    ]
    now = timezone.localtime()
    context = {
        "tabs": tabs(request),
        "item": item,
        "groups": list(item_groups(item=item).annotate(n=Count("group__members"))),
        "members": len(services.item_member_ids(item)),
        "voted": item.voters.count(),
        "stages": stages,
        "events": list(item_events(item=item)),
        "result": services.evaluation_result(item),
        "record_kinds": [
            (RecordKind.FINDING, "发现问题"),
            (RecordKind.PLAN, "工作方案（修改）"),
            (RecordKind.NOTE, "其他记录"),
        ],
        "default_start": (now + datetime.timedelta(days=7)).strftime("%Y-%m-%dT09:00"),
        "default_end": (now + datetime.timedelta(days=7)).strftime("%Y-%m-%dT11:30"),
        "default_due": (now.date() + datetime.timedelta(days=60)).isoformat(),
    }
    return render(request, "office/supervision/item.html", context)


@require_POST
@supervision_required
def item_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = _item_or_404(request, pk)
    data = request.POST
    done = {
        "record": "已记录",
        "inspection": "已安排，受邀代表可扫码签到",
        "opinions": "审议意见已送达被监督部门",
        "report": "整改报告已登记",
        "eval_open": "满意度测评已开始，已通知监督组成员",
        "eval_close": "满意度测评已结束",
        "paper": "纸质票已计入",
    }
    if action not in done:
        raise Http404("没有这一操作")
    try:
        if action == "record":
            services.item_record_add(
                actor=staff(request), item=item, kind=data.get("kind", ""), text=data.get("text", "")
            )
        elif action == "inspection":
            services.item_inspection_schedule(
                actor=staff(request),
                item=item,
                kind=data.get("kind", ""),
                title=data.get("title", ""),
                starts_at=parse_datetime(data.get("starts_at", ""), "starts_at", "开始时间"),
                ends_at=parse_datetime(data.get("ends_at", ""), "ends_at", "结束时间"),
                location=data.get("location", ""),
            )
        elif action == "opinions":
            services.item_opinions_send(
                actor=staff(request),
                item=item,
                opinions=data.get("opinions", ""),
                report_due=parse_date(data.get("report_due", ""), "report_due", "整改报告期限"),
            )
        elif action == "report":
            item = services.item_report_submit(actor=staff(request), item=item, report=data.get("report", ""))
            if item.report_late:
                done["report"] = "整改报告已登记（已过期限，标记为迟交）"
        elif action == "eval_open":
            services.item_evaluation_open(actor=staff(request), item=item)
        elif action == "eval_close":
            services.item_evaluation_close(actor=staff(request), item=item)
        elif action == "paper":
            counts = {}
            for name in ("satisfied", "basic", "unsatisfied"):
                value = (data.get(name) or "0").strip()
                if not value.isdigit():
                    raise DomainError("field_invalid", "纸质票数: 应为不小于 0 的整数", field=name)
                counts[name] = int(value)
            services.item_paper_votes_add(actor=staff(request), item=item, **counts)
    except DomainError as exc:
        refused(request, exc)
    else:
        messages.success(request, done[action])
    return redirect("office:supervision_item", item.pk)
