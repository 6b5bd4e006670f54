"""The working-day calendar in the back office: everyone with back-office access may look, system
administrators whose scope covers the whole deployment may edit and import. Saves go through the services, so every change is audited."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.accounts.selectors import platform_settings_editable
from lianxin.core.errors import DomainError, ImportRejected
from lianxin.workdays import calendar
from lianxin.workdays.models import CalendarDay, CalendarYear
from lianxin.workdays.services import (
    MAX_YEAR,
    MIN_YEAR,
    calendar_day_delete,
    calendar_day_problem,
    calendar_day_set,
    calendar_year_import,
    calendar_year_set,
)


class CalendarAdmin(admin.ModelAdmin):
    def has_module_permission(self, request) -> bool:
        return may(request.user, Perm.USE_BACKOFFICE)

    def has_view_permission(self, request, obj=None) -> bool:
        return may(request.user, Perm.USE_BACKOFFICE)

    def has_add_permission(self, request) -> bool:
        return platform_settings_editable(actor=request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return platform_settings_editable(actor=request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return platform_settings_editable(actor=request.user)

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            for year in calendar.unknown_years_to_warn():
                messages.warning(request, f"{calendar.unknown_year_message(year)}。请在“年度安排”中导入。")
        return super().changelist_view(request, extra_context)


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_workday", "name", "note"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if data.get("date") and data.get("is_workday") is not None:
            problem = calendar_day_problem(data["date"], data["is_workday"])
            if problem:
                self.add_error("is_workday", problem)
        return data


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarAdmin):
    form = CalendarDayForm
    list_display = ["date", "weekday", "is_workday", "name", "note"]
    list_filter = ["is_workday"]
    search_fields = ["name", "note"]
    date_hierarchy = "date"

    @admin.display(description="星期")
    def weekday(self, obj: CalendarDay) -> str:
        return calendar.WEEKDAY_NAMES[obj.date.weekday()]

    def get_readonly_fields(self, request, obj=None):
        return ["date"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        # The form has already refused a redundant day (calendar_day_problem), the one DomainError left.
        saved = calendar_day_set(
            actor=request.user, day=obj.date, is_workday=obj.is_workday, name=obj.name, note=obj.note
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        calendar_day_delete(actor=request.user, day=obj.date)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "is_complete"]


class CalendarImportForm(forms.Form):
    year = forms.IntegerField(label="年份", min_value=MIN_YEAR, max_value=MAX_YEAR)
    file = forms.FileField(
        label="Excel 或 CSV 文件",
        help_text="列：日期、类型（放假/调休上班）、名称。该年原有安排将被文件内容替换，全部无误才写入。",
    )


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarAdmin):
    form = CalendarYearForm
    list_display = ["year", "source", "is_complete", "updated_at"]
    list_filter = ["source", "is_complete"]
    change_list_template = "admin/lianxin/change_list_with_import.html"

    def get_readonly_fields(self, request, obj=None):
        return ["year", "source", "updated_at"] if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a year is marked incomplete, not deleted

    def save_model(self, request, obj, form, change):
        saved = calendar_year_set(actor=request.user, year=obj.year, is_complete=obj.is_complete)
        obj.pk = saved.pk

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="workdays_calendaryear_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not platform_settings_editable(actor=request.user):
            raise PermissionDenied
        errors: list[str] = []
        form = CalendarImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            year = form.cleaned_data["year"]
            try:
                result = calendar_year_import(actor=request.user, year=year, file=upload.read(), filename=upload.name)
            except ImportRejected as exc:
                errors = [str(e) for e in exc.errors]
            except DomainError as exc:
                errors = [exc.message]
            else:
                messages.success(request, f"{year} 年安排导入成功：{result}")
                return HttpResponseRedirect(reverse("admin:workdays_calendaryear_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "导入年度放假安排",
            "form": form,
            "errors": errors,
            "import_help": (
                "按国务院办公厅发布的当年放假通知填写三列：日期、类型（放假 / 调休上班）、名称（如“国庆节”）。"
                "周末的放假日可写可不写。该年原有的放假与调休安排将被文件内容替换，导入后该年标记为“已完整”。"
            ),
            "without_export": True,  # the calendar has no export to start from
        }
        return TemplateResponse(request, "admin/lianxin/import.html", context)
