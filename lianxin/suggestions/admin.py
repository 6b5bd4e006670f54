"""Back office for suggestions: the settings a congress's staff keep (sessions, the configurable numbers, the
units' evaluations, awards), scoped to the congress regions they manage (manage_suggestions), every save audited.
Suggestions themselves are read-only here: they move only through the office's pages (workflow.suggestion_transition).
"""

import datetime

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.utils import timezone

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.backoffice.scoped_admin import ScopedModelAdmin
from lianxin.core.errors import DomainError
from lianxin.core.scoping import region_scope_q
from lianxin.suggestions.models import (
    Award,
    AwardStatus,
    Session,
    Suggestion,
    SuggestionEvent,
    SuggestionRouter,
    SuggestionRules,
    UnitAssignment,
    UnitEvaluation,
)
from lianxin.suggestions.services import award_confirm, award_nominate


class SuggestionsAdmin(ScopedModelAdmin):
    """Congress staff (manage_suggestions) over the congress regions in their scope."""

    manage_perm = Perm.MANAGE_SUGGESTIONS
    region_lookup = "region__path"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # These settings rows have no visible_to of their own: the congress's region is their scope.
        queryset = admin.ModelAdmin.get_queryset(self, request)
        return queryset.filter(region_scope_q(request.user, self.region_lookup, Perm.MANAGE_SUGGESTIONS))

    def has_module_permission(self, request) -> bool:
        return may(request.user, Perm.MANAGE_SUGGESTIONS)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may(request, Perm.MANAGE_SUGGESTIONS, obj)


@admin.register(Session)
class SessionAdmin(SuggestionsAdmin):
    region_lookup = "congress_region__path"
    list_display = ["name", "congress_region", "level", "term", "kind", "number", "opens_on", "closes_on", "is_open"]
    list_filter = ["level", "kind", "is_open"]
    search_fields = ["name"]
    list_select_related = ["congress_region"]

    def region_paths(self, obj: Session) -> list[str]:
        return [obj.congress_region.path] if obj.congress_region_id else []


@admin.register(SuggestionRules)
class SuggestionRulesAdmin(SuggestionsAdmin):
    list_display = ["__str__", "bill_min_co_signers", "reply_months", "max_extension_months", "reassign_workdays", "remind_days", "key_per_year"]  # fmt: skip
    list_select_related = ["region"]

    def region_paths(self, obj: SuggestionRules) -> list[str]:
        return [obj.region.path] if obj.region_id else []


@admin.register(UnitEvaluation)
class UnitEvaluationAdmin(SuggestionsAdmin):
    list_display = ["year", "unit", "region", "reported_on", "satisfied", "basic", "unsatisfied", "satisfaction_pct"]
    list_filter = ["year"]
    search_fields = ["unit__name"]
    list_select_related = ["unit", "region"]

    def region_paths(self, obj: UnitEvaluation) -> list[str]:
        return [obj.region.path] if obj.region_id else []

    @admin.display(description="满意率")
    def satisfaction_pct(self, obj: UnitEvaluation) -> str:
        rate = obj.satisfaction
        return "—" if rate is None else f"{rate:.1%}"


@admin.register(Award)
class AwardAdmin(SuggestionsAdmin):
    """A nomination goes through award_nominate (only a rated or closed suggestion), confirmation through
    award_confirm: the status is never typed in."""

    list_display = ["year", "kind", "subject", "region", "status", "decided_on"]
    list_filter = ["year", "kind", "status"]
    list_select_related = ["region", "suggestion", "unit"]
    readonly_fields = ["status", "decided_on"]
    actions = ["confirm_awards"]

    def region_paths(self, obj: Award) -> list[str]:
        return [obj.region.path] if obj.region_id else []

    @admin.display(description="表彰对象")
    def subject(self, obj: Award) -> str:
        return str(obj.suggestion or obj.unit or "—")

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        created = award_nominate(
            actor=request.user,
            region=obj.region,
            year=obj.year,
            kind=obj.kind,
            suggestion=obj.suggestion,
            unit=obj.unit,
            reason=obj.reason,
        )
        obj.pk, obj.status = created.pk, created.status

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.path)

    @admin.action(description="确认表彰所选提名（表彰日期为今天）")
    def confirm_awards(self, request, queryset) -> None:
        done = 0
        today: datetime.date = timezone.localdate()
        for award in queryset.filter(status=AwardStatus.NOMINATED).select_related("region"):
            try:
                award_confirm(actor=request.user, award=award, decided_on=today)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{award}: {exc.message}", level=messages.ERROR)
        self.message_user(request, f"已确认表彰 {done} 项。")


# --- read-only: suggestions move only through the office's pages -------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AssignmentInline(ReadOnlyInline):
    model = UnitAssignment
    fields = ["unit", "role", "is_active", "due_date", "is_overdue", "reply_class", "replied_at", "rating"]


class EventInline(ReadOnlyInline):
    model = SuggestionEvent
    fk_name = "suggestion"
    fields = ["created_at", "action", "from_status", "to_status", "actor_label", "note"]


class ReadOnlyAdmin(SuggestionsAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ["number_label", "title", "session", "kind", "status", "lead_deputy", "is_key", "published_at"]
    list_filter = ["kind", "status", "is_key", "field"]
    search_fields = ["title", "content"]
    list_select_related = ["session", "lead_deputy"]
    inlines = [AssignmentInline, EventInline]

    def region_paths(self, obj: Suggestion) -> list[str]:
        return [obj.region.path]

    @admin.display(description="编号")
    def number_label(self, obj: Suggestion) -> str:
        return obj.number_label


@admin.register(SuggestionRouter)
class SuggestionRouterAdmin(ReadOnlyAdmin):
    """The unit router's models (lianxin train_suggestion_router, or the nightly job): figures only."""

    list_display = ["trained_at", "samples", "unit_count", "accuracy", "training_seconds", "is_active"]
    exclude = ["units", "libraries"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # Trained on every congress's suggestions: not a region's row. Seen by whoever manages suggestions.
        return admin.ModelAdmin.get_queryset(self, request).defer("blob")

    def region_paths(self, obj: SuggestionRouter) -> list[str]:
        return []

    def has_view_permission(self, request, obj=None) -> bool:
        return may(request.user, Perm.MANAGE_SUGGESTIONS)

    @admin.display(description="主办单位数")
    def unit_count(self, obj: SuggestionRouter) -> int:
        return len(obj.units)

    @admin.display(description="留出测试准确率")
    def accuracy(self, obj: SuggestionRouter) -> str:
        value = obj.metrics.get("accuracy")
        return "—" if value is None else f"{value:.1%}"
