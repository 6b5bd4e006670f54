"""The demo county's integrity monitoring points (廉情监测点) with a few clues (issue 19). Written through the app's
services and workflow, as integrity staff would.

德清 has 21 points in 13 towns: here one at each town's 代表之家 and eight more at a village station in the eight
towns with the most villages. Each point has a staff account (`lqjc01`…`lqjc21`, with the demo password: a monitor
reports from /w/integrity/) and two or three serving deputies who live there; the demo deputy (`deputy`) is a member
of 武康街道's point and reported one of the clues, so their phone page shows its status. The demo account `integrity` (廉情监测工作人员 over
the county, password lianxin-demo) takes six clues along the path: two registered, one shared, one under joint
check, one transferred with the commission's receipt and feedback, one closed.
"""

import datetime
import random

from django.contrib.auth.hashers import make_password
from django.db.models import Count, F, ProtectedError

from lianxin.accounts.models import RoleAssignment, User
from lianxin.accounts.roles import Role
from lianxin.accounts.services import role_grant
from lianxin.core.errors import DomainError
from lianxin.demo.seed.users import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD
from lianxin.deputies.models import Deputy
from lianxin.integrity import services
from lianxin.integrity.models import Clue, MonitoringPoint
from lianxin.integrity.workflow import ClueAction, clue_transition
from lianxin.notifications.models import Notification, NotificationStatus
from lianxin.regions.models import Region, RegionLevel
from lianxin.venues.models import Place, PlaceKind

COUNTY_CODE = "330521000000"
WUKANG_CODE = "330521001000"
ACCOUNT = "integrity"
STAFF_PREFIX = "lqjc"
EXTRA_POINTS = 8

# (subject, text) of the demo's clues: units and posts, no one's name.
CLUES = (
    ("某镇农业农村办公室工作人员", "反映其在农房翻建审批中暗示申请人请客吃饭，多次拖延办理。"),
    ("某街道城管执法中队队员", "反映其对沿街商户执法尺度不一，对个别熟人店铺长期不予处理。"),
    ("某村股份经济合作社负责人", "反映村集体厂房出租未经公开招租，租金明显低于周边水平。"),
    ("某镇建设办公室工作人员", "反映其在农村道路硬化工程验收中收受施工方礼品。"),
    ("某中学后勤负责人", "反映学校食堂食材采购长期由其亲属经营的公司供应，价格偏高。"),
    ("某社区居委会工作人员", "反映低保申请材料审核中存在优亲厚友情况。"),
)


def _account(password: str) -> User:
    user = User.objects.filter(username=ACCOUNT).first()
    if user is not None and not user.email.endswith(f"@{DEMO_EMAIL_DOMAIN}"):
        raise DomainError("demo_username_taken", f"用户名“{ACCOUNT}”已被非演示账号占用，未生成演示账号")
    if user is None:
        user = User(username=ACCOUNT, email=f"{ACCOUNT}@{DEMO_EMAIL_DOMAIN}")
    user.display_name = "德清县廉情监测工作人员（演示）"
    user.is_active, user.is_superuser = True, False
    user.password = password
    user.save()
    role_grant(actor=None, user=user, role=Role.INTEGRITY_STAFF, region=Region.objects.get(code=COUNTY_CODE))
    return user


def _staff_account(number: int, region: Region, password: str) -> User:
    username = f"{STAFF_PREFIX}{number:02d}"
    user = User.objects.filter(username=username, email__endswith=f"@{DEMO_EMAIL_DOMAIN}").first()
    if user is None:
        user = User(username=username, email=f"{username}@{DEMO_EMAIL_DOMAIN}")
    user.display_name = f"{region.name}廉情监测员"
    user.password = password  # the demo's one hash: a point's monitor can log in at /w/ and report
    user.save()
    return user


def _sites() -> list[tuple[str, Region, Place | None]]:
    """(name, region, place) of the 21 points: each town's home, then a station in the towns with most villages."""
    towns = list(
        Region.objects.filter(level=RegionLevel.TOWNSHIP, parent__code=COUNTY_CODE, places__kind=PlaceKind.HOME)
        .annotate(n=Count("children", distinct=True))
        .order_by("-n", "code")
        .distinct()
    )
    sites: list[tuple[str, Region, Place | None]] = []
    for town in sorted(towns, key=lambda t: t.code):
        home = Place.objects.filter(region=town, kind=PlaceKind.HOME).first()
        sites.append((f"{town.name}廉情监测点", town, home))
    for town in towns[:EXTRA_POINTS]:
        station = (
            Place.objects.filter(kind=PlaceKind.STATION, region__parent=town).order_by("region__code", "pk").first()
        )
        if station is not None:
            short = station.name.removesuffix("人大代表工作站")
            sites.append((f"{town.name}{short}廉情监测点", station.region, station))
    return sites


def write_integrity(rng: random.Random, *, today: datetime.date) -> None:
    password = make_password(DEMO_PASSWORD)  # one hash for all: PBKDF2 is slow, and the password is printed anyway
    actor = _account(password)
    demo_deputy = Deputy.objects.filter(user__username="deputy", user__email__endswith=f"@{DEMO_EMAIL_DOMAIN}").first()
    points: list[MonitoringPoint] = []
    for number, (name, region, place) in enumerate(_sites(), start=1):
        point = services.point_create(actor=actor, name=name, region=region, place=place)
        living = list(
            Deputy.objects.serving()
            .filter(residence_region__path__startswith=region.path, user__isnull=True)
            .order_by("pk")[:12]
        )
        deputies = rng.sample(living, min(len(living), rng.randint(2, 3)))
        if demo_deputy is not None and region.code == WUKANG_CODE:
            deputies.append(demo_deputy)
        services.point_set_members(
            actor=actor, point=point, staff=[_staff_account(number, region, password)], deputies=deputies
        )
        points.append(point)
    _write_clues(rng, actor, points, demo_deputy, today)
    # The messages of that history were delivered at the time; nothing of it is left for the worker to send.
    Notification.objects.filter(kind__startswith="integrity.").update(
        status=NotificationStatus.SENT, sent_at=F("created_at"), attempts=1
    )


def _write_clues(
    rng: random.Random, actor: User, points: list[MonitoringPoint], demo_deputy: Deputy | None, today: datetime.date
) -> None:
    chosen = rng.sample(points, len(CLUES))
    wukang = next((p for p in points if p.region.code == WUKANG_CODE), None)
    if wukang is not None and wukang not in chosen:
        chosen[0] = wukang
    clues = []
    for point, (subject, text) in zip(chosen, CLUES, strict=True):
        reporter = point.staff.first() or actor
        others = point.deputies.exclude(pk=demo_deputy.pk) if demo_deputy is not None else point.deputies.all()
        deputy = others.first()
        if point == wukang and demo_deputy is not None and demo_deputy.user is not None:
            reporter, deputy = demo_deputy.user, demo_deputy
        clues.append(services.clue_report(actor=reporter, point=point, subject=subject, text=text, deputy=deputy))

    def day(ago: int) -> str:
        return (today - datetime.timedelta(days=ago)).isoformat()

    def step(clue: Clue, action: str, **params: object) -> None:
        clue_transition(clue=clue, action=action, actor=actor, params=dict(params), today=today)

    # clues[0] (the demo deputy's, at 武康) and clues[1] stay registered.
    step(clues[2], ClueAction.SHARE, register_ref=f"HT{today.year}-0{rng.randint(10, 40)}")
    step(clues[3], ClueAction.SHARE, register_ref=f"HT{today.year}-0{rng.randint(41, 70)}")
    step(
        clues[3],
        ClueAction.CHECK,
        check_date=day(12),
        participants="县纪委监委第三监督检查室、监测点",
        result="现场查看工程台账，礼品情况需进一步核实",
    )
    step(clues[4], ClueAction.SHARE, register_ref=f"HT{today.year}-0{rng.randint(71, 99)}")
    step(
        clues[4],
        ClueAction.CHECK,
        check_date=day(30),
        participants="县纪委监委、县教育局",
        result="采购合同与供应商关联情况属实",
    )
    step(
        clues[4],
        ClueAction.TRANSFER,
        receipt_number=f"DQJW{today.year}-{rng.randint(100, 199)}",
        transferred_on=day(25),
    )
    step(clues[4], ClueAction.FEEDBACK, feedback="已对相关人员立案审查，责令学校重新招标采购。", feedback_on=day(6))
    step(clues[5], ClueAction.SHARE)
    step(clues[5], ClueAction.CLOSE, reason="经与街道纪工委核实，低保审核程序合规，反映情况不属实，已向报告人反馈。")


def clear_integrity() -> None:
    """Delete what write_integrity wrote: the clues and points, the points' staff accounts and the demo account (kept
    role-less when its audit rows protect it, as the other demo accounts are)."""
    Notification.objects.filter(kind__startswith="integrity.").delete()  # they name the accounts deleted below
    county = Region.objects.filter(code=COUNTY_CODE).first()
    if county is not None:
        Clue.objects.filter(region__path__startswith=county.path).delete()
        MonitoringPoint.objects.filter(region__path__startswith=county.path).delete()
    accounts = User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").filter(
        username__regex=rf"^({ACCOUNT}|{STAFF_PREFIX}\d+)$"
    )
    for user in accounts:
        RoleAssignment.objects.filter(user=user).delete()
        try:
            user.delete()
        except ProtectedError:  # raised before anything is deleted
            continue
