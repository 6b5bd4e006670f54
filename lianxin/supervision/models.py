"""Supervision (监督, docs/supervision.md): a congress's annual supervision items (年度监督事项) split among supervision
groups, with their records before, during and after (事前、事中、事后); deputies meeting the heads of state organs
(约见); and the 直通车, urgent suggestions between sessions sent straight to an organ (a fast path through the
suggestions workflow, tracked here with its short deadline).

Inspections and law-enforcement checks are duty activities (`duties.Activity`), so their invitations, sign-in and
the deputies' duty records come from the duties app; a 约见 that takes place is one too.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from lianxin.cases.models import ResponsibleUnit
from lianxin.core.scoping import scoped_manager
from lianxin.deputies.models import Deputy, DeputyGroup
from lianxin.duties.models import Activity
from lianxin.projects.models import Project
from lianxin.regions.models import Region
from lianxin.suggestions.models import Suggestion


class SubjectKind(models.TextChoices):
    DEPARTMENT = "department", "部门工作"
    LAW = "law", "法律法规实施"
    PROJECT = "project", "民生实事项目"


class ItemStatus(models.TextChoices):
    PLANNED = "planned", "计划中"
    ONGOING = "ongoing", "监督中"
    OPINIONS_SENT = "opinions_sent", "待整改报告"
    REPORTED = "reported", "整改已报告"
    EVALUATED = "evaluated", "已测评"


class Stage(models.TextChoices):
    BEFORE = "before", "事前"
    DURING = "during", "事中"
    AFTER = "after", "事后"


class RecordKind(models.TextChoices):
    PLAN = "plan", "工作方案"
    INSPECTION = "inspection", "视察"
    LAW_CHECK = "law_check", "执法检查"
    FINDING = "finding", "发现问题"
    OPINIONS = "opinions", "审议意见"
    REPORT = "report", "整改报告"
    EVALUATION = "evaluation", "满意度测评"
    NOTE = "note", "其他记录"


RECORD_STAGE = {
    RecordKind.PLAN: Stage.BEFORE,
    RecordKind.INSPECTION: Stage.DURING,
    RecordKind.LAW_CHECK: Stage.DURING,
    RecordKind.FINDING: Stage.DURING,
    RecordKind.OPINIONS: Stage.AFTER,
    RecordKind.REPORT: Stage.AFTER,
    RecordKind.EVALUATION: Stage.AFTER,
}


class Verdict(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class SupervisionItem(models.Model):
    """年度监督事项 of a congress (its region): what is supervised, by whom, and where it stands."""

    region = models.ForeignKey(Region, verbose_name="人大（区划）", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("监督事项", max_length=120)
    subject_kind = models.CharField("监督类型", max_length=16, choices=SubjectKind.choices)
    unit = models.ForeignKey(
        ResponsibleUnit, verbose_name="被监督部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    law_name = models.CharField("法律法规", max_length=120, blank=True)
    project = models.ForeignKey(
        Project, verbose_name="民生实事项目", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    plan = models.TextField("工作方案", blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    status = models.CharField("状态", max_length=16, choices=ItemStatus.choices, default=ItemStatus.PLANNED)
    groups = models.ManyToManyField(DeputyGroup, verbose_name="监督组", through="ItemGroup", blank=True)
    members = models.ManyToManyField(Deputy, verbose_name="另选成员", related_name="+", blank=True)
    opinions = models.TextField("审议意见", blank=True)
    opinions_sent_at = models.DateTimeField("审议意见送达时间", null=True, blank=True)
    report_due = models.DateField("整改报告期限", null=True, blank=True)
    report = models.TextField("整改报告", blank=True)
    reported_at = models.DateTimeField("整改报告时间", null=True, blank=True)
    report_late = models.BooleanField("迟交", default=False)
    is_overdue = models.BooleanField("逾期未报", default=False)
    reminded_on = models.DateField("最近提醒日", null=True, blank=True)
    # 满意度测评: the counts only; who voted is in ItemVote, never what they voted.
    votes_satisfied = models.PositiveIntegerField("满意", default=0)
    votes_basic = models.PositiveIntegerField("基本满意", default=0)
    votes_unsatisfied = models.PositiveIntegerField("不满意", default=0)
    evaluation_open = models.BooleanField("测评进行中", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=0, editable=False)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "年度监督事项"
        verbose_name_plural = "年度监督事项"
        ordering = ["-year", "starts_on", "id"]
        indexes = [models.Index(fields=["region", "year"]), models.Index(fields=["status", "report_due"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ItemStatus.values), name="supervision_item_status_valid"),
            models.CheckConstraint(
                condition=Q(subject_kind__in=SubjectKind.values), name="supervision_item_kind_valid"
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="supervision_item_period"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"

    @property
    def subject_label(self) -> str:
        if self.subject_kind == SubjectKind.PROJECT and self.project_id:
            return str(self.project)
        if self.subject_kind == SubjectKind.LAW and self.law_name:
            return f"《{self.law_name}》实施情况"
        return str(self.unit) if self.unit_id else self.get_subject_kind_display()

    @property
    def votes_total(self) -> int:
        return self.votes_satisfied + self.votes_basic + self.votes_unsatisfied


class ItemGroup(models.Model):
    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="item_groups")
    group = models.ForeignKey(DeputyGroup, verbose_name="监督组", on_delete=models.PROTECT, related_name="+")
    is_lead = models.BooleanField("牵头", default=False)

    class Meta:
        verbose_name = "监督组分工"
        verbose_name_plural = "监督组分工"
        ordering = ["-is_lead", "group__name"]
        constraints = [models.UniqueConstraint(fields=["item", "group"], name="supervision_item_group_unique")]

    def __str__(self) -> str:
        return f"{self.group}{'（牵头）' if self.is_lead else ''}"


class ItemRecord(models.Model):
    """One entry of the item's record: the plan, an inspection (with its duty activity), a finding, the opinions,
    the rectification report, the evaluation's result."""

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="records")
    stage = models.CharField("阶段", max_length=8, choices=Stage.choices)
    kind = models.CharField("类型", max_length=16, choices=RecordKind.choices)
    text = models.TextField("内容", blank=True)
    activity = models.ForeignKey(
        Activity, verbose_name="履职活动", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="记录人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "监督记录"
        verbose_name_plural = "监督记录"
        ordering = ["item", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}·{self.get_kind_display()}"


class ItemVote(models.Model):
    """That a member voted in the item's evaluation (once), not what: the choice only adds to the item's counts."""

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="voters")
    deputy = models.ForeignKey(Deputy, on_delete=models.PROTECT, related_name="+")
    voted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "测评投票记录"
        verbose_name_plural = "测评投票记录"
        constraints = [models.UniqueConstraint(fields=["item", "deputy"], name="supervision_vote_once")]

    def __str__(self) -> str:
        return f"{self.deputy}已投票"


class MeetingStatus(models.TextChoices):
    REQUESTED = "requested", "已申请"
    ARRANGED = "arranged", "已安排"
    DECLINED = "declined", "未安排"
    HELD = "held", "已约见"
    FOLLOWED_UP = "followed_up", "已反馈"


class Meeting(models.Model):
    """约见: deputies ask to meet the head of a state organ; staff arrange it (or decline, with the reason); the
    meeting is held and recorded; the organ reports what it did by a deadline."""

    region = models.ForeignKey(Region, verbose_name="人大（区划）", on_delete=models.PROTECT, related_name="+")
    subject = models.CharField("约见事由", max_length=200)
    detail = models.TextField("具体问题", blank=True)
    organ = models.ForeignKey(ResponsibleUnit, verbose_name="被约见机关", on_delete=models.PROTECT, related_name="+")
    organ_head = models.CharField("被约见负责人", max_length=50, blank=True)
    proposed_at = models.DateTimeField("建议时间")
    deputies = models.ManyToManyField(Deputy, verbose_name="约见代表", related_name="+")
    status = models.CharField("状态", max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.REQUESTED)
    scheduled_at = models.DateTimeField("约见时间", null=True, blank=True)
    place = models.CharField("地点", max_length=200, blank=True)
    attendees = models.CharField("出席人员", max_length=300, blank=True, help_text="机关出席人员")
    decline_reason = models.TextField("未安排理由", blank=True)
    record = models.TextField("约见记录", blank=True)
    activity = models.ForeignKey(
        Activity, verbose_name="履职活动", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    followup_due = models.DateField("反馈期限", null=True, blank=True)
    followup = models.TextField("办理反馈", blank=True)
    followed_up_at = models.DateTimeField("反馈时间", null=True, blank=True)
    followup_late = models.BooleanField("迟交", default=False)
    is_overdue = models.BooleanField("逾期未反馈", default=False)
    reminded_on = models.DateField("最近提醒日", null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=0, editable=False)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "约见"
        verbose_name_plural = "约见"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MeetingStatus.values), name="supervision_meeting_status"),
        ]

    def __str__(self) -> str:
        return f"约见{self.organ}：{self.subject}"


class DirectLine(models.Model):
    """直通车: an urgent suggestion between sessions, assigned at once through the suggestions workflow, with the
    short deadline promised for the lead unit's reply (the suggestions' own limit of months still stands)."""

    suggestion = models.OneToOneField(Suggestion, verbose_name="代表建议", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="人大（区划）", on_delete=models.PROTECT, related_name="+")
    urgency = models.CharField("紧急理由", max_length=300)
    reply_due = models.DateField("直通车答复期限")
    is_overdue = models.BooleanField("逾期未答复", default=False)
    reminded_on = models.DateField("最近提醒日", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="办理人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("直通时间", auto_now_add=True)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "直通车"
        verbose_name_plural = "直通车"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"直通车：{self.suggestion.title}"


EVENT_LABELS = {
    "create": "新建监督事项",
    "record_plan": "记录工作方案",
    "record_finding": "记录发现问题",
    "record_note": "添加记录",
    "schedule_inspection": "安排视察",
    "schedule_law_check": "安排执法检查",
    "opinions_send": "送达审议意见",
    "report_submit": "报送整改报告",
    "evaluation_open": "开始满意度测评",
    "paper_votes": "录入纸质票",
    "evaluation_close": "结束测评并计票",
    "meeting_request": "申请约见",
    "meeting_arrange": "安排约见",
    "meeting_decline": "不予安排",
    "meeting_record": "登记约见记录",
    "meeting_followup": "登记办理反馈",
    "direct_send": "直通交办",
    "overdue": "标记逾期",
}
STATUS_LABELS = {**dict(ItemStatus.choices), **dict(MeetingStatus.choices), "assigned": "已交办"}


class SupervisionEvent(models.Model):
    """Append-only: every change of an item, a 约见 or a 直通车 (old status → new, who, what)."""

    item = models.ForeignKey(SupervisionItem, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    direct = models.ForeignKey(DirectLine, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=32)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField("操作人", max_length=100, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "监督事件"
        verbose_name_plural = "监督事件"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.label} {self.from_status}→{self.to_status}"

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.action, self.action)

    @property
    def change(self) -> str:
        """“计划中 → 监督中” when the status changed, else empty."""
        if self.from_status == self.to_status or not self.to_status:
            return ""
        old = STATUS_LABELS.get(self.from_status, self.from_status) if self.from_status else "—"
        return f"{old} → {STATUS_LABELS.get(self.to_status, self.to_status)}"
