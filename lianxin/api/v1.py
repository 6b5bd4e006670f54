"""The one NinjaAPI of version 1: a router per domain, errors mapped to HTTP once."""

from ninja import NinjaAPI

api = NinjaAPI(title="连心 API", version="1", urls_namespace="api-v1")
