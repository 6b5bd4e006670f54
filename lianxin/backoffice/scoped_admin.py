"""The base of every back-office page: region scope, role permissions and audit rows.

- The list starts from `Model.objects.visible_to(user)`; an object outside the scope is a 404, exactly as if it
  did not exist (Django's admin would otherwise redirect with a message that leaks its existence).
- Each admin says which permission it needs to change objects (`manage_perm`) and where an object lives
  (`region_paths(obj)`); a user may change an object when they hold the permission over one of those paths.
- Choices for foreign keys are limited to what the user may see.
- Saving and deleting go through lianxin.core.services so that every change leaves an audit row.
"""

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from lianxin.accounts.models import User
from lianxin.accounts.permissions import may
from lianxin.accounts.platform import platform_setting_delete, platform_setting_save
from lianxin.accounts.roles import Perm
from lianxin.accounts.selectors import (
    account_list_manageable_by,
    account_manageable,
    platform_settings_editable,
)
from lianxin.core.errors import DomainError
from lianxin.core.scoping import VisibleTo
from lianxin.core.services import object_delete, object_relations_record, object_save, public_code_rotate


def _scope_choices(db_field: Any, request: Any, kwargs: dict[str, Any], *, accounts: bool = True) -> None:
    """Limit a relation's choices to what the user may see (unless the admin chose a queryset itself)."""
    manager = db_field.related_model._default_manager
    if "queryset" in kwargs:
        return
    if db_field.related_model is User:
        # A login account (a grid worker's) only among those the user may manage. Not for many-to-many
        # (a unit's handlers): a list narrower than the saved selection would refuse every save of the form.
        if accounts:
            kwargs["queryset"] = account_list_manageable_by(actor=request.user)
    elif hasattr(manager, "visible_to"):
        kwargs["queryset"] = manager.visible_to(request.user)


class ScopedModelAdmin(admin.ModelAdmin):
    manage_perm: Perm = Perm.MANAGE_REGISTRY
    # Registry records are retired (status, is_active), not deleted; pairing rows may be deleted.
    allow_delete = False

    def region_paths(self, obj: Any) -> list[str]:
        return [obj.region.path]

    # --- scope -------------------------------------------------------------------------------------------
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        assert isinstance(queryset, VisibleTo), f"{self.model.__name__} is not region-scoped"
        return queryset.visible_to(request.user)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("未找到该对象，或不在您的管辖范围内")
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        _scope_choices(db_field, request, kwargs, accounts=False)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # --- contacts -----------------------------------------------------------------------------------------
    # Personal data (phone, ID number, address) follows the API's rule: only for users holding view_contacts
    # where the object lives. Left out of forms (excluded, not read-only), lists, searches and exports.
    contact_fields: tuple[str, ...] = ()

    def contact_paths(self, obj: Any) -> list[str]:
        return self.region_paths(obj)

    def contacts_visible(self, request, obj: Any = None) -> bool:
        paths = self.contact_paths(obj) if obj is not None and obj.pk else []
        if not paths:  # a new object, or one not yet placed anywhere
            return may(request.user, Perm.VIEW_CONTACTS)
        return any(may(request.user, Perm.VIEW_CONTACTS, path) for path in paths)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.contact_fields or self.contacts_visible(request, obj):
            return fieldsets
        return [(name, {**options, "fields": _without(options["fields"], self.contact_fields)})
                for name, options in fieldsets]  # fmt: skip

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if not self.contact_fields:
            return columns
        if not may(request.user, Perm.VIEW_CONTACTS):
            return [column for column in columns if column not in self.contact_fields]
        return [self._contact_column(request, c) if c in self.contact_fields else c for c in columns]

    def _contact_column(self, request, name: str) -> Any:
        @admin.display(description=self.model._meta.get_field(name).verbose_name)
        def column(obj: Any) -> str:
            return getattr(obj, name) if self.contacts_visible(request, obj) else "—"

        return column

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if not self.contact_fields or may(request.user, Perm.VIEW_CONTACTS):
            return fields
        # Searching by ID number or phone would tell who holds one even with the column hidden.
        return [field for field in fields if field not in self.contact_fields]

    def get_readonly_fields(self, request, obj=None):
        """A login-account field (a grid worker's) is editable only by someone who may manage the account linked
        now: its choices are the accounts they manage (_scope_choices), which must include the current one."""
        fields = list(super().get_readonly_fields(request, obj))
        for field in self.model._meta.concrete_fields:
            if not field.is_relation or field.related_model is not User or not field.editable or field.name in fields:
                continue
            linked = getattr(obj, field.attname, None) if obj is not None else None
            current = User.objects.filter(pk=linked).first() if linked is not None else None
            if not may(request.user, Perm.MANAGE_ACCOUNTS) or (
                current is not None and not account_manageable(actor=request.user, account=current)
            ):
                fields.append(field.name)
        return fields

    # --- permissions --------------------------------------------------------------------------------------
    def _may(self, request, perm: Perm, obj: Any = None) -> bool:
        user = request.user
        if obj is None:
            return may(user, perm)
        return any(may(user, perm, path) for path in self.region_paths(obj))

    def has_module_permission(self, request) -> bool:
        return may(request.user, Perm.VIEW_REGISTRY)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may(request, Perm.VIEW_REGISTRY, obj)

    def has_add_permission(self, request) -> bool:
        return self._may(request, self.manage_perm)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._may(request, self.manage_perm, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.allow_delete and self._may(request, self.manage_perm, obj)

    # --- writes -------------------------------------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        # Checked again on the new state: an object may not be moved to a region outside the user's scope.
        if not self._may(request, self.manage_perm, obj):
            raise PermissionDenied("所选区划不在您的管辖范围内")
        before = dict(form.initial) if change else {}
        fields = [f.name for f in obj._meta.concrete_fields if f.name in form.changed_data or not change]
        object_save(
            actor=request.user,
            obj=obj,
            before=_initial_values(obj, before, fields),
            fields=fields,
            region_path=self.region_paths(obj)[0] if self.region_paths(obj) else "",
        )

    def save_formset(self, request, form, formset, change):
        """Inline rows are written one by one through the services, each with its audit row."""
        region_path = (self.region_paths(form.instance) or [""])[0]
        formset.save(commit=False)
        for obj in formset.deleted_objects:
            object_delete(actor=request.user, obj=obj, region_path=region_path)
        for obj in formset.new_objects:
            fields = [f.name for f in obj._meta.concrete_fields]
            object_save(actor=request.user, obj=obj, before={}, fields=fields, region_path=region_path)
        for obj, changed in formset.changed_objects:
            inline_form = next(f for f in formset.forms if f.instance is obj)
            before = _initial_values(obj, inline_form.initial, changed)
            object_save(actor=request.user, obj=obj, before=before, fields=changed, region_path=region_path)
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        """Many-to-many choices (a unit's handlers, a group's members) are audited too, old → new ids."""
        names = [f.name for f in self.model._meta.many_to_many if f.name in form.cleaned_data]
        before = {name: _pks(form.instance, name) for name in names} if change else {}
        super().save_related(request, form, formsets, change)
        changes = {}
        for name in names:
            old, new = before.get(name, []), _pks(form.instance, name)
            if old != new:
                changes[name] = [old, new]
        region_path = (self.region_paths(form.instance) or [""])[0]
        object_relations_record(actor=request.user, obj=form.instance, changes=changes, region_path=region_path)

    def delete_model(self, request, obj):
        object_delete(actor=request.user, obj=obj, region_path=(self.region_paths(obj) or [""])[0])

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.action(description="更换所选对象的二维码公开码（旧码作废）")
def rotate_public_codes(modeladmin: ScopedModelAdmin, request, queryset) -> None:
    rotated = 0
    for obj in queryset:
        if not modeladmin.has_change_permission(request, obj):
            continue
        try:
            public_code_rotate(actor=request.user, obj=obj, region_path=(modeladmin.region_paths(obj) or [""])[0])
            rotated += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", level="error")
    modeladmin.message_user(request, f"已更换 {rotated} 个公开码，旧二维码已失效，请重新打印。")


class PlatformSettingAdmin(admin.ModelAdmin):
    """A setting with no region (deadline policies, categories): seen by those holding `view_perm`, changed only
    by administrators whose scope covers the whole deployment, every change audited (accounts.platform)."""

    view_perm: Perm = Perm.USE_BACKOFFICE

    def has_module_permission(self, request) -> bool:
        return may(request.user, self.view_perm)

    def has_view_permission(self, request, obj=None) -> bool:
        return may(request.user, self.view_perm) or self.has_change_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return platform_settings_editable(actor=request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return platform_settings_editable(actor=request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return platform_settings_editable(actor=request.user)

    def save_model(self, request, obj, form, change):
        fields = [f.name for f in obj._meta.concrete_fields if f.name in form.changed_data or not change]
        before = _initial_values(obj, dict(form.initial), fields) if change else {}
        platform_setting_save(actor=request.user, obj=obj, before=before, fields=fields)

    def delete_model(self, request, obj):
        platform_setting_delete(actor=request.user, obj=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


def _pks(obj: Any, name: str) -> list[Any]:
    return sorted(getattr(obj, name).values_list("pk", flat=True))


def _without(fields: Any, hidden: tuple[str, ...]) -> list[Any]:
    """A fieldset's fields without `hidden`; a tuple of fields shown on one line keeps its other fields."""
    out: list[Any] = []
    for field in fields:
        if isinstance(field, list | tuple):
            kept = tuple(name for name in field if name not in hidden)
            if kept:
                out.append(kept)
        elif field not in hidden:
            out.append(field)
    return out


def _initial_values(obj: Any, initial: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """Form initial data keys foreign keys by field name with the pk as value; compare like with like."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        value = initial.get(name)
        out[name] = (
            field.related_model._default_manager.filter(pk=value).first() if field.is_relation and value else value
        )
    return out


class ScopedInline(admin.TabularInline):
    """Inline rows follow the permissions of the page they sit on."""

    extra = 0
    allow_delete = True

    def _parent_may(self, request, obj) -> bool:
        parent = self.admin_site._registry.get(self.parent_model)
        if parent is None:
            return False
        return parent.has_change_permission(request, obj) if obj is not None else parent.has_add_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return may(request.user, Perm.VIEW_REGISTRY)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._parent_may(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._parent_may(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.allow_delete and self._parent_may(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
