"""Duty performance (履职): activities with QR sign-in and leave, meetings with their outcomes, pledges, frequency
rules, scoring (记工分) with self-assessment and the organisation's confirmation, honours, and duty funds.

Receptions are recorded once, by the cases app (`cases.ReceptionSession`, 坐诊 and 巡诊); the duty selectors count
them as activities of the kind `reception` without copying them here (docs/duties.md).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from lianxin.cases.models import Case
from lianxin.core.scoping import scoped_manager
from lianxin.deputies.models import Deputy, MandateLevel
from lianxin.regions.models import Region
from lianxin.venues.models import Place


class ActivityKind(models.TextChoices):
    RECEPTION = "reception", "接待选民"
    VISIT = "visit", "走访群众"
    ENTERPRISE_VISIT = "enterprise_visit", "走访企业"
    INSPECTION = "inspection", "视察"
    LAW_CHECK = "law_check", "执法检查"
    RESEARCH = "research", "调研"
    GRID_DAY = "grid_day", "网格议事日"
    RESIDENTS_TALK = "residents_talk", "居民恳谈会"
    HEARING = "hearing", "听证会"
    CONSULTATION = "consultation", "专题协商会"
    BRIEFING = "briefing", "代表知情议政会"
    MEDIATION = "mediation", "矛盾调解"
    TRAINING = "training", "履职培训"
    REPORT = "report", "向选民述职"
    SESSION = "session", "出席人代会"


# Activities among the people: what the frequency rules call a grassroots activity (进站、下网格、走访).
GRASSROOTS_KINDS = frozenset(
    {
        ActivityKind.RECEPTION,
        ActivityKind.VISIT,
        ActivityKind.ENTERPRISE_VISIT,
        ActivityKind.RESEARCH,
        ActivityKind.GRID_DAY,
        ActivityKind.RESIDENTS_TALK,
        ActivityKind.MEDIATION,
        ActivityKind.REPORT,
    }
)
# The congresses whose deputies are elected directly by the voters (县、乡两级): they report to their voters (述职).
DIRECTLY_ELECTED_LEVELS = frozenset({MandateLevel.COUNTY, MandateLevel.TOWNSHIP})

# Meetings whose outcome is a list of points raised, answered on the spot or transferred.
MEETING_KINDS = frozenset(
    {
        ActivityKind.BRIEFING,
        ActivityKind.CONSULTATION,
        ActivityKind.GRID_DAY,
        ActivityKind.RESIDENTS_TALK,
        ActivityKind.HEARING,
    }
)


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", "计划"
    HELD = "held", "已举行"
    CANCELLED = "cancelled", "已取消"


def new_signin_code() -> str:
    return secrets.token_urlsafe(12)


class Activity(models.Model):
    kind = models.CharField("活动类型", max_length=20, choices=ActivityKind.choices)
    title = models.CharField("名称", max_length=120)
    status = models.CharField("状态", max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(Place, verbose_name="家站室", null=True, blank=True, on_delete=models.PROTECT)
    location = models.CharField("地点", max_length=200, blank=True)
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="组织者",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organiser_name = models.CharField("组织单位", max_length=100, blank=True)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    hours = models.DecimalField("学时", max_digits=4, decimal_places=1, null=True, blank=True, help_text="培训填写")
    training_plan = models.ForeignKey(
        "TrainingPlan",
        verbose_name="培训计划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="classes",
        help_text="培训计划中的一期",
    )
    outcome = models.TextField("活动成果", blank=True)
    # The code an invited deputy scans to sign in; renewed by staff if it leaks.
    signin_code = models.CharField("签到码", max_length=32, unique=True, default=new_signin_code, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    version = models.PositiveIntegerField("版本", default=0, editable=False)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "履职活动"
        verbose_name_plural = "履职活动"
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["region", "starts_at"]), models.Index(fields=["kind", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="activity_ends_after_start"),
            models.CheckConstraint(condition=Q(kind__in=ActivityKind.values), name="activity_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d} {self.title}"


class AttendanceStatus(models.TextChoices):
    INVITED = "invited", "已邀请"
    PRESENT = "present", "已签到"
    LEAVE_REQUESTED = "leave_requested", "请假待批"
    ON_LEAVE = "on_leave", "已准假"
    ABSENT = "absent", "缺席"


class SignInMethod(models.TextChoices):
    QR = "qr", "扫码签到"
    MANUAL = "manual", "工作人员补签"


class Attendance(models.Model):
    # Indexed by attendance_unique, which starts with the activity.
    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="attendances", db_index=False
    )
    # Indexed by attendance_deputy_status below, which starts with the deputy.
    deputy = models.ForeignKey(
        Deputy, verbose_name="代表", on_delete=models.PROTECT, related_name="attendances", db_index=False
    )
    invited = models.BooleanField("受邀", default=True, help_text="未受邀而签到的代表记为否")
    status = models.CharField("出席", max_length=16, choices=AttendanceStatus.choices, default=AttendanceStatus.INVITED)
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    method = models.CharField("签到方式", max_length=8, choices=SignInMethod.choices, blank=True)
    lat = models.FloatField("签到纬度", null=True, blank=True)
    lng = models.FloatField("签到经度", null=True, blank=True)
    reason = models.CharField("补签或请假理由", max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)

    class Meta:
        verbose_name = "出席记录"
        verbose_name_plural = "出席记录"
        ordering = ["activity", "deputy__name_stroke_key", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "deputy"], name="attendance_unique"),
            models.CheckConstraint(condition=Q(status__in=AttendanceStatus.values), name="attendance_status_valid"),
        ]
        # Covering (PostgreSQL): a board or a score reads a deputy's attended activities from the index alone.
        indexes = [models.Index(fields=["deputy", "status"], include=["activity"], name="attendance_deputy_status")]

    def __str__(self) -> str:
        return f"{self.deputy}（{self.get_status_display()}）"


class PointHandling(models.TextChoices):
    PENDING = "pending", "待处理"
    ANSWERED = "answered", "当场答复"
    TRANSFERRED = "transferred", "会后转办"


class MeetingPoint(models.Model):
    """One point raised at a deliberation or 知情议政 meeting: who raised it, to whom, and what came of it."""

    activity = models.ForeignKey(Activity, verbose_name="会议", on_delete=models.CASCADE, related_name="points")
    raised_by = models.ForeignKey(
        Deputy, verbose_name="提出代表", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raised_by_name = models.CharField("提出人", max_length=50, blank=True, help_text="非代表（群众、村民代表）填写")
    counterpart = models.CharField("答复部门及负责人", max_length=100, blank=True)
    text = models.TextField("意见建议")
    handling = models.CharField("处理", max_length=16, choices=PointHandling.choices, default=PointHandling.PENDING)
    answer = models.TextField("当场答复", blank=True)
    case = models.ForeignKey(
        Case, verbose_name="转为意见建议", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    suggestion = models.ForeignKey(
        "suggestions.Suggestion",
        verbose_name="转为代表建议",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "会议意见"
        verbose_name_plural = "会议意见"
        ordering = ["activity", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class Pledge(models.Model):
    """履职承诺: what a deputy promises at the start of a year, and the year-end result."""

    deputy = models.ForeignKey(Deputy, verbose_name="代表", on_delete=models.CASCADE, related_name="pledges")
    year = models.PositiveSmallIntegerField("年度")
    text = models.TextField("承诺事项")
    result = models.TextField("完成情况", blank=True)
    is_kept = models.BooleanField("已兑现", null=True, blank=True)
    created_at = models.DateTimeField("承诺时间", auto_now_add=True)
    assessed_at = models.DateTimeField("评定时间", null=True, blank=True)

    class Meta:
        verbose_name = "履职承诺"
        verbose_name_plural = "履职承诺"
        ordering = ["-year", "deputy__name_stroke_key", "id"]

    def __str__(self) -> str:
        return f"{self.year} {self.deputy}"


class RuleSubject(models.TextChoices):
    DEPUTY = "deputy", "每位代表"
    PLACE = "place", "每个家站室"


class RulePeriod(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    YEAR = "year", "每年"
    TERM = "term", "每届"


class FrequencyRule(models.Model):
    """A minimum frequency: e.g. county deputies at least one grassroots activity a month (Lanzhou)."""

    name = models.CharField("名称", max_length=100)
    subject = models.CharField("对象", max_length=8, choices=RuleSubject.choices, default=RuleSubject.DEPUTY)
    level = models.CharField("代表层级", max_length=16, choices=MandateLevel.choices, blank=True, help_text="空为各级")
    place_kind = models.CharField("家站室类型", max_length=16, blank=True, help_text="对象为家站室时可限定类型")
    kinds = models.JSONField("计入的活动类型", default=list, help_text="空为基层活动（进站、走访、网格议事等）")
    period = models.CharField("周期", max_length=8, choices=RulePeriod.choices)
    minimum = models.PositiveSmallIntegerField("最少次数", default=1)
    directly_elected_only = models.BooleanField("仅直接选举的代表", default=False)
    remind_days = models.PositiveSmallIntegerField("周期结束前提醒（天）", default=10)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "履职频次规则"
        verbose_name_plural = "履职频次规则"
        ordering = ["subject", "level", "id"]

    def __str__(self) -> str:
        return self.name


class ScoreSource(models.TextChoices):
    ACTIVITIES = "activities", "按活动出席计分"
    RECEPTIONS = "receptions", "按接待选民计分"
    SUGGESTIONS = "suggestions", "按提出建议计分"
    SUGGESTION_SATISFIED = "suggestion_satisfied", "按建议办理满意计分"
    CASES = "cases", "按办结群众意见计分"
    CASE_SATISFIED = "case_satisfied", "按群众满意计分"
    PLEDGES_KEPT = "pledges_kept", "按兑现承诺计分"
    SELF = "self", "代表自评、组织评定"


class ScoreItem(models.Model):
    """One item of a congress's scoring (记工分) for a year: how it is counted and what it is worth."""

    region = models.ForeignKey(Region, verbose_name="人大所在区划", on_delete=models.CASCADE, related_name="+")
    level = models.CharField("人大层级", max_length=16, choices=MandateLevel.choices)
    year = models.PositiveSmallIntegerField("年度")
    position = models.PositiveSmallIntegerField("序号", default=0)
    name = models.CharField("计分项目", max_length=60)
    source = models.CharField("计分方式", max_length=24, choices=ScoreSource.choices)
    kinds = models.JSONField("计入的活动类型", default=list, blank=True)
    points_each = models.DecimalField("每次分值", max_digits=5, decimal_places=1, default=1)
    max_points = models.DecimalField("最高分", max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = "计分项目"
        verbose_name_plural = "计分项目"
        ordering = ["region", "level", "year", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "level", "year", "name"], name="score_item_unique"),
            models.CheckConstraint(condition=Q(max_points__gte=0), name="score_item_max_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class EntryStatus(models.TextChoices):
    CLAIMED = "claimed", "代表自评"
    CONFIRMED = "confirmed", "组织评定"


class ScoreEntry(models.Model):
    """A self-assessed item (自评, with evidence) and the organisation's confirmed or corrected points."""

    deputy = models.ForeignKey(Deputy, verbose_name="代表", on_delete=models.CASCADE, related_name="score_entries")
    item = models.ForeignKey(ScoreItem, verbose_name="计分项目", on_delete=models.CASCADE, related_name="entries")
    claimed = models.DecimalField("自评分", max_digits=5, decimal_places=1)
    evidence = models.TextField("佐证说明", blank=True)
    status = models.CharField("状态", max_length=16, choices=EntryStatus.choices, default=EntryStatus.CLAIMED)
    confirmed = models.DecimalField("评定分", max_digits=5, decimal_places=1, null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField("评定说明", max_length=300, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "自评计分"
        verbose_name_plural = "自评计分"
        constraints = [models.UniqueConstraint(fields=["deputy", "item"], name="score_entry_unique")]

    def __str__(self) -> str:
        return f"{self.deputy} {self.item.name}"


class HonourStatus(models.TextChoices):
    PROPOSED = "proposed", "推荐"
    AWARDED = "awarded", "授予"
    DECLINED = "declined", "未授予"


class Honour(models.Model):
    """优秀代表: proposed from the ranking, decided by staff."""

    deputy = models.ForeignKey(Deputy, verbose_name="代表", on_delete=models.CASCADE, related_name="honours")
    region = models.ForeignKey(Region, verbose_name="人大所在区划", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("称号", max_length=60, default="优秀人大代表")
    status = models.CharField("状态", max_length=16, choices=HonourStatus.choices, default=HonourStatus.PROPOSED)
    score = models.DecimalField("得分", max_digits=6, decimal_places=1, null=True, blank=True)
    rank = models.PositiveIntegerField("名次", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)

    class Meta:
        verbose_name = "优秀代表"
        verbose_name_plural = "优秀代表"
        ordering = ["-year", "rank", "id"]
        constraints = [models.UniqueConstraint(fields=["deputy", "region", "year", "title"], name="honour_unique")]

    def __str__(self) -> str:
        return f"{self.year} {self.title} {self.deputy}"


class TrainingPlan(models.Model):
    """A congress's training plan for a year (培训计划, 4–6 classes a year): its classes are activities of the kind
    `training` linked to the plan; the deputies enrolled are invited to every class (lianxin.duties.trainings)."""

    region = models.ForeignKey(Region, verbose_name="人大所在区划", on_delete=models.PROTECT, related_name="+")
    level = models.CharField("人大层级", max_length=16, choices=MandateLevel.choices)
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("计划名称", max_length=120)
    planned_classes = models.PositiveSmallIntegerField("计划期数", default=4)
    description = models.TextField("培训内容", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="制定人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("制定时间", auto_now_add=True)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "培训计划"
        verbose_name_plural = "培训计划"
        ordering = ["-year", "region__code", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_classes__gte=1, planned_classes__lte=12), name="training_plan_classes_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class TrainingEnrolment(models.Model):
    """A deputy enrolled in a training plan (报名): invited to each of the plan's classes."""

    plan = models.ForeignKey(TrainingPlan, verbose_name="培训计划", on_delete=models.CASCADE, related_name="enrolments")
    deputy = models.ForeignKey(Deputy, verbose_name="代表", on_delete=models.CASCADE, related_name="+")
    enrolled_at = models.DateTimeField("报名时间", auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "培训报名"
        verbose_name_plural = "培训报名"
        ordering = ["plan", "deputy__name_stroke_key", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "deputy"], name="training_enrolment_unique")]

    def __str__(self) -> str:
        return f"{self.plan} {self.deputy}"


class RecordPublication(models.Model):
    """A congress publishes its deputies' duty records of a year (履职档案公开): only published years appear on a
    deputy's public page, in the public form (counts, no personal data)."""

    region = models.ForeignKey(Region, verbose_name="人大所在区划", on_delete=models.PROTECT, related_name="+")
    level = models.CharField("人大层级", max_length=16, choices=MandateLevel.choices)
    year = models.PositiveSmallIntegerField("年度")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField("发布时间", auto_now_add=True)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "履职档案公开"
        verbose_name_plural = "履职档案公开"
        ordering = ["-year", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "level", "year"], name="record_publication_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.region} {self.get_level_display()}"


class FundAllocation(models.Model):
    """履职经费: the yearly amount of a deputy (default 2,000 yuan for a city deputy)."""

    deputy = models.ForeignKey(Deputy, verbose_name="代表", on_delete=models.CASCADE, related_name="fund_allocations")
    year = models.PositiveSmallIntegerField("年度")
    amount = models.DecimalField("额度（元）", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "履职经费额度"
        verbose_name_plural = "履职经费额度"
        constraints = [
            models.UniqueConstraint(fields=["deputy", "year"], name="fund_allocation_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="fund_allocation_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.deputy} {self.amount}"


class FundEntry(models.Model):
    deputy = models.ForeignKey(Deputy, verbose_name="代表", on_delete=models.CASCADE, related_name="fund_entries")
    spent_on = models.DateField("日期")
    amount = models.DecimalField("金额（元）", max_digits=10, decimal_places=2)
    purpose = models.CharField("用途", max_length=200)
    receipt = models.FileField("票据", upload_to="funds/%Y/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "履职经费支出"
        verbose_name_plural = "履职经费支出"
        ordering = ["-spent_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="fund_entry_positive")]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.purpose} {self.amount}"


class VoterEvaluation(models.Model):
    """Voters evaluate a deputy's 述职: a public form reached by the activity's QR code; no identity kept."""

    activity = models.ForeignKey(
        Activity, verbose_name="述职活动", on_delete=models.CASCADE, related_name="evaluations"
    )
    deputy = models.ForeignKey(Deputy, verbose_name="代表", on_delete=models.CASCADE, related_name="+")
    rating = models.CharField(
        "评价", max_length=16, choices=[("satisfied", "满意"), ("basic", "基本满意"), ("unsatisfied", "不满意")]
    )
    comment = models.TextField("意见", blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "选民评议"
        verbose_name_plural = "选民评议"
        ordering = ["activity", "id"]

    def __str__(self) -> str:
        return f"{self.deputy} {self.get_rating_display()}"


class ReminderKind(models.TextChoices):
    RULE = "rule", "频次规则未达标"
    PLACE_RULE = "place_rule", "家站室频次未达标"
    LEAVE = "leave", "请假待审批"


class DutyReminder(models.Model):
    """A reminder the worker sent (lianxin.duties.jobs): the unique constraints make each one go out once — to a
    deputy per rule and period, to an activity's organiser once about its undecided leave requests — however often
    and in however many processes the job runs."""

    kind = models.CharField("提醒类型", max_length=12, choices=ReminderKind.choices)
    deputy = models.ForeignKey(Deputy, verbose_name="代表", null=True, on_delete=models.CASCADE, related_name="+")
    place = models.ForeignKey(Place, verbose_name="家站室", null=True, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(FrequencyRule, verbose_name="规则", null=True, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField("周期开始", null=True)
    activity = models.ForeignKey(Activity, verbose_name="活动", null=True, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField("提醒时间", auto_now_add=True)

    class Meta:
        verbose_name = "履职提醒"
        verbose_name_plural = "履职提醒"
        constraints = [
            models.UniqueConstraint(
                fields=["deputy", "rule", "period_start"], condition=Q(kind="rule"), name="duty_reminder_rule_once"
            ),
            models.UniqueConstraint(fields=["activity"], condition=Q(kind="leave"), name="duty_reminder_leave_once"),
            models.UniqueConstraint(
                fields=["place", "rule", "period_start"],
                condition=Q(kind="place_rule"),
                name="duty_reminder_place_rule_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sent_at:%Y-%m-%d}"
