"""The one NinjaAPI of version 1: a router per domain, errors mapped to HTTP once."""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from lianxin.api import cases, deputies, health, ledger, regions, venues
from lianxin.api.auth import API_AUTH
from lianxin.api.errors import install_error_handlers


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 as is: "德清县", not "\\u5fb7\\u6e05\\u53bf" — readable in logs and by people testing with curl."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
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
