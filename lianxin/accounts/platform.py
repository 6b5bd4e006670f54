"""Writes to settings that have no region of their own (deadline policies, case categories): only by someone
whose scope covers the whole deployment (accounts.selectors.platform_settings_editable), each change one audit
row with the old and new values. Settings with a region (units, Open311 keys) are scoped models instead."""

from typing import Any

from django.db import models

from lianxin.accounts.models import User
from lianxin.accounts.selectors import platform_settings_editable
from lianxin.core.errors import PermissionDenied
from lianxin.core.services import object_delete, object_save

REFUSED = "该设置适用于全县（全平台），只有管辖范围覆盖全平台的系统管理员可以修改"


def platform_setting_save(*, actor: User, obj: models.Model, before: dict[str, Any], fields: list[str]) -> models.Model:
    if actor is not None and not platform_settings_editable(actor=actor):
        raise PermissionDenied(REFUSED)
    return object_save(actor=actor, obj=obj, before=before, fields=fields)


def platform_setting_delete(*, actor: User, obj: models.Model) -> None:
    if actor is not None and not platform_settings_editable(actor=actor):
        raise PermissionDenied(REFUSED)
    object_delete(actor=actor, obj=obj)
