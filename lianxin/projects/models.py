"""Livelihood projects (民生实事项目): proposals (点单), the shortlist (配单) and the deputies' vote (票决),
the year's projects split into sites (点位) led by deputies, and their monthly reports.

Ballots carry no voter identity: the register (`Voter`) says who has voted, the ballots say what was voted,
and nothing links the two (ballot keys are random UUIDs, there is no timestamp on a ballot and the register
has none either). A closed vote stores a digest of its ballots (`Vote.ballots_digest`), so a row edited after
the close is detected (`vote_verify`).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from lianxin.cases.models import ResponsibleUnit
from lianxin.core.scoping import scoped_manager
from lianxin.deputies.models import Deputy, MandateLevel
from lianxin.regions.models import Region


class ProposalSource(models.TextChoices):
    RESIDENT = "resident", "群众点单"
    DEPUTY = "deputy", "代表提出"
    STAFF = "staff", "工作人员录入"


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    MERGED = "merged", "已合并"
    SHORTLISTED = "shortlisted", "已列入候选"
    REJECTED = "rejected", "未采纳"
    CHOSEN = "chosen", "票决通过"
    NOT_CHOSEN = "not_chosen", "票决未通过"


class Proposal(models.Model):
    """点单: a project somebody wants. Staff attach the government's estimate and unit (配单)."""

    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    title = models.CharField("项目名称", max_length=120)
    description = models.TextField("项目内容")
    place = models.CharField("地点", max_length=200, blank=True)
    beneficiaries = models.CharField("受益群众", max_length=200, blank=True)
    source = models.CharField("来源", max_length=16, choices=ProposalSource.choices)
    proposer_name = models.CharField("提出人", max_length=50, blank=True)
    proposer_phone = models.CharField("联系电话", max_length=20, blank=True)
    deputy = models.ForeignKey(
        Deputy, verbose_name="提出代表", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.SUBMITTED)
    merged_into = models.ForeignKey(
        "self", verbose_name="合并到", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    supporters = models.PositiveIntegerField("点单人次", default=1)
    cost_estimate = models.DecimalField("估算投资(万元)", max_digits=12, decimal_places=2, null=True, blank=True)
    unit = models.ForeignKey(
        ResponsibleUnit, verbose_name="责任单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=0)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "项目建议(点单)"
        verbose_name_plural = "项目建议(点单)"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ProposalStatus.values), name="proposal_status_valid"),
            models.CheckConstraint(condition=Q(source__in=ProposalSource.values), name="proposal_source_valid"),
        ]

    def __str__(self) -> str:
        return self.title


class VoteStatus(models.TextChoices):
    DRAFT = "draft", "准备中"
    OPEN = "open", "投票中"
    CLOSED = "closed", "已计票"
    ACCEPTED = "accepted", "结果已确认"


class TiePolicy(models.TextChoices):
    RUNOFF = "runoff", "末位同票时另行投票"
    INCLUDE_ALL = "include_all", "末位同票者全部当选"


class Vote(models.Model):
    """票决: one congress (level + region) in one session votes on the shortlisted candidates."""

    level = models.CharField("人大层级", max_length=16, choices=MandateLevel.choices)
    region = models.ForeignKey(Region, verbose_name="人大所在区划", on_delete=models.PROTECT, related_name="+")
    session = models.CharField("会议", max_length=100, help_text="如：第十七届人民代表大会第五次会议")
    year = models.PositiveSmallIntegerField("项目年度")
    held_on = models.DateField("表决日期")
    seats = models.PositiveSmallIntegerField("确定项目数(N)", default=10)
    # Quorum: ballots cast × quorum_den ≥ electorate × quorum_num (default: two thirds must vote).
    quorum_num = models.PositiveSmallIntegerField("法定人数分子", default=2)
    quorum_den = models.PositiveSmallIntegerField("法定人数分母", default=3)
    tie_policy = models.CharField("末位同票", max_length=16, choices=TiePolicy.choices, default=TiePolicy.RUNOFF)
    status = models.CharField("状态", max_length=16, choices=VoteStatus.choices, default=VoteStatus.DRAFT)
    electorate_size = models.PositiveIntegerField("应到代表", default=0)
    paper_accepted = models.BooleanField("纸质选票已核对录入", default=False)
    ballots_digest = models.CharField("选票摘要", max_length=64, blank=True)
    result = models.JSONField("结果", default=dict, blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "票决"
        verbose_name_plural = "票决"
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=VoteStatus.values), name="vote_status_valid"),
            models.CheckConstraint(condition=Q(quorum_den__gt=0), name="vote_quorum_den_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.region}{self.year}年民生实事项目票决（{self.session}）"


class Candidate(models.Model):
    vote = models.ForeignKey(Vote, verbose_name="票决", on_delete=models.CASCADE, related_name="candidates")
    proposal = models.ForeignKey(Proposal, verbose_name="项目建议", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveSmallIntegerField("序号")
    title = models.CharField("候选项目", max_length=120)

    objects = scoped_manager("vote__region__path")

    class Meta:
        verbose_name = "候选项目"
        verbose_name_plural = "候选项目"
        ordering = ["vote", "number"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "number"], name="candidate_unique_number"),
            models.UniqueConstraint(fields=["vote", "proposal"], name="candidate_unique_proposal"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class BallotMethod(models.TextChoices):
    ELECTRONIC = "electronic", "电子表决"
    PAPER = "paper", "纸质选票"


class Voter(models.Model):
    """The "has voted" register: one row per deputy of the electorate, fixed when the vote opens."""

    vote = models.ForeignKey(Vote, verbose_name="票决", on_delete=models.CASCADE, related_name="voters")
    deputy = models.ForeignKey(Deputy, verbose_name="代表", on_delete=models.PROTECT, related_name="+")
    method = models.CharField("方式", max_length=16, choices=BallotMethod.choices, blank=True)
    has_voted = models.BooleanField("已投票", default=False)

    objects = scoped_manager("vote__region__path")

    class Meta:
        verbose_name = "投票登记"
        verbose_name_plural = "投票登记"
        constraints = [models.UniqueConstraint(fields=["vote", "deputy"], name="voter_unique")]

    def __str__(self) -> str:
        return f"{self.deputy} {'已投票' if self.has_voted else '未投票'}"


class Choice(models.TextChoices):
    FOR = "for", "赞成"
    AGAINST = "against", "反对"
    ABSTAIN = "abstain", "弃权"


class Ballot(models.Model):
    """One anonymous ballot: {candidate number: choice}. The receipt's SHA-256 lets its owner find it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vote = models.ForeignKey(Vote, verbose_name="票决", on_delete=models.PROTECT, related_name="ballots")
    method = models.CharField("方式", max_length=16, choices=BallotMethod.choices)
    choices = models.JSONField("选择")
    receipt_hash = models.CharField("回执摘要", max_length=64, blank=True, db_index=True)

    objects = scoped_manager("vote__region__path")

    class Meta:
        verbose_name = "选票"
        verbose_name_plural = "选票"

    def __str__(self) -> str:
        return f"选票 {self.id}"


class TellerEntry(models.Model):
    """Paper ballots as typed by one teller; two tellers' entries must agree before they become ballots."""

    vote = models.ForeignKey(Vote, verbose_name="票决", on_delete=models.CASCADE, related_name="teller_entries")
    teller = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="计票人", on_delete=models.PROTECT, related_name="+"
    )
    ballots = models.JSONField("选票")
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = scoped_manager("vote__region__path")

    class Meta:
        verbose_name = "纸质选票录入"
        verbose_name_plural = "纸质选票录入"
        constraints = [models.UniqueConstraint(fields=["vote", "teller"], name="teller_entry_unique")]

    def __str__(self) -> str:
        return f"计票人录入 {self.teller}"


class Project(models.Model):
    """One of the year's projects (票决通过), split into sites."""

    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveSmallIntegerField("序号")
    title = models.CharField("项目名称", max_length=120)
    description = models.TextField("项目内容", blank=True)
    proposal = models.ForeignKey(
        Proposal, verbose_name="来源建议", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    vote = models.ForeignKey(
        Vote, verbose_name="票决", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    votes_for = models.PositiveIntegerField("赞成票", null=True, blank=True)
    unit = models.ForeignKey(
        ResponsibleUnit, verbose_name="牵头单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    planned_cost = models.DecimalField("计划投资(万元)", max_digits=12, decimal_places=2, null=True, blank=True)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "民生实事项目"
        verbose_name_plural = "民生实事项目"
        ordering = ["year", "number"]
        constraints = [models.UniqueConstraint(fields=["region", "year", "number"], name="project_unique_number")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.number}. {self.title}"


class SiteStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未开工"
    IN_PROGRESS = "in_progress", "推进中"
    FINISHED = "finished", "已完工待验收"
    CLOSED = "closed", "已销号"


# The public map's colours: red not started, yellow in progress (finished but not yet verified counts as in
# progress), blue done.
COLOUR = {
    SiteStatus.NOT_STARTED: "red",
    SiteStatus.IN_PROGRESS: "yellow",
    SiteStatus.FINISHED: "yellow",
    SiteStatus.CLOSED: "blue",
}
COLOUR_LABEL = {"red": "未开工", "yellow": "推进中", "blue": "已完成"}


class Site(models.Model):
    """点位: where a project is delivered, led by a deputy (领办代表)."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.PROTECT, related_name="sites")
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("点位名称", max_length=120)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    targets = models.TextField("建设目标", blank=True)
    unit = models.ForeignKey(
        ResponsibleUnit, verbose_name="责任单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    planned_start = models.DateField("计划开工")
    planned_end = models.DateField("计划完工")
    planned_cost = models.DecimalField("计划投资(万元)", max_digits=12, decimal_places=2, null=True, blank=True)
    lead_deputy = models.ForeignKey(
        Deputy, verbose_name="领办代表", null=True, blank=True, on_delete=models.PROTECT, related_name="led_sites"
    )
    status = models.CharField("状态", max_length=16, choices=SiteStatus.choices, default=SiteStatus.NOT_STARTED)
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=0)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "项目点位"
        verbose_name_plural = "项目点位"
        ordering = ["project", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SiteStatus.values), name="site_status_valid"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="site_progress_max_100"),
            models.CheckConstraint(condition=Q(planned_end__gte=models.F("planned_start")), name="site_dates_order"),
        ]
        indexes = [models.Index(fields=["status"], name="site_status_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def colour(self) -> str:
        return COLOUR[SiteStatus(self.status)]


class SiteReport(models.Model):
    """A lead deputy's monthly report. A final report (is_final) with photos lets staff close the site."""

    site = models.ForeignKey(Site, verbose_name="点位", on_delete=models.CASCADE, related_name="reports")
    month = models.DateField("月份", help_text="当月1日")
    progress = models.PositiveSmallIntegerField("进度(%)")
    done = models.TextField("本月完成情况")
    problems = models.TextField("存在问题", blank=True)
    is_final = models.BooleanField("完工报告", default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("填报时间", auto_now_add=True)
    verified_at = models.DateTimeField("验收时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = scoped_manager("site__region__path")

    class Meta:
        verbose_name = "点位月报"
        verbose_name_plural = "点位月报"
        ordering = ["site", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["site", "month"], name="site_report_one_per_month"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="site_report_progress_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.month:%Y年%m月}"


class SitePhoto(models.Model):
    report = models.ForeignKey(SiteReport, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("照片", upload_to="projects/%Y/%m/")

    objects = scoped_manager("report__site__region__path")

    class Meta:
        verbose_name = "点位照片"
        verbose_name_plural = "点位照片"

    def __str__(self) -> str:
        return self.image.name or ""
