from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.backoffice.scoped_admin import ScopedModelAdmin
from lianxin.backoffice.spreadsheets import export_action
from lianxin.core.errors import DomainError
from lianxin.regions.models import Grid, Region
from lianxin.regions.services import grid_check, grid_save
from lianxin.venues.imports import grids_export_xlsx, regions_export_xlsx


@admin.register(Region)
class RegionAdmin(ScopedModelAdmin):
    """Regions come from the statistical division file (`lianxin import_regions`); the back office reads them."""

    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    readonly_fields = ["code", "name", "level", "parent", "path"]
    exclude = ["boundary"]
    actions = [export_action(regions_export_xlsx, "行政区划")]

    def region_paths(self, obj):
        return [obj.path]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class GridForm(forms.ModelForm):
    class Meta:
        model = Grid
        fields = ["region", "code", "name", "kind", "polygon", "households", "population"]

    def clean(self) -> dict[str, Any]:
        super().clean()  # ModelForm's clean returns self.cleaned_data
        data = self.cleaned_data
        if data.get("region") is not None:
            try:
                grid_check(region=data["region"], polygon=data.get("polygon"), exclude=self.instance)
            except DomainError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(Grid)
class GridAdmin(ScopedModelAdmin):
    form = GridForm
    actions = [export_action(grids_export_xlsx, "网格")]
    list_display = ["code", "name", "region", "kind", "households", "population", "deputy_count"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "region__name"]
    list_select_related = ["region"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(deputy_count=Count("deputy_assignments", distinct=True))

    @admin.display(description="代表数", ordering="deputy_count")
    def deputy_count(self, obj) -> int:
        return obj.deputy_count

    def save_model(self, request, obj, form, change):
        if not may(request.user, Perm.MANAGE_REGISTRY, obj.region.path):
            raise PermissionDenied("所选区划不在您的管辖范围内")
        data = form.cleaned_data
        grid_save(
            actor=request.user,
            region=data["region"],
            code=data["code"],
            name=data["name"],
            kind=data["kind"],
            polygon=data.get("polygon"),
            households=data["households"],
            population=data["population"],
            # The form has already written the new values onto `obj`; the service compares with the stored row.
            grid=Grid.objects.get(pk=obj.pk) if change else obj,
        )
