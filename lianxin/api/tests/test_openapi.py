"""The OpenAPI document is checked in (docs/openapi.json); a change to the API must change it visibly."""

import difflib
import json
from io import StringIO

from django.core.management import call_command

from lianxin.api.management.commands.export_openapi import Command as ExportOpenapi
from lianxin.api.openapi import CHECKED_IN, openapi_document


def test_the_checked_in_openapi_document_is_up_to_date():
    live = openapi_document()
    checked_in = CHECKED_IN.read_text(encoding="utf-8") if CHECKED_IN.exists() else ""
    if live != checked_in:
        diff = "".join(
            list(
                difflib.unified_diff(
                    checked_in.splitlines(keepends=True),
                    live.splitlines(keepends=True),
                    "docs/openapi.json (checked in)",
                    "live API",
                    n=1,
                )
            )[:60]
        )
        raise AssertionError(
            "docs/openapi.json 与当前 API 不一致：API 改变了却没有更新文档。"
            "请运行 `make openapi` 并把 docs/openapi.json 一并提交。\n"
            "docs/openapi.json differs from the live API: run `make openapi` and commit the file.\n" + diff
        )


def test_export_openapi_writes_sorted_utf8_json_with_a_trailing_newline(tmp_path):
    target = tmp_path / "openapi.json"
    call_command(ExportOpenapi(), str(target), stdout=StringIO())
    text = target.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert "代表列表" in text  # ensure_ascii=False keeps Chinese readable
    document = json.loads(text)
    assert text == json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert "/api/v1/deputies" in document["paths"]


def test_every_operation_has_a_chinese_summary_and_description():
    document = json.loads(openapi_document())
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary") and operation.get("description"), f"{method.upper()} {path}"
            assert any("\u4e00" <= ch <= "\u9fff" for ch in operation["summary"]), f"{method.upper()} {path}"
