"""Excel in the back office: an "导出 Excel" action on every list and an "从 Excel 导入" page where a clerk
uploads a sheet and sees every bad cell at once (nothing is written unless the whole file is good)."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError, ImportRejected
from lianxin.core.tabular import MAX_FILE_BYTES
from lianxin.core.uploads import declared_length, too_large_response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The largest sheet an import reads, and a megabyte for the rest of the form: a larger body is refused unread.
IMPORT_MAX_BYTES = MAX_FILE_BYTES + 1024 * 1024


def xlsx_response(content: bytes, basename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    # RFC 5987 so that Chinese file names survive every browser.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{basename}-{stamp}.xlsx')}"
    return response


def export_action(exporter: Callable[..., bytes], basename: str, *, contacts: bool = False):
    """An action exporting the selected rows. Django runs an action for anyone who sees the list, so the view
    permission is checked here again; with `contacts`, the exporter takes `contacts(obj) -> bool` and leaves
    personal data out where the user may not see it (ScopedModelAdmin.contacts_visible)."""

    @admin.action(description="导出所选为 Excel")
    def export_selected(modeladmin, request, queryset):
        if not modeladmin.has_view_permission(request):
            raise PermissionDenied
        if contacts:
            content = exporter(queryset, contacts=lambda obj: modeladmin.contacts_visible(request, obj))
        else:
            content = exporter(queryset)
        return xlsx_response(content, basename)

    export_selected.__name__ = "export_xlsx"
    return export_selected


class UploadForm(forms.Form):
    file = forms.FileField(label="Excel 或 CSV 文件", help_text="支持 .xlsx 和 .csv（UTF-8 或 GB18030），首行为表头")


if TYPE_CHECKING:
    # The mixin is only ever combined with a ModelAdmin: type it as one (model, admin_site, super().get_urls()).
    _ModelAdminBase = admin.ModelAdmin
else:
    _ModelAdminBase = object


class ImportMixin(_ModelAdminBase):
    """Adds `<changelist>/import/` to a ModelAdmin. Set `importer(*, actor, file, filename)`."""

    importer: Callable[..., Any]
    import_help = ""
    change_list_template = "admin/lianxin/change_list_with_import.html"

    def get_urls(self) -> list[URLPattern]:
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}_import"
        return [path("import/", self.admin_site.admin_view(self.import_view), name=name), *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not may(request.user, Perm.MANAGE_REGISTRY):
            raise PermissionDenied
        if declared_length(request) > IMPORT_MAX_BYTES:
            return too_large_response(request, IMPORT_MAX_BYTES)
        opts = self.model._meta
        errors: list[str] = []
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = self.importer(actor=request.user, file=upload.read(), filename=upload.name)
            except ImportRejected as exc:
                errors = [str(e) for e in exc.errors]
            except DomainError as exc:
                errors = [exc.message]
            else:
                messages.success(request, f"导入成功：{result}")
                return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": f"从 Excel 导入{opts.verbose_name}",
            "form": form,
            "errors": errors,
            "import_help": self.import_help,
        }
        return TemplateResponse(request, "admin/lianxin/import.html", context)
