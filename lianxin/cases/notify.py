"""Which notifications each step of the loop sends, and to whom. Rows go to the outbox in the same transaction
(lianxin.notifications); the worker delivers them after commit."""

from django.conf import settings

from lianxin.accounts.models import RoleAssignment
from lianxin.accounts.roles import Role
from lianxin.cases.models import Case, CaseEvent, ReplyVia, Status
from lianxin.cases.receipts import receipt_display
from lianxin.notifications.services import notification_enqueue

PERSON_CHANNEL = {ReplyVia.SMS: "sms", ReplyVia.PHONE: "sms", ReplyVia.WECHAT: "wechat"}


def _staff_channel() -> str:
    return getattr(settings, "NOTIFICATION_STAFF_CHANNEL", "log")


def notify_person(case: Case, kind: str, body: str) -> None:
    channel = PERSON_CHANNEL.get(ReplyVia(case.reply_via)) if case.reply_via else None
    if channel and case.person_phone and not case.is_anonymous:
        notification_enqueue(
            kind=kind,
            channel=channel,
            recipient=case.person_phone,
            subject=f"您的意见建议 {receipt_display(case.receipt_code)}",
            body=body,
            case=case,
        )


def notify_user(case: Case, user, kind: str, subject: str, body: str) -> None:
    notification_enqueue(
        kind=kind,
        channel=_staff_channel(),
        recipient=user.phone or user.username,
        user=user,
        case=case,
        subject=subject,
        body=body,
    )


def notify_registered(case: Case) -> None:
    notify_person(
        case,
        "case.registered",
        f"您反映的“{case.title}”已登记，查询码 {receipt_display(case.receipt_code)}，可凭此码查询办理进度。",
    )
    if case.deputy is not None and case.deputy.user is not None:
        notify_user(case, case.deputy.user, "case.registered", f"新的意见建议 {case.receipt_code}", case.title)


def supervisors_of(case: Case):
    """County and city congress staff over the case's region: they supervise (督办)."""
    prefixes = [c + "/" for c in _prefixes(case.region.path)]
    assignments = RoleAssignment.objects.filter(
        role__in=[Role.COUNTY_STAFF, Role.CITY_STAFF], region__path__in=prefixes
    ).select_related("user")
    return [a.user for a in assignments if a.user.is_active]


def _prefixes(path: str) -> list[str]:
    codes = [c for c in path.split("/") if c]
    return ["/".join(codes[: i + 1]) for i in range(len(codes))]


def notify_transition(*, case: Case, event: CaseEvent) -> None:
    target = event.to_status
    if target == Status.TRANSFERRED and case.unit is not None:
        due = f"，请于 {case.reply_due:%Y-%m-%d} 前答复" if case.reply_due else ""
        for handler in case.unit.handlers.filter(is_active=True):
            notify_user(case, handler, "case.transferred", f"交办件 {case.receipt_code}", f"{case.title}{due}")
    elif target == Status.REPLIED and case.deputy is not None and case.deputy.user is not None:
        notify_user(case, case.deputy.user, "case.replied", f"已答复 {case.receipt_code}", case.reply[:200])
    elif target == Status.FED_BACK:
        notify_person(
            case,
            "case.fed_back",
            f"您反映的“{case.title}”已有答复：{case.reply[:120]} 请凭查询码 {receipt_display(case.receipt_code)} 评价。",
        )
    elif target == Status.SUPERVISING:
        for user in supervisors_of(case):
            notify_user(case, user, "case.escalated", f"督办件 {case.receipt_code}", f"{case.title}：{event.note}")
