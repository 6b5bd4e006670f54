from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from lianxin.accounts.actors import account_of
from lianxin.accounts.models import User
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.backoffice.scoped_admin import ScopedInline, ScopedModelAdmin, rotate_public_codes
from lianxin.backoffice.spreadsheets import ImportMixin, export_action
from lianxin.core.errors import DomainError
from lianxin.core.services import object_save
from lianxin.deputies.imports import (
    deputies_export_xlsx,
    deputies_import,
    duty_shifts_export_xlsx,
    grid_workers_export_xlsx,
    grid_workers_import,
    groups_export_xlsx,
)
from lianxin.deputies.models import (
    Deputy,
    DeputyGroup,
    DutyShift,
    GridAssignment,
    GridWorker,
    GridWorkerPairing,
    GroupGridPairing,
    Household,
    Mandate,
    MentorPairing,
    StandingMemberLink,
)
from lianxin.deputies.selectors import deputy_region_paths as selector_region_paths
from lianxin.deputies.services import can_link_deputy_account, deputy_account_link


class MandateInline(ScopedInline):
    model = Mandate
    fields = ["level", "congress_region", "term", "district_name", "district_region", "status",
              "is_standing_committee", "started_on", "ended_on"]  # fmt: skip
    allow_delete = False


class GridAssignmentInline(ScopedInline):
    model = GridAssignment
    fields = ["grid", "basis"]
    autocomplete_fields = ["grid"]


class WorkerPairingInline(ScopedInline):
    model = GridWorkerPairing
    fields = ["grid_worker"]
    autocomplete_fields = ["grid_worker"]


def deputy_region_paths(deputy: Deputy) -> list[str]:
    """A deputy belongs to the congresses that elected them and to their electoral districts."""
    paths = []
    for mandate in deputy.mandates.all():
        paths.append(mandate.congress_region.path)
        if mandate.district_region is not None:
            paths.append(mandate.district_region.path)
    return paths


@admin.register(Deputy)
class DeputyAdmin(ImportMixin, ScopedModelAdmin):
    importer = staticmethod(deputies_import)
    import_help = "一行一个代表资格：同一身份证号的多行表示同一人在多个层级任职。已有代表按身份证号更新。"
    actions = [rotate_public_codes, export_action(deputies_export_xlsx, "代表", contacts=True)]
    contact_fields = ("id_number", "phone", "address")
    list_display = ["name", "gender", "levels", "occupation", "employer", "phone", "public_code"]
    list_filter = ["mandates__level", "mandates__status", "gender"]
    search_fields = ["name", "occupation", "employer", "phone", "id_number"]
    readonly_fields = ["public_code", "public_url", "account"]
    inlines = [MandateInline, GridAssignmentInline, WorkerPairingInline]
    fieldsets = [
        ("基本信息", {"fields": ["name", "gender", "ethnicity", "birth_date", "political_affiliation", "education"]}),
        ("履职公开信息", {"fields": ["occupation", "employer", "specialties", "bio", "photo"]}),
        ("居住地", {"fields": ["residence_region", "residence_lat", "residence_lng"]}),
        ("联系方式（仅工作人员可见）", {"fields": ["id_number", "phone", "address"]}),
        ("登录账号", {"fields": ["account"]}),
        ("二维码", {"fields": ["public_code", "public_url"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                "mandates__congress_region", "mandates__district_region", "grid_assignments__grid__region"
            )
        )

    def contact_paths(self, obj):
        # The API's rule (deputies.selectors): the congress, the electoral district or a grid of the deputy.
        return selector_region_paths(obj)

    def region_paths(self, obj):
        return deputy_region_paths(obj) if obj.pk else []

    def has_change_permission(self, request, obj=None) -> bool:
        # A new deputy has no mandate yet: any manager may create one, and the mandate inline fixes the region.
        if obj is not None and obj.pk and not obj.mandates.exists():
            return may(request.user, Perm.MANAGE_REGISTRY)
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if obj.pk is None:  # no mandate yet, so no region to check; the mandate inline's choices are scoped
            fields = [f.name for f in obj._meta.concrete_fields]
            object_save(actor=request.user, obj=obj, before={}, fields=fields)
            return
        super().save_model(request, obj, form, change)

    # --- the login account: its own page and permission (deputies.services.deputy_account_link) ----------
    @admin.display(description="登录账号")
    def account(self, obj) -> str:
        name = obj.user.username if obj.pk and obj.user_id else "（未关联）"
        if not obj.pk:
            return name
        url = reverse("admin:deputies_deputy_account", args=[obj.pk])
        return format_html('{} · <a href="{}">关联或解除</a>', name, url)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.account_view)
        return [path("<int:object_id>/account/", view, name="deputies_deputy_account"), *super().get_urls()]

    def account_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        deputy = self.get_object(request, str(object_id))  # 404 outside the scope
        if not can_link_deputy_account(request.user, deputy):
            raise PermissionDenied
        form = AccountLinkForm(request.POST or None, initial={"username": deputy.user.username if deputy.user else ""})
        error = ""
        if request.method == "POST" and form.is_valid():
            username = form.cleaned_data["username"].strip()
            account = User.objects.filter(username=username).first() if username else None
            try:
                if username and account is None:
                    raise DomainError("account_not_found", "登录账号: 没有这个账号", field="user")
                deputy_account_link(actor=account_of(request), deputy=deputy, account=account)
            except DomainError as exc:
                error = exc.message
            else:
                messages.success(request, f"已{'关联' if account else '解除'}登录账号")
                return HttpResponseRedirect(reverse("admin:deputies_deputy_change", args=[deputy.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{deputy}的登录账号",
            "deputy": deputy,
            "form": form,
            "error": error,
        }
        return TemplateResponse(request, "admin/deputies/deputy_account.html", context)

    @admin.display(description="层级")
    def levels(self, obj) -> str:
        return "、".join(m.get_level_display() for m in obj.mandates.all())

    @admin.display(description="公开地址")
    def public_url(self, obj) -> str:
        return obj.public_url if obj.pk else "—"


class AccountLinkForm(forms.Form):
    username = forms.CharField(label="账号用户名", required=False, help_text="留空表示解除关联")


@admin.register(DeputyGroup)
class DeputyGroupAdmin(ScopedModelAdmin):
    actions = [export_action(groups_export_xlsx, "代表小组", contacts=True)]
    contact_fields = ("liaison_phone",)
    list_display = ["name", "kind", "region", "leader", "liaison_name", "place"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["region", "leader", "place"]
    autocomplete_fields = ["leader", "members", "place"]


@admin.register(GridWorker)
class GridWorkerAdmin(ImportMixin, ScopedModelAdmin):
    importer = staticmethod(grid_workers_import)
    import_help = "“结对代表身份证号”可填多个，用顿号分隔；已有网格员按网格和手机号更新。"
    actions = [export_action(grid_workers_export_xlsx, "网格员", contacts=True)]
    contact_fields = ("id_number", "phone")
    list_display = ["name", "grid", "phone", "is_active"]
    ordering = ["name_stroke_key", "pk"]  # 姓氏笔画 (lianxin.core.collation), as the deputies' list
    list_filter = ["is_active"]
    search_fields = ["name", "phone", "grid__name", "grid__code"]
    list_select_related = ["grid__region"]
    autocomplete_fields = ["grid"]
    inlines = [WorkerPairingInline]

    def region_paths(self, obj):
        return [obj.grid.region.path]


class PairingAdmin(ScopedModelAdmin):
    allow_delete = True


@admin.register(GridWorkerPairing)
class GridWorkerPairingAdmin(PairingAdmin):
    list_display = ["deputy", "grid_worker"]
    autocomplete_fields = ["deputy", "grid_worker"]
    search_fields = ["deputy__name", "grid_worker__name"]

    def region_paths(self, obj):
        return [obj.grid_worker.grid.region.path]


@admin.register(MentorPairing)
class MentorPairingAdmin(PairingAdmin):
    list_display = ["upper", "lower"]
    autocomplete_fields = ["upper", "lower"]
    search_fields = ["upper__name", "lower__name"]

    def region_paths(self, obj):
        return deputy_region_paths(obj.lower)


@admin.register(GroupGridPairing)
class GroupGridPairingAdmin(PairingAdmin):
    list_display = ["group", "grid"]
    autocomplete_fields = ["group", "grid"]
    search_fields = ["group__name", "grid__name"]

    def region_paths(self, obj):
        return [obj.grid.region.path]


@admin.register(Household)
class HouseholdAdmin(PairingAdmin):
    list_display = ["head_name", "address", "members", "grid"]
    search_fields = ["head_name", "address"]
    contact_fields = ("address", "phone")
    list_select_related = ["grid__region"]
    autocomplete_fields = ["grid", "deputies"]

    def region_paths(self, obj):
        return [obj.grid.region.path]


@admin.register(StandingMemberLink)
class StandingMemberLinkAdmin(PairingAdmin):
    list_display = ["member", "deputy", "place", "household"]
    autocomplete_fields = ["member", "deputy", "place", "household"]
    search_fields = ["member__name"]

    def region_paths(self, obj):
        return deputy_region_paths(obj.member)


@admin.register(DutyShift)
class DutyShiftAdmin(PairingAdmin):
    actions = [export_action(duty_shifts_export_xlsx, "接待排班")]
    manage_perm = Perm.MANAGE_ROSTER
    list_display = ["date", "start_time", "end_time", "place", "deputy", "note"]
    list_filter = ["date", "place__kind"]
    search_fields = ["place__name", "deputy__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["place", "deputy"]
    list_select_related = ["place", "deputy"]

    def region_paths(self, obj):
        return [obj.place.region.path]
