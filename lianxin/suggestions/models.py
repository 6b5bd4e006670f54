"""Deputies' suggestions (建议、批评和意见) and bills (议案): the ten-step work method (docs/suggestions.md).

A suggestion belongs to a congress's session or to the interval between sessions (闭会期间, the "直通车"), each with
its own numbering. The deputy drafts it (optionally from citizens' cases), co-signers sign, staff pre-review and
review it, assign it to units (one lead and co-units, or several leads), each lead unit replies (A/B/C) and the
deputy rates each reply. Every change goes through `lianxin.suggestions.workflow.suggestion_transition` and leaves a
`SuggestionEvent`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from lianxin.cases.models import Case, ResponsibleUnit
from lianxin.deputies.models import Deputy, DeputyGroup, MandateLevel
from lianxin.regions.models import Region


class SessionKind(models.TextChoices):
    MEETING = "meeting", "会议期间"
    INTERVAL = "interval", "闭会期间"


class Session(models.Model):
    """A congress's session (第十七届人民代表大会第三次会议) or the interval after it (闭会期间): the numbering unit."""

    congress_region = models.ForeignKey(Region, verbose_name="人大所在区划", on_delete=models.PROTECT, related_name="+")
    level = models.CharField("人大层级", max_length=16, choices=MandateLevel.choices)
    term = models.PositiveSmallIntegerField("届次", help_text="如 17 表示第十七届")
    kind = models.CharField("类型", max_length=16, choices=SessionKind.choices, default=SessionKind.MEETING)
    number = models.PositiveSmallIntegerField("会议次数", help_text="第几次会议；闭会期间填其前一次会议的次数")
    name = models.CharField("名称", max_length=100)
    opens_on = models.DateField("开始日期")
    closes_on = models.DateField("截止日期", null=True, blank=True, help_text="闭会期间可不填")
    is_open = models.BooleanField("接收建议", default=True)

    class Meta:
        verbose_name = "会议（届次）"
        verbose_name_plural = "会议（届次）"
        ordering = ["-opens_on", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["congress_region", "level", "term", "kind", "number"], name="suggestion_session_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Kind(models.TextChoices):
    SUGGESTION = "suggestion", "建议"
    BILL = "bill", "议案"


class Proposer(models.TextChoices):
    DEPUTY = "deputy", "代表"
    DELEGATION = "delegation", "代表团"
    PRESIDIUM = "presidium", "主席团"


class Field(models.TextChoices):
    ECONOMY = "economy", "经济建设"
    URBAN = "urban", "城乡建设与管理"
    RURAL = "rural", "农业农村"
    SOCIAL = "social", "教育科技文化卫生"
    LIVELIHOOD = "livelihood", "民政与社会保障"
    ENVIRONMENT = "environment", "生态环境"
    LAW = "law", "政治法律"
    OTHER = "other", "其他"


class Status(models.TextChoices):
    DRAFT = "draft", "草稿"
    COLLECTING = "collecting", "征集附议"
    SUBMITTED = "submitted", "待预审"
    RETURNED = "returned", "退回修改"
    PRE_REVIEWED = "pre_reviewed", "待审查"
    NOT_ACCEPTED = "not_accepted", "不予立案"
    TO_PRESIDIUM = "to_presidium", "提交主席团"
    ON_AGENDA = "on_agenda", "列入会议议程"
    ACCEPTED = "accepted", "已立案待交办"
    ASSIGNED = "assigned", "办理中"
    REPLIED = "replied", "已答复"
    RATED = "rated", "已评价"
    CLOSED = "closed", "已办结"
    WITHDRAWN = "withdrawn", "已撤回"


class ReplyClass(models.TextChoices):
    A = "A", "A类（已解决或采纳）"
    B = "B", "B类（正在解决或列入计划）"
    C = "C", "C类（因条件限制暂不能解决）"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class SuggestionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SuggestionQuerySet":
        """Staff see the suggestions of the congresses in their region; a deputy their own and those they were
        invited to co-sign; a unit's handler those assigned to their unit; a leader the key suggestions they lead."""
        from lianxin.core.scoping import region_scope_q

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        visible = region_scope_q(user, "region__path", "manage_suggestions")
        visible |= Q(lead_deputy__user=user) | Q(key_leader=user)
        visible |= Q(id__in=CoSigner.objects.filter(deputy__user=user).values("suggestion_id"))
        units = ResponsibleUnit.objects.filter(handlers=user, is_active=True).values("id")
        visible |= Q(id__in=UnitAssignment.objects.filter(unit__in=units, is_active=True).values("suggestion_id")) & ~Q(
            status__in=[Status.DRAFT, Status.COLLECTING, Status.SUBMITTED, Status.RETURNED]
        )
        return self.filter(visible)


class Suggestion(models.Model):
    session = models.ForeignKey(Session, verbose_name="会议", on_delete=models.PROTECT, related_name="suggestions")
    # The congress's region (the session's), kept on the row: every scope filter reads it.
    region = models.ForeignKey(Region, verbose_name="人大所在区划", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.SUGGESTION)
    number = models.PositiveIntegerField("编号", null=True, blank=True, help_text="立案时按会议分建议、议案顺序编号")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField("版本", default=0, editable=False)

    title = models.CharField("标题", max_length=120)
    reasons = models.TextField("案由", blank=True)
    content = models.TextField("建议内容", blank=True)
    draft_resolution = models.TextField("议案草案", blank=True, help_text="议案须附")
    field = models.CharField("领域", max_length=16, choices=Field.choices, default=Field.OTHER)

    proposer = models.CharField("提出者", max_length=16, choices=Proposer.choices, default=Proposer.DEPUTY)
    lead_deputy = models.ForeignKey(
        Deputy, verbose_name="领衔代表", null=True, blank=True, on_delete=models.PROTECT, related_name="suggestions"
    )
    delegation = models.ForeignKey(
        DeputyGroup, verbose_name="代表团", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    public_consent = models.BooleanField("同意公开", default=False, help_text="代表同意在门户公开建议与答复")
    cases = models.ManyToManyField(Case, verbose_name="来源意见", related_name="suggestions", blank=True)
    merged_into = models.ForeignKey(
        "self", verbose_name="并案至", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )

    # Review and handling.
    review_note = models.TextField("审查意见", blank=True)
    due_date = models.DateField("答复期限", null=True, blank=True)
    extension_reason = models.CharField("延期理由", max_length=500, blank=True)
    is_key = models.BooleanField("重点督办", default=False)
    key_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="督办领导",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="key_suggestions",
    )
    key_leader_name = models.CharField("督办领导姓名", max_length=50, blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    public_title = models.CharField("公开标题", max_length=120, blank=True)
    public_text = models.TextField("公开内容", blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    accepted_at = models.DateTimeField("立案时间", null=True, blank=True)
    assigned_at = models.DateTimeField("交办时间", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    # The key an API client or a double-clicked form sends with a submit: the same key makes one suggestion.
    client_key = models.CharField("提交标识", max_length=64, blank=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = "代表建议"
        verbose_name_plural = "代表建议"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "kind", "number"], name="suggestion_number_unique"),
            models.UniqueConstraint(
                fields=["created_by", "client_key"],
                condition=~Q(client_key=""),
                name="suggestion_client_key_unique",
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="suggestion_status_valid"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="suggestion_kind_valid"),
        ]
        indexes = [models.Index(fields=["session", "status"]), models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return f"{self.number_label} {self.title}"

    @property
    def number_label(self) -> str:
        prefix = "议案" if self.kind == Kind.BILL else "建议"
        return f"第{self.number}号{prefix}" if self.number else f"{prefix}（未编号）"


class SuggestionVersion(models.Model):
    """What the deputy submitted each time: a returned suggestion's history keeps every version."""

    suggestion = models.ForeignKey(Suggestion, verbose_name="建议", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField("第几稿")
    title = models.CharField("标题", max_length=120)
    reasons = models.TextField("案由", blank=True)
    content = models.TextField("建议内容", blank=True)
    draft_resolution = models.TextField("议案草案", blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "建议稿本"
        verbose_name_plural = "建议稿本"
        ordering = ["suggestion", "number"]
        constraints = [models.UniqueConstraint(fields=["suggestion", "number"], name="suggestion_version_unique")]

    def __str__(self) -> str:
        return f"第{self.number}稿 {self.title}"


class SourceKind(models.TextChoices):
    TRAINING = "training", "培训"
    RESEARCH = "research", "调研"
    ACTIVITY = "activity", "履职活动"
    OTHER = "other", "其他"


class SuggestionSource(models.Model):
    """培训、调研: the activities and research notes a suggestion grew from (a plain list for now)."""

    suggestion = models.ForeignKey(Suggestion, verbose_name="建议", on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField("类型", max_length=16, choices=SourceKind.choices)
    title = models.CharField("名称", max_length=200)
    happened_on = models.DateField("日期", null=True, blank=True)
    note = models.TextField("记录", blank=True)

    class Meta:
        verbose_name = "建议来源"
        verbose_name_plural = "建议来源"
        ordering = ["suggestion", "happened_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.title}"


class Attachment(models.Model):
    suggestion = models.ForeignKey(
        Suggestion, verbose_name="建议", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to="suggestions/%Y/")
    name = models.CharField("文件名", max_length=200)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.name


class SignStatus(models.TextChoices):
    INVITED = "invited", "已邀请"
    SIGNED = "signed", "已附议"
    DECLINED = "declined", "已谢绝"


class CoSigner(models.Model):
    """附议/联名: a deputy invited to co-sign, and whether they did."""

    suggestion = models.ForeignKey(Suggestion, verbose_name="建议", on_delete=models.CASCADE, related_name="co_signers")
    deputy = models.ForeignKey(Deputy, verbose_name="代表", on_delete=models.PROTECT, related_name="co_signed")
    status = models.CharField("状态", max_length=16, choices=SignStatus.choices, default=SignStatus.INVITED)
    invited_at = models.DateTimeField("邀请时间", auto_now_add=True)
    answered_at = models.DateTimeField("回复时间", null=True, blank=True)

    class Meta:
        verbose_name = "附议代表"
        verbose_name_plural = "附议代表"
        ordering = ["suggestion", "invited_at", "id"]
        constraints = [models.UniqueConstraint(fields=["suggestion", "deputy"], name="co_signer_unique")]

    def __str__(self) -> str:
        return f"{self.deputy}（{self.get_status_display()}）"


class UnitRole(models.TextChoices):
    LEAD = "lead", "主办"
    CO = "co", "协办"


class UnitAssignment(models.Model):
    """One unit's part: a lead unit replies to the deputy, a co-unit sends its opinion to the lead unit."""

    suggestion = models.ForeignKey(Suggestion, verbose_name="建议", on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey(ResponsibleUnit, verbose_name="承办单位", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("承办方式", max_length=8, choices=UnitRole.choices)
    # False once the unit was re-assigned away (its row stays for the record).
    is_active = models.BooleanField("有效", default=True)
    assigned_at = models.DateTimeField("交办时间")
    due_date = models.DateField("答复期限")
    reassign_until = models.DateField("申请调整截止")
    reassign_reason = models.CharField("申请调整理由", max_length=500, blank=True)
    reassign_requested_at = models.DateTimeField("申请调整时间", null=True, blank=True)
    is_overdue = models.BooleanField("超期", default=False)
    reminded_on = models.DateField("最近提醒", null=True, blank=True)

    # A co-unit's opinion to the lead unit.
    co_opinion = models.TextField("协办意见", blank=True)
    co_opinion_at = models.DateTimeField("协办意见时间", null=True, blank=True)

    # A lead unit's reply.
    reply_class = models.CharField("答复类别", max_length=1, choices=ReplyClass.choices, blank=True)
    reply_text = models.TextField("答复内容", blank=True)
    reply_file = models.FileField("答复函", upload_to="suggestions/replies/%Y/", blank=True)
    signed_by = models.CharField("签发人", max_length=50, blank=True)
    promised_on = models.DateField("承诺完成日期", null=True, blank=True, help_text="B类答复必填")
    promise_done_at = models.DateTimeField("承诺兑现时间", null=True, blank=True)
    promise_note = models.TextField("兑现情况", blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_late = models.BooleanField("逾期答复", default=False)

    # The deputy's rating of the reply.
    rating = models.CharField("评价", max_length=16, choices=Rating.choices, blank=True)
    rating_comment = models.TextField("评价意见", blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    rehandle_count = models.PositiveSmallIntegerField("重新办理次数", default=0)
    # The first reply and rating, kept when a re-handling replaces them.
    history = models.JSONField("此前答复", default=list, blank=True)

    class Meta:
        verbose_name = "承办单位"
        verbose_name_plural = "承办单位"
        ordering = ["suggestion", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "unit"], condition=Q(is_active=True), name="suggestion_unit_active_unique"
            ),
            models.CheckConstraint(condition=Q(role__in=UnitRole.values), name="suggestion_unit_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.unit}（{self.get_role_display()}）"


class ContactWay(models.TextChoices):
    PHONE = "phone", "电话"
    VISIT = "visit", "登门走访"
    MEETING = "meeting", "见面座谈"
    SITE = "site", "现场察看"
    MESSAGE = "message", "短信微信"


class UnitContact(models.Model):
    """办前联系: the unit contacted the deputy before replying (and perhaps met them)."""

    assignment = models.ForeignKey(
        UnitAssignment, verbose_name="承办", on_delete=models.CASCADE, related_name="contacts"
    )
    contacted_on = models.DateField("联系日期")
    way = models.CharField("联系方式", max_length=16, choices=ContactWay.choices)
    person = models.CharField("联系人", max_length=50)
    note = models.TextField("情况", blank=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "办前联系"
        verbose_name_plural = "办前联系"
        ordering = ["assignment", "contacted_on", "id"]

    def __str__(self) -> str:
        return f"{self.contacted_on:%Y-%m-%d} {self.get_way_display()} {self.person}"


class SuggestionEvent(models.Model):
    """Append-only: every action on a suggestion (old and new status, who, what changed)."""

    suggestion = models.ForeignKey(Suggestion, verbose_name="建议", on_delete=models.CASCADE, related_name="events")
    assignment = models.ForeignKey(
        UnitAssignment, verbose_name="承办", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField("操作", max_length=32)
    from_status = models.CharField("原状态", max_length=16)
    to_status = models.CharField("新状态", max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField("操作人", max_length=100)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "建议办理记录"
        verbose_name_plural = "建议办理记录"
        ordering = ["suggestion", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.created_at:%Y-%m-%d %H:%M}"


class SuggestionRules(models.Model):
    """The configurable numbers of a congress (the row of its region and level); without a row, the defaults."""

    region = models.ForeignKey(Region, verbose_name="人大所在区划", on_delete=models.CASCADE, related_name="+")
    level = models.CharField("人大层级", max_length=16, choices=MandateLevel.choices)
    bill_min_co_signers = models.PositiveSmallIntegerField("议案最少联名代表数", help_text="含领衔代表")
    reply_months = models.PositiveSmallIntegerField("答复期限（月）", default=3)
    max_extension_months = models.PositiveSmallIntegerField("延期后最长期限（月）", default=6)
    reassign_workdays = models.PositiveSmallIntegerField("申请调整承办单位期限（工作日）", default=5)
    co_opinion_months = models.PositiveSmallIntegerField("协办意见期限（月）", default=1)
    rehandle_months = models.PositiveSmallIntegerField("重新办理期限（月）", default=1)
    remind_days = models.PositiveSmallIntegerField("到期前提醒（天）", default=10)
    key_per_year = models.PositiveSmallIntegerField("每年重点督办件数", default=10)

    class Meta:
        verbose_name = "建议办理规则"
        verbose_name_plural = "建议办理规则"
        constraints = [models.UniqueConstraint(fields=["region", "level"], name="suggestion_rules_unique")]

    def __str__(self) -> str:
        return f"{self.region} {self.get_level_display()}人大"


class UnitEvaluation(models.Model):
    """评议: a unit reports its handling to the standing committee, whose members vote their satisfaction. The
    vote is taken in the meeting (on paper or the meeting's voting system); its counts are recorded here."""

    region = models.ForeignKey(Region, verbose_name="人大所在区划", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    unit = models.ForeignKey(ResponsibleUnit, verbose_name="承办单位", on_delete=models.PROTECT, related_name="+")
    reported_on = models.DateField("报告日期", null=True, blank=True)
    report = models.TextField("办理情况报告", blank=True)
    satisfied = models.PositiveSmallIntegerField("满意票", default=0)
    basic = models.PositiveSmallIntegerField("基本满意票", default=0)
    unsatisfied = models.PositiveSmallIntegerField("不满意票", default=0)
    note = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "承办单位评议"
        verbose_name_plural = "承办单位评议"
        ordering = ["-year", "unit__name"]
        constraints = [models.UniqueConstraint(fields=["region", "year", "unit"], name="unit_evaluation_unique")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.unit}"

    @property
    def satisfaction(self) -> float | None:
        total = self.satisfied + self.basic + self.unsatisfied
        return (self.satisfied + self.basic) / total if total else None


class AwardKind(models.TextChoices):
    BEST_SUGGESTION = "best_suggestion", "优秀代表建议"
    BEST_UNIT = "best_unit", "建议办理先进单位"


class AwardStatus(models.TextChoices):
    NOMINATED = "nominated", "已提名"
    AWARDED = "awarded", "已表彰"


class Award(models.Model):
    """评选表彰: nominations and awards for the best suggestions and the best units of a year."""

    region = models.ForeignKey(Region, verbose_name="人大所在区划", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("类型", max_length=20, choices=AwardKind.choices)
    suggestion = models.ForeignKey(
        Suggestion, verbose_name="建议", null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    unit = models.ForeignKey(
        ResponsibleUnit, verbose_name="承办单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=16, choices=AwardStatus.choices, default=AwardStatus.NOMINATED)
    reason = models.TextField("推荐理由", blank=True)
    decided_on = models.DateField("表彰日期", null=True, blank=True)

    class Meta:
        verbose_name = "评选表彰"
        verbose_name_plural = "评选表彰"
        ordering = ["-year", "kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="best_suggestion", suggestion__isnull=False, unit__isnull=True))
                | (Q(kind="best_unit", unit__isnull=False, suggestion__isnull=True)),
                name="award_subject_matches_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_kind_display()}"


class SuggestionRouter(models.Model):
    """建议分办模型: routing's TextRouter trained on assigned suggestions (title, 案由 and 建议内容 → the lead unit),
    so that staff assigning a suggestion see the units that handled similar ones. The active row is the one used;
    a separate table from routing's RouterVersion, whose single active version routes citizens' cases."""

    trained_at = models.DateTimeField("训练时间")
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="训练人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    samples = models.PositiveIntegerField("样本数")
    units = models.JSONField("承办单位", default=list, help_text="模型能建议的承办单位 id")
    metrics = models.JSONField("评估指标", default=dict, blank=True)
    training_seconds = models.FloatField("训练用时(秒)", default=0)
    size = models.PositiveIntegerField("模型大小(字节)", default=0)
    # The libraries that wrote the blob: scikit-learn only promises to load its pickles in the version that wrote
    # them; a model from other versions is not used (no proposals) until it is trained again.
    libraries = models.JSONField("依赖库版本", default=dict, blank=True)
    is_active = models.BooleanField("启用", default=False)
    blob = models.BinaryField("模型", editable=False)

    class Meta:
        verbose_name = "建议分办模型"
        verbose_name_plural = "建议分办模型"
        ordering = ["-trained_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="suggestion_router_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.trained_at:%Y-%m-%d %H:%M}（{self.samples} 件）"
