"""The OpenAPI document as checked in at docs/openapi.json: sorted keys, 2-space indent, UTF-8, newline."""

import json
from pathlib import Path

from django.conf import settings

from lianxin.api.v1 import api

CHECKED_IN = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def openapi_document() -> str:
    schema = api.get_openapi_schema()
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
