"""The one NinjaAPI of version 1: a router per domain, errors mapped to HTTP once."""

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.renderers import JSONRenderer

from lianxin.api import (
    cases,
    deputies,
    duties,
    elections,
    health,
    ledger,
    legislation,
    projects,
    regions,
    routing,
    suggestions,
    supervision,
    venues,
    votes,
)
from lianxin.api.auth import API_AUTH
from lianxin.api.errors import install_error_handlers


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 as is: "德清县", not "\\u5fb7\\u6e05\\u53bf" — readable in logs and by people testing with curl."""

    json_dumps_params = {"ensure_ascii": False}


class LianxinAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> OpenAPISchema:
        """Every operation documents the 400 that lianxin.core.input_guard answers before any of them runs (a NUL
        character in the path or a parameter), so that the document lists every status a client can get."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        refused = {
            "description": "请求无效：地址或参数中含有空字符（code 为 nul_character），或参数所指的对象无效",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                operation["responses"].setdefault(400, refused)  # ninja keys statuses by int
        return schema


api = LianxinAPI(
    title="连心 API",
    version="1",
    description=(
        "连心平台的只读接口（第 1 版）。工作人员以登录会话或 `Authorization: Bearer <令牌>` 访问；"
        "每个接口只返回您管辖区划及其下级的数据，范围之外的对象与不存在的对象一样返回 404。"
        "错误以 JSON 返回，含稳定的 `code` 和指明字段的中文 `message`。"
    ),
    urls_namespace="api-v1",
    auth=API_AUTH,
    renderer=ChineseJSONRenderer(),
)
install_error_handlers(api)
api.add_router("/", regions.router)
api.add_router("/", deputies.router)
api.add_router("/", venues.router)
api.add_router("/", health.router)
# Before any /cases/{case_id} route, which would otherwise take "ledger.xlsx" for an id.
api.add_router("/", ledger.router)
api.add_router("/", cases.router)
api.add_router("/", projects.router)
api.add_router("/", votes.router)
api.add_router("/", elections.router)
api.add_router("/", routing.router)
api.add_router("/", suggestions.router)
api.add_router("/", duties.router)
api.add_router("/", supervision.router)
api.add_router("/", legislation.router)
