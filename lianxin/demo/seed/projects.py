"""The demo county's livelihood projects (民生实事) for this year, written through lianxin.projects' services:

- proposals (点单) from residents, the demo deputy and staff; three duplicates merged; matched (配单) with a
  cost estimate and a county unit; a few not adopted;
- the county congress's vote (票决) in January: every serving county deputy votes on paper, two tellers (the
  county and city demo staff) type the ballots, the counts match, the top 10 become this year's projects;
- each project split into about 20 sites (点位) across the villages, each led by a county deputy; monthly
  reports up to last month (entered by staff for the deputies, 代填), so that every state appears: closed
  (blue), finished awaiting verification and in progress (yellow), not started (red, some of them late);
- next year's vote open on the demo deputy's workbench, and three sites led by the demo deputy.

Deterministic for a seed and a day; about 3 s on SQLite.
"""

import datetime
import io
import random
from decimal import Decimal

from django.db import models
from django.db.models import Q
from PIL import Image

from lianxin.accounts.models import User
from lianxin.cases.models import ResponsibleUnit
from lianxin.core.models import AuditEvent
from lianxin.deputies.models import SERVING_STATUSES, Deputy, MandateLevel
from lianxin.projects.models import (
    Ballot,
    Candidate,
    Project,
    Proposal,
    ProposalSource,
    Site,
    SitePhoto,
    SiteReport,
    SiteStatus,
    TellerEntry,
    Vote,
    Voter,
)
from lianxin.projects.services import (
    proposal_match,
    proposal_merge,
    proposal_reject,
    proposal_shortlist,
    proposal_submit,
    site_close,
    site_create,
    site_report_file,
)
from lianxin.projects.voting import (
    paper_ballots_accept,
    paper_ballots_issue,
    teller_entry_submit,
    vote_accept,
    vote_close,
    vote_create,
    vote_open,
)
from lianxin.regions.models import Region, RegionLevel

COUNTY_CODE = "330521000000"
# (title, what, unit, sites, cost per site in 万元, the kind of place a site is)
PROJECTS = (
    ("农村公路提档升级", "改造提升农村公路，消除路面破损和安全隐患", "县交通运输局", 24, 80, "村道"),
    ("老旧小区改造", "改造雨污管网、加装电梯、增设停车位", "县住建局", 18, 150, "小区"),
    ("农村饮用水达标提标", "更新供水管网，水质全部达标", "县水利局", 22, 40, "供水点"),
    ("城乡公厕提升", "新建和改造公共厕所", "县住建局", 20, 15, "公厕"),
    ("居家养老服务中心建设", "建设村（社区）居家养老服务照料中心", "县民政局", 18, 60, "照料中心"),
    ("中小学食堂改造", "改造学校食堂，实现明厨亮灶", "县教育局", 14, 50, "学校食堂"),
    ("村卫生室规范化建设", "村卫生室标准化改造，配齐设备", "县卫生健康局", 20, 25, "卫生室"),
    ("农贸市场改造", "农贸市场提升改造，规范经营秩序", "县市场监管局", 12, 120, "农贸市场"),
    ("垃圾分类设施建设", "建设垃圾分类投放点和收集设施", "县生态环境分局", 26, 10, "投放点"),
    ("农田水利设施修复", "修复山塘水库和灌溉渠道", "县农业农村局", 22, 35, "灌区"),
)
LOSERS = (
    ("城区停车场建设", "县住建局"),
    ("社区健身步道", "县住建局"),
    ("村级文化礼堂提升", "县民政局"),
    ("电动自行车集中充电桩", "县市场监管局"),
)
DUPLICATES = ("农村公路提档升级", "老旧小区改造", "城乡公厕提升")
STATE_WEIGHTS = (
    (SiteStatus.CLOSED, 35),
    (SiteStatus.FINISHED, 8),
    (SiteStatus.IN_PROGRESS, 42),
    (SiteStatus.NOT_STARTED, 15),
)


def _jpeg(rng: random.Random) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (rng.randrange(80, 200), rng.randrange(80, 200), rng.randrange(80, 200))).save(
        out, "JPEG", quality=70
    )
    return out.getvalue()


def clear_projects() -> None:
    """Remove the demo's own project records: what a demo account created or handled (its audit rows say so) and
    everything hanging off those votes and projects. Projects, votes and proposals anyone else entered stay; if
    they point at the demo's deputies, clearing the registry then refuses with the reason."""
    from lianxin.demo.seed.users import demo_users_queryset

    by_demo = AuditEvent.objects.filter(actor__in=list(demo_users_queryset()))

    def touched(model: type[models.Model]) -> list[int]:
        label = model._meta.label_lower
        return [int(pk) for pk in by_demo.filter(object_type=label).values_list("object_id", flat=True).distinct()]

    votes = Vote.objects.filter(pk__in=touched(Vote))
    projects = Project.objects.filter(Q(vote__in=votes) | Q(pk__in=touched(Project)))
    sites = Site.objects.filter(Q(project__in=projects) | Q(pk__in=touched(Site)))
    proposal_ids = set(touched(Proposal)) | set(projects.values_list("proposal", flat=True))
    proposal_ids |= set(Candidate.objects.filter(vote__in=votes).values_list("proposal", flat=True))
    proposal_ids |= set(Proposal.objects.filter(merged_into__in=proposal_ids).values_list("pk", flat=True))
    SitePhoto.objects.filter(report__site__in=sites).delete()
    SiteReport.objects.filter(site__in=sites).delete()
    sites.delete()
    projects.delete()
    for model in (Ballot, TellerEntry, Voter, Candidate):
        model.objects.filter(vote__in=votes).delete()
    votes.delete()
    Proposal.objects.filter(pk__in=proposal_ids).exclude(merged_into=None).delete()
    Proposal.objects.filter(pk__in=proposal_ids).delete()


def write_projects(rng: random.Random, *, today: datetime.date) -> dict[str, int]:
    county = Region.objects.get(code=COUNTY_CODE)
    staff = User.objects.get(username="county")
    teller = User.objects.get(username="city")
    demo_deputy_user = User.objects.get(username="deputy")
    units = {u.name: u for u in ResponsibleUnit.objects.filter(region=county)}
    villages = list(
        Region.objects.filter(path__startswith=county.path, level=RegionLevel.VILLAGE)
        .exclude(centroid_lat=None)
        .order_by("code")
    )
    year = today.year

    # 点单 → 配单
    chosen_titles = [p[0] for p in PROJECTS] + [t for t, _ in LOSERS]
    unit_of = {p[0]: p[2] for p in PROJECTS} | dict(LOSERS)
    proposals: dict[str, Proposal] = {}
    for title in chosen_titles:
        village = villages[rng.randrange(len(villages))]
        proposals[title] = proposal_submit(
            actor=None, region=village, title=title, description=f"建议实施{title}，惠及{village.name}等村社区群众。",
            place=village.name, beneficiaries="沿线及周边群众", source=ProposalSource.RESIDENT,
            proposer_name=rng.choice("张王李赵陈杨吴沈") + rng.choice(["建国", "秀英", "伟", "芳", "海峰", "丽"]),
            proposer_phone=f"139{rng.randrange(10**7, 10**8)}",
        )  # fmt: skip
    for title in DUPLICATES:
        village = villages[rng.randrange(len(villages))]
        duplicate = proposal_submit(
            actor=None, region=village, title=title, description=f"希望{village.name}也能纳入{title}。",
            source=ProposalSource.RESIDENT,
        )  # fmt: skip
        proposal_merge(actor=staff, duplicate=duplicate, into=proposals[title])
    proposal_submit(
        actor=demo_deputy_user, region=county, title="背街小巷路灯亮化", description="背街小巷夜间照明不足。",
        source=ProposalSource.DEPUTY,
    )  # fmt: skip
    for title in ("修建村口牌坊", "改建村委会办公楼"):
        rejected = proposal_submit(
            actor=staff, region=county, title=title, description="群众来信", source=ProposalSource.STAFF
        )
        proposal_reject(actor=staff, proposal=rejected, note="不属于民生实事项目范围")
    for title in chosen_titles:
        spec = next((p for p in PROJECTS if p[0] == title), None)
        cost = Decimal(spec[3] * spec[4]) if spec else Decimal(rng.randrange(200, 900))
        proposal_match(actor=staff, proposal=proposals[title], cost_estimate=cost, unit=units[unit_of[title]])

    # 票决: on paper, in January, by every serving county deputy.
    vote = vote_create(
        actor=staff, level=MandateLevel.COUNTY, region=county, session="德清县第十七届人民代表大会第五次会议",
        year=year, held_on=datetime.date(year, 1, 15), seats=len(PROJECTS),
    )  # fmt: skip
    order = chosen_titles[:]
    rng.shuffle(order)
    for title in order:
        proposal_shortlist(actor=staff, proposal=proposals[title], vote=vote)
    vote_open(actor=staff, vote=vote)
    support = {
        c.number: (0.96 - 0.03 * chosen_titles.index(c.title) if c.title in unit_of and c.title not in dict(LOSERS)
                   else 0.35 + 0.03 * rng.random())
        for c in vote.candidates.all()
    }  # fmt: skip
    voters = list(Voter.objects.filter(vote=vote).select_related("deputy").order_by("deputy_id"))
    present = [v for v in voters if rng.random() < 0.96]
    paper_ballots_issue(actor=staff, vote=vote, deputies=[v.deputy for v in present])
    papers = []
    for _ in present:
        papers.append(
            {
                n: ("for" if rng.random() < p else ("against" if rng.random() < 0.5 else "abstain"))
                for n, p in support.items()
            }
        )
    teller_entry_submit(actor=staff, vote=vote, ballots=papers)
    teller_entry_submit(actor=teller, vote=vote, ballots=list(reversed(papers)))
    paper_ballots_accept(actor=staff, vote=vote)
    vote_close(actor=staff, vote=vote)
    projects = vote_accept(actor=staff, vote=vote)

    # 点位 and monthly reports.
    county_deputies = list(
        Deputy.objects.filter(
            mandates__level=MandateLevel.COUNTY, mandates__status__in=SERVING_STATUSES, mandates__congress_region=county
        )
        .exclude(user=demo_deputy_user)
        .distinct()
        .order_by("id")
    )
    demo_deputy = Deputy.objects.get(user=demo_deputy_user)
    photo = _jpeg(rng)
    this_month = today.replace(day=1)
    counts = {"sites": 0, "reports": 0}
    demo_led = 0
    for project in projects:
        spec = next(p for p in PROJECTS if p[0] == project.title)
        _, _, _, n_sites, unit_cost, kind = spec
        for k in range(n_sites):
            village = villages[rng.randrange(len(villages))]
            state = rng.choices([s for s, _ in STATE_WEIGHTS], weights=[w for _, w in STATE_WEIGHTS])[0]
            start_month = rng.randrange(3, 8) if state != SiteStatus.NOT_STARTED else rng.randrange(8, 13)
            start = datetime.date(year, min(start_month, 12), 1)
            end = datetime.date(year, 12, 31) if rng.random() < 0.8 else datetime.date(year, 11, 15)
            lead = rng.choice(county_deputies)
            if demo_led < 3 and state in (SiteStatus.IN_PROGRESS, SiteStatus.NOT_STARTED):
                lead, demo_led = demo_deputy, demo_led + 1
            site = site_create(
                actor=staff, project=project, region=village, name=f"{village.name.removesuffix('村委会').removesuffix('社区居委会')}{kind}{k + 1}号",
                lat=round((village.centroid_lat or 0.0) + rng.uniform(-0.002, 0.002), 6),
                lng=round((village.centroid_lng or 0.0) + rng.uniform(-0.002, 0.002), 6),
                targets=f"{spec[1]}（{village.name}）", planned_start=start, planned_end=end,
                planned_cost=(Decimal(unit_cost) * Decimal(rng.choice(["0.6", "0.8", "1", "1.2", "1.5"]))).quantize(Decimal("0.1"))
                if rng.random() < 0.9 else None,
                lead_deputy=lead,
            )  # fmt: skip
            counts["sites"] += 1
            if state == SiteStatus.NOT_STARTED:
                continue
            # Last month's report (two for closed sites, whose final report follows a progress report); earlier
            # months are not written, to keep the seed fast.
            months = [m for m in _last_months(this_month, 2 if state == SiteStatus.CLOSED else 1) if m >= start]
            if not months:
                continue
            final = state in (SiteStatus.CLOSED, SiteStatus.FINISHED)
            progress = 0
            for index, month in enumerate(months):
                last = index == len(months) - 1
                progress = 100 if final and last else min(95, progress + rng.randrange(10, 35))
                site_report_file(
                    actor=staff, site=site, month=month, progress=progress, on_behalf=True,
                    done=_done_text(rng, kind, progress), problems=_problem(rng) if not last or not final else "",
                    is_final=final and last, photos=[photo] if final and last else [],
                )  # fmt: skip
                counts["reports"] += 1
            if state == SiteStatus.CLOSED:
                site_close(actor=staff, site=site, note="现场核验合格")

    # Next year's vote, open, with the demo deputy in its electorate.
    upcoming = vote_create(
        actor=staff, level=MandateLevel.COUNTY, region=county, session="德清县第十七届人民代表大会第六次会议（模拟）",
        year=year + 1, held_on=today, seats=2,
    )  # fmt: skip
    for title in ("城区公交线路优化", "幸福河湖建设", "婴幼儿托育点建设"):
        proposal = proposal_submit(
            actor=staff, region=county, title=title, description=f"{title}。", source=ProposalSource.STAFF
        )
        proposal_match(
            actor=staff, proposal=proposal, cost_estimate=Decimal(rng.randrange(300, 900)), unit=units["县住建局"]
        )
        proposal_shortlist(actor=staff, proposal=proposal, vote=upcoming)
    vote_open(actor=staff, vote=upcoming)
    counts["projects"] = len(projects)
    return counts


def _last_months(this_month: datetime.date, n: int) -> list[datetime.date]:
    out = []
    month = this_month
    for _ in range(n):
        month = (month - datetime.timedelta(days=1)).replace(day=1)
        out.append(month)
    return sorted(out)


def _done_text(rng: random.Random, kind: str, progress: int) -> str:
    if progress >= 100:
        return f"{kind}全部完工，已组织初验，群众反映良好。"
    steps = ["完成方案设计和招投标", "完成基础施工", "主体工程推进中", "完成设备采购", "完成管线铺设", "开展质量检查"]
    return f"{rng.choice(steps)}，累计完成{progress}%。"


def _problem(rng: random.Random) -> str:
    return rng.choice(["", "", "雨季影响施工进度", "个别农户政策处理尚未完成", "材料到货延迟", ""])
