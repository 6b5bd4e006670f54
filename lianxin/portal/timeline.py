"""A case's history in plain words for the person who submitted it (only events marked public)."""

import datetime
from dataclasses import dataclass

from django.utils.dateparse import parse_datetime
from django.utils.timezone import localtime

from lianxin.cases.models import CaseEvent, Channel, Rating


@dataclass(frozen=True)
class Step:
    when: datetime.datetime
    text: str


def _due(event: CaseEvent) -> str:
    value = event.data.get("reply_due")
    parsed = parse_datetime(value) if isinstance(value, str) else None
    return f"，答复期限 {localtime(parsed):%Y年%m月%d日}" if parsed else ""


def _unit(event: CaseEvent) -> str:
    unit = event.data.get("unit")
    return unit.get("name", "") if isinstance(unit, dict) else ""


def _words(event: CaseEvent) -> str:
    action = event.action
    if action == "register":
        channel = event.data.get("channel")
        label = Channel(channel).label if channel in Channel.values else "线上"
        return f"您的意见建议已登记（{label}）"
    if action == "accept":
        category = event.data.get("category")
        name = category.get("name") if isinstance(category, dict) else ""
        return f"已受理，归入“{name}”类" if name else "已受理"
    if action == "transfer":
        unit = _unit(event)
        return f"已交由{unit}办理{_due(event)}" if unit else f"已交由承办单位办理{_due(event)}"
    if action == "rate":
        rating = event.data.get("rating")
        label = Rating(rating).label if rating in Rating.values else ""
        return f"您的评价：{label}"
    return {
        "answer": "代表已当场答复",
        "coordinate": "正在由当地（属地）协调办理",
        "convert": "已转为代表建议，按法定程序办理",
        "merge": "与其他群众反映的同类问题合并办理",
        "decline": "经审核不予受理",
        "reply": "承办单位已答复",
        "feed_back": "答复已反馈给您，请查看并评价",
        "follow_master": "同类问题已答复，答复已反馈给您",
        "reopen": "您表示不满意，已退回承办单位重新办理",
        "escalate": "已列入督办，由人大督促办理",
        "close": "已办结（销号）",
        "publish": "办理结果已公开",
    }.get(action, "办理进展已更新")


def timeline(events: list[CaseEvent]) -> list[Step]:
    """Staff notes stay out: they are written for colleagues. What the person must read (the reply, a reason
    for declining) travels in the case's own fields."""
    return [Step(when=e.created_at, text=_words(e)) for e in events]
