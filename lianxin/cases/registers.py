"""The registers a station keeps on paper (三册两簿一记录, Lanzhou's rule for every home and station), printed for
one place and a period from what the platform already holds, so the paper books need not be copied by hand.

The seed articles name the rule, not its six books; they are read here as the books a station is inspected on:
  三册  代表名册 (the deputies who serve the place), 联系网格名册 (its grids with their deputies and grid workers),
        接待排班册 (the duty roster: its rhythm and every shift of the period);
  两簿  接待登记簿 (every reception at the place and who was registered in it),
        活动记录簿 (every reception of its deputies, at the place or mobile in its area, with people received);
  一记录 意见建议办理记录 (the ledger of the cases that came through the place, to their outcome).

A register is a staff document: the people's names and phones, the receipt codes and the deputies' and grid
workers' phones are printed only with `with_contacts` (view_contacts in the place's region: the office view
decides), and every query starts from `visible_to(user)` when a user asks (the command line's operator is None).

It lives in the domain (like projects/reports.py), below the interfaces that print it: the office's download, the
command line.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone

from lianxin.cases.models import Case, ReceptionSession
from lianxin.deputies.models import SERVING_STATUSES, Deputy, DutyShift, GridAssignment, GridWorker, Mandate
from lianxin.deputies.schedule import schedule_lines
from lianxin.publicweb.printing import content_width, heading, para, render, shorten, table, widths
from lianxin.regions.models import Grid
from lianxin.venues.models import Place

BOOKS = ("代表名册", "联系网格名册", "接待排班册", "接待登记簿", "活动记录簿", "意见建议办理记录")
HIDDEN = "（需联系方式权限）"


@dataclass
class Registers:
    place: Place
    start: datetime.date
    end: datetime.date  # inclusive
    with_contacts: bool
    deputies: list[Deputy]
    grids: list[Grid]
    shifts: list[DutyShift]
    sessions: list[ReceptionSession]  # at the place
    activities: list[ReceptionSession]  # of its deputies, at the place or mobile in its area
    cases: list[Case]


def _scoped(qs: Any, user: Any) -> Any:
    return qs if user is None else qs.visible_to(user)


def registers_build(
    *, user: Any, place: Place, start: datetime.date, end: datetime.date, with_contacts: bool
) -> Registers:
    begin = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    until = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    area = place.region.path
    shifts = list(
        _scoped(DutyShift.objects, user)
        .filter(place=place, date__gte=start, date__lte=end)
        .select_related("place", "deputy")
        .order_by("date", "start_time", "id")
    )
    grids = list(
        _scoped(Grid.objects, user)
        .filter(region__path__startswith=area)
        .prefetch_related(
            Prefetch("deputy_assignments", queryset=GridAssignment.objects.select_related("deputy").order_by("id")),
            Prefetch("workers", queryset=GridWorker.objects.filter(is_active=True).order_by("name", "id")),
        )
        .order_by("code")
    )
    serving = Mandate.objects.filter(status__in=SERVING_STATUSES)
    deputies = list(
        _scoped(Deputy.objects, user)
        .filter(id__in=serving.values("deputy_id"))
        .filter(
            Q(id__in=DutyShift.objects.filter(place=place).values("deputy_id"))
            | Q(grid_assignments__grid__in=grids)
            | Q(id__in=serving.filter(district_region__path__startswith=area).values("deputy_id"))
        )
        .distinct()
        .prefetch_related(
            Prefetch("mandates", queryset=serving.select_related("congress_region").order_by("level", "-term")),
            Prefetch("groups"),
        )
        .order_by("name", "id")
    )
    cases_in = Prefetch(
        "cases", queryset=_scoped(Case.objects, user).select_related("category").order_by("registered_at", "id")
    )
    receptions = (
        _scoped(ReceptionSession.objects, user)
        .filter(started_at__gte=begin, started_at__lt=until)
        .select_related("deputy", "place")
        .prefetch_related(cases_in)
        .order_by("started_at", "id")
    )
    sessions = list(receptions.filter(place=place))
    activities = list(
        receptions.filter(Q(place=place) | Q(place__isnull=True, region__path__startswith=area)).filter(
            deputy__in=deputies
        )
    )
    cases = list(
        _scoped(Case.objects, user)
        .filter(place=place, registered_at__gte=begin, registered_at__lt=until)
        .select_related("category", "unit", "deputy", "session")
        .order_by("registered_at", "id")
    )
    return Registers(
        place=place,
        start=start,
        end=end,
        with_contacts=with_contacts,
        deputies=deputies,
        grids=grids,
        shifts=shifts,
        sessions=sessions,
        activities=activities,
        cases=cases,
    )


def _when(moment: datetime.datetime | None) -> str:
    return f"{timezone.localtime(moment):%m-%d %H:%M}" if moment else ""


def _day(moment: datetime.datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}" if moment else ""


def _person(case: Case, with_contacts: bool) -> str:
    if case.is_anonymous or not case.person_name:
        return "匿名"
    return case.person_name if with_contacts else case.person_name[:1] + "某"


def _phone(value: str, with_contacts: bool) -> str:
    return (value or "—") if with_contacts else HIDDEN


def registers_pdf(books: Registers) -> bytes:
    place, contacts = books.place, books.with_contacts
    width = content_width(wide=True)
    period = f"{books.start:%Y年%m月%d日}至{books.end:%Y年%m月%d日}"
    story: list = [
        para(f"{place.name}“三册两簿一记录”", 20, align=1, leading=28),
        para(f"{place.get_kind_display()} · {place.region.name} · {period}", 11, align=1),
        para(
            "三册：代表名册、联系网格名册、接待排班册；两簿：接待登记簿、活动记录簿；一记录：意见建议办理记录",
            9,
            align=1,
        ),
    ]

    story.append(heading(f"一、代表名册（{len(books.deputies)}人）"))
    rows = [
        [
            str(n),
            d.name,
            d.get_gender_display(),
            "、".join(f"{m.congress_region.name}{m.get_level_display()}代表" for m in d.mandates.all()),
            shorten(d.employer or d.occupation, 30),
            "、".join(g.name for g in d.groups.all()),
            _phone(d.phone, contacts),
        ]
        for n, d in enumerate(books.deputies, 1)
    ]
    story.append(
        table(
            ["序号", "姓名", "性别", "代表资格", "工作单位及职务", "代表小组", "联系电话"],
            rows or [["", "无", "", "", "", "", ""]],
            widths(width, 5, 10, 5, 28, 22, 16, 14),
        )
    )

    story.append(heading(f"二、联系网格名册（{len(books.grids)}个网格）"))
    rows = [
        [
            grid.name,
            str(grid.households or ""),
            "、".join(a.deputy.name for a in grid.deputy_assignments.all()) or "（待编入代表）",
            "\n".join(f"{w.name} {_phone(w.phone, contacts) if contacts else ''}".strip() for w in grid.workers.all()),
        ]
        for grid in books.grids
    ]
    story.append(
        table(["网格", "户数", "联系代表", "网格员"], rows or [["无", "", "", ""]], widths(width, 25, 8, 35, 32))
    )

    story.append(heading(f"三、接待排班册（{len(books.shifts)}班）"))
    rhythm = [line.text(with_deputies=True) for line in schedule_lines(books.shifts, by="") if line.recurring]
    if rhythm:
        story.append(para("接待规律：" + "；".join(rhythm), 10))
    rows = [
        [
            f"{s.date:%Y-%m-%d}（周{'一二三四五六日'[s.date.weekday()]}）",
            f"{s.start_time:%H:%M}–{s.end_time:%H:%M}",
            s.deputy.name,
            s.note,
        ]
        for s in books.shifts
    ]
    story.append(
        table(["日期", "时间", "接待代表", "备注"], rows or [["本期无排班", "", "", ""]], widths(width, 22, 16, 22, 40))
    )

    story.append(heading(f"四、接待登记簿（{len(books.sessions)}次接待）"))
    rows = []
    for session in books.sessions:
        registered = list(session.cases.all())
        head = [
            _when(session.started_at),
            session.deputy.name,
            str(session.people_received),
        ]
        if not registered:
            rows.append([*head, "（本次未登记意见建议）", "", "", ""])
        for case in registered:
            rows.append(
                [
                    *head,
                    shorten(case.title, 40),
                    _person(case, contacts),
                    _phone(case.person_phone, contacts),
                    case.get_status_display(),
                ]
            )
            head = ["", "", ""]
    story.append(
        table(
            ["接待时间", "接待代表", "接待人数", "反映事项", "反映人", "联系电话", "办理状态"],
            rows or [["本期无接待", "", "", "", "", "", ""]],
            widths(width, 13, 10, 8, 35, 10, 13, 11),
        )
    )

    story.append(heading(f"五、活动记录簿（{len(books.activities)}次）"))
    rows = [
        [
            f"{_when(s.started_at)}–{timezone.localtime(s.ended_at):%H:%M}" if s.ended_at else _when(s.started_at),
            s.get_kind_display(),
            s.place.name if s.place else s.location,
            s.deputy.name,
            str(s.people_received),
            str(len(s.cases.all())),
            shorten(s.note, 60),
        ]
        for s in books.activities
    ]
    people = sum(s.people_received for s in books.activities)
    story.append(
        table(
            ["时间", "方式", "地点", "代表", "接待人数", "登记件数", "记录"],
            [*rows, ["合计", "", "", "", str(people), str(sum(len(s.cases.all()) for s in books.activities)), ""]],
            widths(width, 15, 9, 20, 9, 8, 8, 31),
            total=True,
        )
    )

    story.append(heading(f"六、意见建议办理记录（{len(books.cases)}件）"))
    rows = [
        [
            _day(case.registered_at),
            case.receipt_code if contacts else HIDDEN,
            case.get_channel_display(),
            shorten(case.title, 36),
            case.category.name if case.category else "",
            case.get_handling_display() if case.handling else "",
            case.unit.name if case.unit else "",
            case.get_status_display(),
            _day(case.replied_at),
        ]
        for case in books.cases
    ]
    story.append(
        table(
            ["登记日期", "查询码", "渠道", "反映事项", "类别", "处理方式", "承办单位", "状态", "答复日期"],
            rows or [["本期无登记", "", "", "", "", "", "", "", ""]],
            widths(width, 10, 13, 8, 22, 9, 9, 12, 8, 9),
        )
    )
    return render(
        story, title=f"{place.name}三册两簿一记录", footer=f"{place.name} · {period} · 内部资料 注意保密", wide=True
    )


def registers_for(*, user: Any, place: Place, start: datetime.date, end: datetime.date, with_contacts: bool) -> bytes:
    return registers_pdf(registers_build(user=user, place=place, start=start, end=end, with_contacts=with_contacts))
