"""The one check of a text or a choice that a service receives from a form, the API or an import.

Every app's services used to carry their own copy; they said the same thing in slightly different words and one
left control characters in. A refusal names the field (`field`) and says in Chinese what was wrong, with the
platform's stable codes: field_invalid (not text, not one of the choices), field_required, field_too_long.
"""

import re
from typing import Any

from django.db import models

from lianxin.core.errors import DomainError

# Control characters other than tab, newline and carriage return: nobody types them, a crafted request does.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: Any, name: str, label: str, *, limit: int, required: bool) -> str:
    """Text as given, minus control characters and surrounding space (pages and the API escape it on output)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError("field_invalid", f"{label}: 应为文字", field=name)
    value = CONTROL.sub("", value).strip()
    if required and not value:
        raise DomainError("field_required", f"{label}: 不能为空", field=name)
    if len(value) > limit:
        raise DomainError("field_too_long", f"{label}: 不能超过{limit}字，现为{len(value)}字", field=name)
    return value


def clean_choice(value: Any, name: str, label: str, choices: type[models.TextChoices], *, default: str = "") -> str:
    """One of the choices' values; empty (or `default`) when none was given and a default is allowed — with no
    default an empty value is refused as required."""
    value = value or default
    if value in choices.values:
        return str(value)
    allowed = "、".join(f"{c.value}（{c.label}）" for c in choices)
    raise DomainError("field_invalid" if value else "field_required", f"{label}: 应为 {allowed} 之一", field=name)
