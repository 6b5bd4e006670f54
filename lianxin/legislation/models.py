"""Grassroots legislative contact points (基层立法联系点) and the drafts they collect comments on.

A contact point is a place (a station, a home) that the congress designated; a draft is published article by
article (its Section tree: 编/章/节/条/款); people comment on an article, on a passage of it (quote offsets into
the article's text, as CONSUL's annotations) or on the draft in general; staff hide a comment with a reason (the
original is kept) and summarise each article (adopted / partly / not adopted, with a reason), which the public reads
as feedback once the regulation has passed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from lianxin.core.scoping import scoped_manager
from lianxin.regions.models import Region


class ContactPoint(models.Model):
    place = models.OneToOneField(
        "venues.Place", verbose_name="家站室", on_delete=models.PROTECT, related_name="legislative_contact_point"
    )
    # The place's region when it was designated; the scope of its drafts.
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    designated_on = models.DateField("设立日期")
    note = models.CharField("说明", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "基层立法联系点"
        verbose_name_plural = "基层立法联系点"
        ordering = ["region__path", "id"]

    def __str__(self) -> str:
        return self.place.name


class DraftKind(models.TextChoices):
    LOCAL = "local", "地方性法规"
    NATIONAL = "national", "国家法律（征求意见）"


class Stage(models.TextChoices):
    INITIATION = "initiation", "立项"
    DRAFTING = "drafting", "起草"
    REVIEW = "review", "审议"
    EVALUATION = "evaluation", "立法后评估"


class DraftStatus(models.TextChoices):
    DRAFT = "draft", "未发布"
    OPEN = "open", "征求意见中"
    CLOSED = "closed", "征求意见已结束"
    SUMMARISED = "summarised", "已汇总报送"
    PASSED = "passed", "已通过"


PUBLISHED_STATUSES = (DraftStatus.OPEN, DraftStatus.CLOSED, DraftStatus.SUMMARISED, DraftStatus.PASSED)


class Draft(models.Model):
    contact_point = models.ForeignKey(
        ContactPoint, verbose_name="立法联系点", on_delete=models.PROTECT, related_name="drafts"
    )
    title = models.CharField("标题", max_length=200)
    kind = models.CharField("类别", max_length=16, choices=DraftKind.choices, default=DraftKind.LOCAL)
    stage = models.CharField("立法阶段", max_length=16, choices=Stage.choices, default=Stage.REVIEW)
    intro = models.TextField("征求意见说明", blank=True)
    source_text = models.TextField("原文", blank=True)
    opens_on = models.DateField("征求意见开始")
    closes_on = models.DateField("征求意见截止")
    status = models.CharField("状态", max_length=16, choices=DraftStatus.choices, default=DraftStatus.DRAFT)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    passed_on = models.DateField("通过日期", null=True, blank=True)
    feedback_note = models.TextField("反馈说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = scoped_manager("contact_point__region__path")

    class Meta:
        verbose_name = "法规草案"
        verbose_name_plural = "法规草案"
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DraftStatus.values), name="legislation_draft_status_valid"),
            models.CheckConstraint(condition=Q(closes_on__gte=models.F("opens_on")), name="legislation_period_order"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status in PUBLISHED_STATUSES


class SectionLevel(models.TextChoices):
    PART = "part", "编"
    CHAPTER = "chapter", "章"
    SECTION = "section", "节"
    ARTICLE = "article", "条"
    PARAGRAPH = "paragraph", "款"


class Section(models.Model):
    draft = models.ForeignKey(Draft, verbose_name="草案", on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    level = models.CharField("层级", max_length=16, choices=SectionLevel.choices)
    number = models.PositiveIntegerField("序号")
    label = models.CharField("编号", max_length=30, help_text="如：第十一条")
    heading = models.CharField("标题", max_length=200, blank=True)
    text = models.TextField("正文", blank=True)
    order = models.PositiveIntegerField("顺序")

    class Meta:
        verbose_name = "草案条文"
        verbose_name_plural = "草案条文"
        ordering = ["draft", "order"]
        constraints = [models.UniqueConstraint(fields=["draft", "order"], name="legislation_section_order_unique")]

    def __str__(self) -> str:
        return f"{self.label} {self.heading}".strip()

    @property
    def is_article(self) -> bool:
        return self.level == SectionLevel.ARTICLE


class AuthorKind(models.TextChoices):
    CITIZEN = "citizen", "群众"
    DEPUTY = "deputy", "代表"


class CommentStatus(models.TextChoices):
    VISIBLE = "visible", "公开"
    HIDDEN = "hidden", "已屏蔽"


class Comment(models.Model):
    draft = models.ForeignKey(Draft, verbose_name="草案", on_delete=models.CASCADE, related_name="comments")
    # None: a comment on the draft as a whole (总体意见).
    section = models.ForeignKey(
        Section, verbose_name="条文", null=True, blank=True, on_delete=models.PROTECT, related_name="comments"
    )
    author_kind = models.CharField("身份", max_length=16, choices=AuthorKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deputy = models.ForeignKey(
        "deputies.Deputy", verbose_name="代表", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person_name = models.CharField("姓名", max_length=50, blank=True)
    person_phone = models.CharField("电话", max_length=30, blank=True)
    text = models.TextField("意见")
    quote_start = models.PositiveIntegerField("引文起点", null=True, blank=True)
    quote_end = models.PositiveIntegerField("引文终点", null=True, blank=True)
    quote_text = models.TextField("引用原文", blank=True)
    status = models.CharField("状态", max_length=16, choices=CommentStatus.choices, default=CommentStatus.VISIBLE)
    hidden_reason = models.CharField("屏蔽理由", max_length=200, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="屏蔽人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hidden_at = models.DateTimeField("屏蔽时间", null=True, blank=True)
    support_count = models.PositiveIntegerField("点赞数", default=0)
    # Who took part, for the statistics: "u:<user id>" or "b:<hash of the browser's cookie>"; never shown.
    participant = models.CharField(max_length=80, blank=True)
    # The form's one-time token: a double tap or a reload posts one comment.
    form_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    class Meta:
        verbose_name = "立法意见"
        verbose_name_plural = "立法意见"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CommentStatus.values), name="legislation_comment_status"),
            models.CheckConstraint(
                condition=Q(status=CommentStatus.VISIBLE) | ~Q(hidden_reason=""), name="legislation_hidden_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(quote_start__isnull=True, quote_end__isnull=True)
                | Q(quote_start__isnull=False, quote_end__gt=models.F("quote_start")),
                name="legislation_quote_range",
            ),
        ]
        indexes = [models.Index(fields=["draft", "section", "status"])]

    def __str__(self) -> str:
        return f"意见#{self.pk}"

    @property
    def is_visible(self) -> bool:
        return self.status == CommentStatus.VISIBLE


class Support(models.Model):
    """One 点赞 per person and comment: `voter` is "u:<user id>" or "b:<hash of the browser's cookie>"."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="supports")
    voter = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "点赞"
        verbose_name_plural = "点赞"
        constraints = [models.UniqueConstraint(fields=["comment", "voter"], name="legislation_one_support_each")]

    def __str__(self) -> str:
        return f"点赞 意见#{self.comment_id}"


class Outcome(models.TextChoices):
    ADOPTED = "adopted", "采纳"
    PARTLY = "partly", "部分采纳"
    NOT_ADOPTED = "not_adopted", "未采纳"


class ArticleSummary(models.Model):
    """The contact point's conclusion on the comments about one article (section None: the general comments)."""

    draft = models.ForeignKey(Draft, verbose_name="草案", on_delete=models.CASCADE, related_name="summaries")
    section = models.ForeignKey(
        Section, verbose_name="条文", null=True, blank=True, on_delete=models.CASCADE, related_name="summaries"
    )
    outcome = models.CharField("采纳情况", max_length=16, choices=Outcome.choices)
    reason = models.TextField("理由")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="汇总人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("汇总时间", auto_now=True)

    class Meta:
        verbose_name = "逐条汇总"
        verbose_name_plural = "逐条汇总"
        constraints = [
            models.UniqueConstraint(fields=["draft", "section"], name="legislation_summary_one_per_article"),
            models.UniqueConstraint(
                fields=["draft"], condition=Q(section__isnull=True), name="legislation_summary_one_general"
            ),
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="legislation_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.section or '总体意见'}：{self.get_outcome_display()}"


ACTION_LABELS = {
    "publish": "发布征求意见",
    "close": "结束征求意见",
    "reopen": "重新开放征求意见",
    "summarise": "汇总报送",
    "pass": "法规通过，公开反馈",
}


class DraftEvent(models.Model):
    """A draft's workflow step (publish, close, reopen, summarise, pass): old and new status, who, when, why."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16)
    old_status = models.CharField(max_length=16)
    new_status = models.CharField(max_length=16)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.old_status} → {self.new_status}"

    @property
    def label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)
