from django.contrib import admin

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.backoffice.scoped_admin import ScopedInline, ScopedModelAdmin, rotate_public_codes
from lianxin.backoffice.spreadsheets import ImportMixin, export_action
from lianxin.deputies.models import DutyShift
from lianxin.venues.imports import places_export_xlsx, places_import
from lianxin.venues.models import Place


class DutyShiftInline(ScopedInline):
    model = DutyShift
    fields = ["date", "start_time", "end_time", "deputy", "note"]
    autocomplete_fields = ["deputy"]

    def _parent_may(self, request, obj) -> bool:
        # Place staff edit the roster of their places without being allowed to edit the place itself.
        if obj is None:
            return may(request.user, Perm.MANAGE_ROSTER)
        return may(request.user, Perm.MANAGE_ROSTER, obj.region.path)


@admin.register(Place)
class PlaceAdmin(ImportMixin, ScopedModelAdmin):
    importer = staticmethod(places_import)
    import_help = "已有家站室按“所在区划代码 + 名称”更新；“所属代表之家”可引用同一文件中前面的代表之家。"
    actions = [rotate_public_codes, export_action(places_export_xlsx, "家站室")]
    list_display = ["name", "kind", "room_kind", "region", "hub", "opening_hours", "public_code", "is_active"]
    list_filter = ["kind", "room_kind", "is_active"]
    search_fields = ["name", "address", "region__name", "public_code"]
    list_select_related = ["region", "hub"]
    readonly_fields = ["public_code", "public_url"]
    inlines = [DutyShiftInline]
    fieldsets = [
        (None, {"fields": ["kind", "room_kind", "name", "hub", "region", "grid", "is_active"]}),
        ("地址与开放", {"fields": ["address", "lat", "lng", "opening_hours", "phone"]}),
        ("二维码", {"fields": ["public_code", "public_url"]}),
    ]

    @admin.display(description="公开地址")
    def public_url(self, obj) -> str:
        return obj.public_url if obj.pk else "—"

    def has_change_permission(self, request, obj=None) -> bool:
        # The roster inline needs the change page; the place's own fields stay read-only without MANAGE_REGISTRY.
        return super().has_change_permission(request, obj) or self._may(request, Perm.MANAGE_ROSTER, obj)

    def get_readonly_fields(self, request, obj=None):
        if self._may(request, Perm.MANAGE_REGISTRY, obj):
            return self.readonly_fields
        return [f.name for f in Place._meta.concrete_fields if f.name != "id"] + ["public_url"]

    def save_model(self, request, obj, form, change):
        if form.changed_data:
            super().save_model(request, obj, form, change)
