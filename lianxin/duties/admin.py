"""Back office for duty performance: the settings staff keep — the frequency rules (for the whole deployment, so
changed only by administrators from the county up, like the case categories) and a congress's scoring items
(scoped to the congress regions where the user holds manage_duties) — every save audited. Activities, attendance,
scores, honours and funds are read-only here: they change only through the services (the office's 代表履职
pages and the phone), which check and audit each step."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.backoffice.scoped_admin import PlatformSettingAdmin, ScopedModelAdmin
from lianxin.core.scoping import region_scope_q
from lianxin.deputies.models import Deputy
from lianxin.duties.models import (
    Activity,
    ActivityKind,
    Attendance,
    FrequencyRule,
    FundAllocation,
    FundEntry,
    Honour,
    MeetingPoint,
    ScoreEntry,
    ScoreItem,
)
from lianxin.venues.models import PlaceKind


class KindsField(forms.MultipleChoiceField):
    """The JSON list of activity kinds as check boxes (an empty list means the model's default)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        kwargs.pop("max_length", None)
        super().__init__(choices=ActivityKind.choices, required=False, widget=forms.CheckboxSelectMultiple, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, list) else []


class FrequencyRuleForm(forms.ModelForm):
    kinds = KindsField(
        label="计入的活动类型", help_text="不选为基层活动（进站接待、走访、网格议事、恳谈、调解、述职等）"
    )
    place_kind = forms.ChoiceField(
        label="家站室类型",
        required=False,
        choices=[("", "各类"), *PlaceKind.choices],
        help_text="对象为家站室时可限定类型",
    )

    class Meta:
        model = FrequencyRule
        fields = [
            "name", "subject", "level", "place_kind", "kinds", "period", "minimum", "directly_elected_only",
            "remind_days", "is_active",
        ]  # fmt: skip


@admin.register(FrequencyRule)
class FrequencyRuleAdmin(PlatformSettingAdmin):
    """One set of rules for the deployment: seen by staff who organise duties, changed by administrators."""

    form = FrequencyRuleForm
    view_perm = Perm.MANAGE_DUTIES
    list_display = [
        "name",
        "subject",
        "level",
        "period",
        "minimum",
        "directly_elected_only",
        "remind_days",
        "is_active",
    ]
    list_filter = ["subject", "level", "period", "is_active"]


class DutiesAdmin(ScopedModelAdmin):
    """Staff holding manage_duties over the congress or activity's region."""

    manage_perm = Perm.MANAGE_DUTIES
    region_lookup = "region__path"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        return queryset.filter(region_scope_q(request.user, self.region_lookup, Perm.MANAGE_DUTIES))

    def has_module_permission(self, request) -> bool:
        return may(request.user, Perm.MANAGE_DUTIES)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may(request, Perm.MANAGE_DUTIES, obj)


class ScoreItemForm(forms.ModelForm):
    kinds = KindsField(label="计入的活动类型", help_text="按活动出席计分时可限定类型，不选为全部类型")

    class Meta:
        model = ScoreItem
        fields = ["region", "level", "year", "position", "name", "source", "kinds", "points_each", "max_points"]


@admin.register(ScoreItem)
class ScoreItemAdmin(DutiesAdmin):
    """A congress's items (记工分) for a year; the points are computed or confirmed in the office (履职积分)."""

    form = ScoreItemForm
    list_display = ["year", "region", "level", "position", "name", "source", "points_each", "max_points"]
    list_filter = ["year", "level", "source"]
    list_select_related = ["region"]
    search_fields = ["name"]
    ordering = ["-year", "region__path", "level", "position"]


# --- read-only: these change through the services only -----------------------------------------------------------


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AttendanceInline(ReadOnlyMixin, admin.TabularInline):
    model = Attendance
    extra = 0
    can_delete = False
    fields = ["deputy", "invited", "status", "signed_in_at", "method", "reason", "decided_at"]


class PointInline(ReadOnlyMixin, admin.TabularInline):
    model = MeetingPoint
    extra = 0
    can_delete = False
    fields = ["raised_by", "raised_by_name", "counterpart", "text", "handling", "case", "suggestion"]


@admin.register(Activity)
class ActivityAdmin(ReadOnlyMixin, DutiesAdmin):
    list_display = ["starts_at", "kind", "title", "region", "place", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    list_select_related = ["region", "place"]
    date_hierarchy = "starts_at"
    exclude = ["signin_code"]
    inlines = [AttendanceInline, PointInline]


@admin.register(ScoreEntry)
class ScoreEntryAdmin(ReadOnlyMixin, DutiesAdmin):
    region_lookup = "item__region__path"
    list_display = ["deputy", "item", "claimed", "status", "confirmed", "note", "updated_at"]
    list_filter = ["status", "item__year"]
    list_select_related = ["deputy", "item"]

    def region_paths(self, obj: ScoreEntry) -> list[str]:
        return [obj.item.region.path]


@admin.register(Honour)
class HonourAdmin(ReadOnlyMixin, DutiesAdmin):
    list_display = ["year", "region", "rank", "deputy", "score", "title", "status", "decided_at"]
    list_filter = ["year", "status"]
    list_select_related = ["region", "deputy"]


class DeputyFundsAdmin(ReadOnlyMixin, DutiesAdmin):
    """Funds belong to a deputy: in scope when the deputy is (their congress, district or grid)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if not may(request.user, Perm.MANAGE_DUTIES):
            return queryset.none()
        return queryset.filter(deputy__in=Deputy.objects.visible_to(request.user).values("id"))

    def has_view_permission(self, request, obj=None) -> bool:
        return may(request.user, Perm.MANAGE_DUTIES)

    def region_paths(self, obj: Any) -> list[str]:
        return []


@admin.register(FundAllocation)
class FundAllocationAdmin(DeputyFundsAdmin):
    list_display = ["year", "deputy", "amount"]
    list_filter = ["year"]
    list_select_related = ["deputy"]


@admin.register(FundEntry)
class FundEntryAdmin(DeputyFundsAdmin):
    list_display = ["spent_on", "deputy", "amount", "purpose", "recorded_at"]
    list_select_related = ["deputy"]
    date_hierarchy = "spent_on"
