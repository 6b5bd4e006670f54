"""The closed loop in the back office: a scoped list of cases (the working ledger), registration on a person's
behalf, and on each case a read-only page with its timeline and photos that links to the office's case page, where
the case is handled (lianxin/office/case_page.py). Every change goes through lianxin.cases.services / workflow;
the admin's own save never writes a case."""

import json

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import URLPattern, path, reverse

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.backoffice.scoped_admin import PlatformSettingAdmin, ScopedModelAdmin
from lianxin.cases.intake.draft import CaseDraft
from lianxin.cases.intake.queue import PERSONAL_FIELDS, submission_requeue
from lianxin.cases.models import (
    Case,
    CaseEvent,
    Category,
    DeadlinePolicy,
    ReceptionSession,
    ReplyVia,
    ResponsibleUnit,
    Status,
    Submission,
    SubmissionStatus,
    Urgency,
)
from lianxin.cases.photos import attachment_response
from lianxin.cases.selectors import attachment_get_visible_to, attachments_visible_to
from lianxin.cases.services import case_register
from lianxin.cases.workflow import Action
from lianxin.core.errors import DomainError, NotFound


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ("created_at", "action_label", "from_label", "to_label", "actor_label", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "办理过程"

    @admin.display(description="操作")
    def action_label(self, obj: CaseEvent) -> str:
        return (
            Action(obj.action).label
            if obj.action in Action.values
            else {"register": "登记"}.get(obj.action, obj.action)
        )

    @admin.display(description="原状态")
    def from_label(self, obj: CaseEvent) -> str:
        return Status(obj.from_status).label if obj.from_status else ""

    @admin.display(description="新状态")
    def to_label(self, obj: CaseEvent) -> str:
        return Status(obj.to_status).label if obj.to_status else ""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return True


class RegisterForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = [
            "channel", "region", "place", "deputy", "grid", "category", "title", "body", "address",
            "person_name", "person_phone", "is_anonymous", "reply_via", "people_count", "urgency",
        ]  # fmt: skip

    # Empty: the text's first line, as on every channel (lianxin.cases.intake.rules.title_from_text).
    title = forms.CharField(label="标题", max_length=100, required=False)
    # Unset: as every channel decides it (lianxin.cases.intake.rules.reply_preference), from the contact given.
    reply_via = forms.ChoiceField(label="回复方式", choices=[("", "按联系方式确定"), *ReplyVia.choices], required=False)


@admin.register(Case)
class CaseAdmin(ScopedModelAdmin):
    manage_perm = Perm.HANDLE_CASES
    change_form_template = "admin/cases/case_change_form.html"
    list_display = ["receipt_code", "title", "channel", "status", "region", "category", "unit", "reply_due", "is_overdue", "registered_at"]  # fmt: skip
    list_filter = ["status", "channel", "category", "urgency", "scope", "is_overdue", "is_supervised", "handling"]
    search_fields = ["receipt_code", "title", "body", "external_id"]
    list_select_related = ["region", "category", "unit"]
    date_hierarchy = "registered_at"
    inlines = [CaseEventInline]
    add_form = RegisterForm

    def has_module_permission(self, request) -> bool:
        return may(request.user, Perm.HANDLE_CASES) or may(request.user, Perm.REPLY_AS_UNIT)

    # --- the citizen's photos: served only to users who can see the case (never a public /media/ URL) ---------
    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.attachment_view)
        route = "<int:case_id>/attachment/<int:attachment_id>/"
        return [path(route, view, name="cases_case_attachment"), *super().get_urls()]

    def attachment_view(self, request, case_id: int, attachment_id: int) -> HttpResponseBase:
        if not self.has_module_permission(request):
            raise Http404
        try:
            attachment = attachment_get_visible_to(user=request.user, case_id=case_id, attachment_id=attachment_id)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        return attachment_response(attachment, thumb="thumb" in request.GET)

    def has_view_permission(self, request, obj=None) -> bool:
        # get_queryset already limits what exists for the user (region, unit).
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # fields never change by form; the office's case page drives the workflow

    def has_add_permission(self, request) -> bool:
        return may(request.user, Perm.HANDLE_CASES)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = RegisterForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return RegisterForm.Meta.fields
        return [
            "receipt_code", "status", "channel", "region", "place", "deputy", "grid", "address", "category",
            "scope", "urgency", "handling", "title", "body", "person_name", "person_phone", "reply_via",
            "unit", "reply_due", "is_overdue", "is_supervised", "reply", "rating", "rating_comment", "master",
            "registered_at", "accepted_at", "transferred_at", "replied_at", "fed_back_at", "closed_at",
        ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        draft = CaseDraft(
            channel=data["channel"],
            title=data["title"],
            body=data["body"],
            region=data.get("region"),
            place=data.get("place"),
            deputy=data.get("deputy"),
            grid=data.get("grid"),
            category=data.get("category"),
            address=data.get("address") or "",
            person_name=data.get("person_name") or "",
            person_phone=data.get("person_phone") or "",
            is_anonymous=data.get("is_anonymous") or False,
            reply_via=data.get("reply_via") or None,
            people_count=data.get("people_count") or 1,
            urgency=data.get("urgency") or Urgency.NORMAL,
        )
        registration = case_register(actor=request.user, draft=draft)
        # The admin redirects to the new object's page and names it in its message.
        obj.pk, obj.receipt_code = registration.case.pk, registration.case.receipt_code

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except DomainError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.path)

    def save_related(self, request, form, formsets, change):
        pass  # the case and its first event were written by case_register

    def log_addition(self, request, obj, message):
        pass  # audited as the case's "register" event

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Read-only here: a case is handled on the office's case page (one form per action, lianxin/office/
        # case_page.py), which this page links to. A POST is refused by the admin itself (no change permission).
        context = dict(extra_context or {})
        case = self.get_object(request, object_id)
        if case is not None:
            context["office_url"] = reverse("office:case", args=[case.pk])
            context["attachments"] = attachments_visible_to(user=request.user, case_id=case.pk)
        return super().change_view(request, object_id, form_url, context)


@admin.register(Category)
class CategoryAdmin(PlatformSettingAdmin):
    """Categories and deadline policies hold for every case of the deployment: changed only by administrators
    from the county up, each change audited with old → new (backoffice.scoped_admin.PlatformSettingAdmin)."""

    view_perm = Perm.HANDLE_CASES
    list_display = ["code", "name", "description", "sort", "is_active"]
    search_fields = ["code", "name"]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(CategoryAdmin):
    list_display = ["category", "urgency", "accept_days", "transfer_days", "reply_days", "feedback_days"]
    search_fields = []


@admin.register(ResponsibleUnit)
class ResponsibleUnitAdmin(ScopedModelAdmin):
    manage_perm = Perm.SUPERVISE_CASES
    list_display = ["name", "region", "contact_name", "contact_phone", "is_active"]
    search_fields = ["name"]
    filter_horizontal = ["categories", "serves", "handlers"]
    autocomplete_fields = []

    def has_module_permission(self, request) -> bool:
        return may(request.user, Perm.HANDLE_CASES)

    def has_view_permission(self, request, obj=None) -> bool:
        return may(request.user, Perm.HANDLE_CASES)


@admin.register(ReceptionSession)
class ReceptionSessionAdmin(ScopedModelAdmin):
    manage_perm = Perm.HANDLE_CASES
    list_display = ["started_at", "kind", "deputy", "place", "region", "people_received", "ended_at"]
    list_filter = ["kind"]
    readonly_fields = ["kind", "deputy", "place", "region", "location", "started_at", "ended_at", "people_received", "note"]  # fmt: skip

    def has_module_permission(self, request) -> bool:
        return may(request.user, Perm.HANDLE_CASES)

    def has_view_permission(self, request, obj=None) -> bool:
        return may(request.user, Perm.HANDLE_CASES)

    def has_add_permission(self, request) -> bool:
        return False  # sessions are started from the deputy workbench / API (services.reception_start)

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Submission)
class SubmissionAdmin(ScopedModelAdmin):
    """API submissions: what is still queued, what became which case, and why one was rejected or failed.
    Read-only: the worker registers them (lianxin/cases/intake/queue.py); a failed one (an unexpected error, set aside
    so the queue goes on) is re-queued with the "重新排队登记" action once its cause is fixed."""

    list_display = ["receipt_code", "received_at", "status", "region", "submitted_by", "case", "error_message"]
    list_filter = ["status"]
    search_fields = ["receipt_code"]
    date_hierarchy = "received_at"
    fields = ("receipt_code", "received_at", "status", "region", "submitted_by", "case", "payload", "error_code", "error_field", "error_message", "processed_at")  # fmt: skip
    readonly_fields = fields
    actions = ["requeue_failed"]

    @admin.action(description="重新排队登记（仅“登记出错”的提交）")
    def requeue_failed(self, request, queryset) -> None:
        requeued = refused = 0
        for submission in queryset.filter(status=SubmissionStatus.FAILED).select_related("region"):
            try:
                requeued += submission_requeue(actor=request.user, submission=submission)
            except DomainError:
                refused += 1
        skipped = queryset.exclude(status=SubmissionStatus.FAILED).count()
        self.message_user(request, f"已重新排队 {requeued} 件，后台任务将随即登记。", messages.SUCCESS)
        if refused or skipped:
            self.message_user(
                request, f"{skipped} 件不是“登记出错”状态，{refused} 件无权处理，均未改变。", messages.WARNING
            )

    def get_fields(self, request, obj=None):
        # The person's name, phone and whereabouts only for staff who may see contacts there (docs/privacy.md).
        if self._may(request, Perm.VIEW_CONTACTS, obj):
            return self.fields
        return tuple("payload_without_contacts" if name == "payload" else name for name in self.fields)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description="提交内容")
    def payload_without_contacts(self, obj: Submission) -> str:
        hidden = {name: "（无权查看）" for name in PERSONAL_FIELDS if obj.payload.get(name) not in (None, "")}
        return json.dumps({**obj.payload, **hidden}, ensure_ascii=False)

    def has_module_permission(self, request) -> bool:
        return may(request.user, Perm.HANDLE_CASES)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may(request, Perm.HANDLE_CASES, obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
