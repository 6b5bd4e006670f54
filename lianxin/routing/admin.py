"""Back office: the manual triage queue (分办建议: the router's proposal and confidence, accept or correct),
the router's versions (read-only), and the common-problem candidates of the user's region with a one-action merge.
Every write goes through lianxin.routing.services."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from lianxin.accounts.actors import account_of
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.backoffice.scoped_admin import ScopedModelAdmin
from lianxin.cases.models import Case, Category, ResponsibleUnit
from lianxin.core.errors import DomainError
from lianxin.routing.models import Proposal, ProposalStatus, RouterVersion
from lianxin.routing.selectors import hotspot_candidates, router_unavailable
from lianxin.routing.services import hotspot_merge, proposal_decide


class DecideForm(forms.ModelForm):
    final_category = forms.ModelChoiceField(Category.objects.filter(is_active=True), label="确定类别")
    final_unit = forms.ModelChoiceField(ResponsibleUnit.objects.none(), label="确定承办单位", required=False)

    class Meta:
        model = Proposal
        fields = ["final_category", "final_unit"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        proposal = self.instance
        if proposal.pk:
            self.initial.setdefault("final_category", proposal.final_category_id or proposal.category_id)
            self.initial.setdefault("final_unit", proposal.final_unit_id or proposal.unit_id)
            units = ResponsibleUnit.objects.filter(
                is_active=True, serves__path__in=_ancestors(proposal.case.region.path)
            )
            self.fields["final_unit"].queryset = units.distinct()  # type: ignore[attr-defined]


def _ancestors(path: str) -> list[str]:
    codes = [c for c in path.split("/") if c]
    return ["".join(f"{c}/" for c in codes[: i + 1]) for i in range(len(codes))]


def warn_router_unavailable(request: HttpRequest) -> None:
    """The banner staff see on the triage queue and the versions while the active model cannot be read."""
    broken = router_unavailable()
    if broken is not None:
        messages.warning(
            request,
            f"分办模型 {broken} 无法读取（{broken.load_error}）：新意见建议暂转人工分办，"
            "后台任务正用平台已确定类别的意见建议重新训练。",
        )


@admin.register(Proposal)
class ProposalAdmin(ScopedModelAdmin):
    manage_perm = Perm.HANDLE_CASES
    form = DecideForm
    list_display = ["case_link", "case_title", "category", "confidence_pct", "unit", "status", "router", "created_at"]
    list_filter = ["status", "category", "router"]
    search_fields = ["case__receipt_code", "case__title"]
    list_select_related = ["case", "category", "unit", "router"]
    readonly_fields = ["case_link", "case_title", "case_body", "category", "confidence_pct", "ranking_text", "unit", "router", "status", "decided_by", "decided_at"]  # fmt: skip
    fieldsets = [
        ("意见建议", {"fields": ["case_link", "case_title", "case_body"]}),
        ("模型建议", {"fields": ["router", "category", "confidence_pct", "ranking_text", "unit", "status"]}),
        ("人工分办（接受建议或更正）", {"fields": ["final_category", "final_unit", "decided_by", "decided_at"]}),
    ]
    actions = ["accept_proposals"]

    def changelist_view(self, request, extra_context=None):
        warn_router_unavailable(request)
        return super().changelist_view(request, extra_context)

    def region_paths(self, obj: Proposal) -> list[str]:
        return [obj.case.region.path]

    def has_module_permission(self, request) -> bool:
        return may(request.user, Perm.HANDLE_CASES)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may(request, Perm.HANDLE_CASES, obj)

    def has_add_permission(self, request) -> bool:
        return False  # proposals come from the router

    def get_changelist(self, request, **kwargs):
        # The queue first: without a filter the page opens on what waits for a clerk.
        if "status__exact" not in request.GET and request.method == "GET" and not request.GET.get("q"):
            request.GET = request.GET.copy()
            request.GET["status__exact"] = ProposalStatus.TRIAGE
        return super().get_changelist(request, **kwargs)

    @admin.display(description="查询码")
    def case_link(self, obj: Proposal) -> str:
        return obj.case.receipt_code

    @admin.display(description="标题")
    def case_title(self, obj: Proposal) -> str:
        return obj.case.title

    @admin.display(description="内容")
    def case_body(self, obj: Proposal) -> str:
        return obj.case.body

    @admin.display(description="置信度", ordering="confidence")
    def confidence_pct(self, obj: Proposal) -> str:
        return f"{obj.confidence:.0%}" if obj.router_id else "—（尚无模型）"

    @admin.display(description="候选类别")
    def ranking_text(self, obj: Proposal) -> str:
        names = {c.code: c.name for c in Category.objects.all()}
        return "；".join(f"{names.get(code, code)} {score:.0%}" for code, score in obj.ranking) or "—"

    def save_model(self, request, obj, form, change):
        proposal_decide(
            actor=request.user,
            proposal=Proposal.objects.select_related("case", "case__region").get(pk=obj.pk),
            category=form.cleaned_data["final_category"],
            unit=form.cleaned_data.get("final_unit"),
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.path)

    @admin.action(description="接受所选建议（按建议类别受理）")
    def accept_proposals(self, request, queryset) -> None:
        done = 0
        for proposal in queryset.select_related("case", "case__region", "category", "unit"):
            if proposal.category is None or proposal.status not in (ProposalStatus.TRIAGE, ProposalStatus.AUTO):
                continue
            try:
                proposal_decide(actor=request.user, proposal=proposal, category=proposal.category, unit=proposal.unit)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{proposal.case.receipt_code}: {exc.message}", level=messages.ERROR)
        self.message_user(request, f"已接受 {done} 条分办建议。")

    # --- common problems ----------------------------------------------------------------------------------
    def get_urls(self):
        extra = [path("hotspots/", self.admin_site.admin_view(self.hotspots_view), name="routing_hotspots")]
        return extra + super().get_urls()

    def hotspots_view(self, request: HttpRequest):
        if not may(request.user, Perm.HANDLE_CASES):
            raise DjangoPermissionDenied("您不能合并普遍问题")
        if request.method == "POST":
            ids = [int(i) for i in request.POST.getlist("cases") if i.isdigit()]
            master_id = request.POST.get("master", "")
            visible = Case.objects.visible_to(request.user).select_related("region", "category")
            master = visible.filter(pk=int(master_id)).first() if master_id.isdigit() else None
            cases = list(visible.filter(pk__in=ids))
            if master is None:
                self.message_user(request, "请选择普遍问题主件", level=messages.ERROR)
            else:
                try:
                    merged = hotspot_merge(actor=account_of(request), master=master, cases=cases)
                    self.message_user(request, f"已将 {len(merged)} 件并入普遍问题主件 {master.receipt_code}")
                except DomainError as exc:
                    self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(reverse("admin:routing_hotspots"))
        context = {
            **self.admin_site.each_context(request),
            "title": "普遍问题候选（本辖区）",
            "candidates": hotspot_candidates(user=request.user),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/routing/hotspots.html", context)


@admin.register(RouterVersion)
class RouterVersionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "trained_at", "source", "samples", "threshold", "macro_f1", "size", "is_active", "readable"]  # fmt: skip
    exclude = ["blob"]
    readonly_fields = ["number", "trained_at", "trained_by", "source", "samples", "classes", "threshold", "metrics", "training_seconds", "size", "libraries", "is_active", "load_error"]  # fmt: skip

    def changelist_view(self, request, extra_context=None):
        warn_router_unavailable(request)
        return super().changelist_view(request, extra_context)

    @admin.display(description="可读取", boolean=True)
    def readable(self, obj: RouterVersion) -> bool:
        return not obj.load_error

    def get_queryset(self, request):
        return super().get_queryset(request).defer("blob")

    @admin.display(description="宏平均F1（留出集）")
    def macro_f1(self, obj: RouterVersion) -> str:
        value = obj.metrics.get("macro_f1")
        return f"{value:.3f}" if isinstance(value, int | float) else "—"

    def has_module_permission(self, request) -> bool:
        return may(request.user, Perm.HANDLE_CASES)

    def has_view_permission(self, request, obj=None) -> bool:
        return may(request.user, Perm.HANDLE_CASES)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
