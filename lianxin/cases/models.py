"""Citizens' opinions (意见建议) and the closed loop they travel: 接待有登记、登记有处理、处理有结果、结果有反馈.

A Case is registered on one of the channels, accepted and classified, then handled one way or another, replied
to, fed back to the person and the deputy, rated, closed (销号) and published (公开). The states and the
actions between them are the table in workflow.py; every action writes a CaseEvent. Nothing here is deleted.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from lianxin.core.appendonly import AppendOnlyQuerySet
from lianxin.core.scoping import region_scope_q, scoped_manager
from lianxin.deputies.models import Deputy, GridWorker
from lianxin.regions.models import Grid, Region
from lianxin.venues.models import Place


class Channel(models.TextChoices):
    STATION = "station", "站内坐诊"
    MOBILE = "mobile", "流动巡诊"
    ONLINE = "online", "线上问诊"
    HOTLINE = "hotline", "12345热线"
    GRID_WORKER = "grid_worker", "网格员上报"
    VISIT = "visit", "代表走访"
    MEETING = "meeting", "议事协商会"
    PHONE = "phone", "来电"  # a phone call taken at a station or a congress office (接待登记台)


class Status(models.TextChoices):
    REGISTERED = "registered", "已登记"
    ACCEPTED = "accepted", "已受理"
    COORDINATING = "coordinating", "属地协调中"
    TRANSFERRED = "transferred", "已交办"
    SUPERVISING = "supervising", "督办中"
    REPLIED = "replied", "已答复"
    FED_BACK = "fed_back", "已反馈"
    RATED = "rated", "已评价"
    CONVERTED = "converted", "已转代表建议"
    MERGED = "merged", "已并入普遍问题"
    DECLINED = "declined", "不予受理"
    CLOSED = "closed", "已销号"
    PUBLISHED = "published", "已公开"


OPEN_STATUSES = frozenset(
    {
        Status.REGISTERED,
        Status.ACCEPTED,
        Status.COORDINATING,
        Status.TRANSFERRED,
        Status.SUPERVISING,
        Status.REPLIED,
        Status.FED_BACK,
        Status.MERGED,
    }
)
# A case counts as resolved (办结) once it has a result that reached the person, or was settled another way.
RESOLVED_STATUSES = frozenset(
    {Status.FED_BACK, Status.RATED, Status.CONVERTED, Status.DECLINED, Status.CLOSED, Status.PUBLISHED}
)


class Handling(models.TextChoices):
    """How a case was decided after acceptance (the ways of DOMAIN.md's step 3)."""

    ANSWERED = "answered", "当场答复"
    COORDINATED = "coordinated", "属地协调"
    TRANSFERRED = "transferred", "交办承办单位"
    CONVERTED = "converted", "转为代表建议"
    MERGED = "merged", "并入普遍问题"
    DECLINED = "declined", "不予受理"


class Urgency(models.TextChoices):
    NORMAL = "normal", "一般"
    URGENT = "urgent", "紧急"


class Scope(models.TextChoices):
    INDIVIDUAL = "individual", "个别问题"
    COMMON = "common", "普遍问题"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY = "basically", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class ReplyVia(models.TextChoices):
    NONE = "none", "不需要回复"
    SMS = "sms", "短信"
    PHONE = "phone", "电话"
    WECHAT = "wechat", "微信"
    ONLINE = "online", "凭查询码在线查看"


class Category(models.Model):
    """A kind of problem (城乡建设, 交通运输 …); the `code` is the Open311 service_code."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=50, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    keywords = models.JSONField("关键词", default=list, blank=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "意见类别"
        verbose_name_plural = "意见类别"
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.name


class ResponsibleUnit(models.Model):
    """承办单位: a government department or township that handles cases of some categories in some regions."""

    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+", help_text="单位所在的政府层级"
    )
    categories = models.ManyToManyField(Category, verbose_name="承办类别", related_name="units", blank=True)
    serves = models.ManyToManyField(
        Region, verbose_name="服务区划", related_name="serving_units", blank=True, help_text="含下级区划"
    )
    contact_name = models.CharField("联系人", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话", max_length=30, blank=True)
    handlers = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="经办人", related_name="units", blank=True)
    is_active = models.BooleanField("启用", default=True)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "承办单位"
        verbose_name_plural = "承办单位"
        ordering = ["region__path", "name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name")]

    def __str__(self) -> str:
        return self.name


class DeadlinePolicy(models.Model):
    """Working-day limits. The row with no category applies where no category-specific row exists.

    Defaults follow 德清: accept, transfer and first feedback on the same working day (0); the unit replies within
    15 working days (5 when urgent); the person hears back within 1 working day of the reply.
    """

    category = models.ForeignKey(Category, verbose_name="类别", null=True, blank=True, on_delete=models.CASCADE)
    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices)
    accept_days = models.PositiveSmallIntegerField("受理时限(工作日)", default=0)
    transfer_days = models.PositiveSmallIntegerField("交办时限(工作日)", default=0)
    reply_days = models.PositiveSmallIntegerField("单位答复时限(工作日)")
    feedback_days = models.PositiveSmallIntegerField("反馈群众时限(工作日)", default=1)
    remind_before_days = models.PositiveSmallIntegerField("提前提醒(工作日)", default=1)

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        constraints = [
            models.UniqueConstraint(fields=["category", "urgency"], name="deadline_policy_unique"),
            models.UniqueConstraint(
                fields=["urgency"], condition=Q(category__isnull=True), name="deadline_policy_default_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '默认'} · {self.get_urgency_display()}"


class ReceptionKind(models.TextChoices):
    STATION = "station", "站内坐诊"
    MOBILE = "mobile", "流动巡诊"


class ReceptionSession(models.Model):
    """A deputy receiving the public at a place (坐诊) or anywhere (巡诊); it counts the people received."""

    kind = models.CharField("接待方式", max_length=16, choices=ReceptionKind.choices)
    deputy = models.ForeignKey(Deputy, verbose_name="接待代表", on_delete=models.PROTECT, related_name="receptions")
    place = models.ForeignKey(Place, verbose_name="家站室", null=True, blank=True, on_delete=models.PROTECT)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    location = models.CharField("地点", max_length=200, blank=True)
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    people_received = models.PositiveIntegerField("接待人数", default=0)
    note = models.TextField("记录", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "接待活动"
        verbose_name_plural = "接待活动"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d} {self.deputy} {self.get_kind_display()}"


def grid_worker_cases_q(user) -> Q:
    """A grid worker's cases: those of the grid they serve as an active grid worker (its point lies in the grid, or
    it was registered there), whoever reported them, and those they reported themselves. The one rule of the API,
    the back office and the grid worker's phone pages. A subquery, not a join: a grid has several workers."""
    grids = GridWorker.objects.filter(user=user, is_active=True).values("grid_id")
    return Q(grid__in=grids) | Q(grid_worker__user=user)


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CaseQuerySet":
        """Staff see the cases of their region; a deputy the cases that came to them; a unit's handler the
        cases assigned to their unit; a grid worker the cases of their grid (grid_worker_cases_q). Nothing else
        exists for them."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        visible = region_scope_q(user, "region__path", "handle_cases")
        visible |= Q(deputy__user=user) | grid_worker_cases_q(user)
        # A subquery, not a join: joining the handlers table would repeat a case once per handler of its unit.
        units = ResponsibleUnit.objects.filter(handlers=user).values("id")
        visible |= Q(unit__in=units) & region_scope_q(user, "region__path", "reply_as_unit")
        return self.filter(visible)

    def of_grid_worker(self, user) -> "CaseQuerySet":
        """The grid worker's share of visible_to alone (their phone pages list their grid, not what another role
        of the same account adds)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(grid_worker_cases_q(user))


class Case(models.Model):
    receipt_code = models.CharField("查询码", max_length=16, unique=True, editable=False)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.REGISTERED)
    # Bumped by every transition: the compare-and-swap that makes one of two simultaneous actions lose.
    version = models.PositiveIntegerField("版本", default=0, editable=False)

    # Where it came from and what it is about.
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(Place, verbose_name="家站室", null=True, blank=True, on_delete=models.PROTECT)
    deputy = models.ForeignKey(
        Deputy, verbose_name="接待代表", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    grid = models.ForeignKey(Grid, verbose_name="网格", null=True, blank=True, on_delete=models.PROTECT)
    grid_worker = models.ForeignKey(
        GridWorker, verbose_name="上报网格员", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    session = models.ForeignKey(
        ReceptionSession, verbose_name="接待活动", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    address = models.CharField("地点", max_length=200, blank=True)
    category = models.ForeignKey(Category, verbose_name="类别", null=True, blank=True, on_delete=models.PROTECT)
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容", max_length=5000)
    external_id = models.CharField("外部编号", max_length=64, blank=True, help_text="如 12345 工单号")

    # The person. Anonymous is allowed; contact details are personal data and never published.
    person_name = models.CharField("反映人", max_length=50, blank=True)
    person_phone = models.CharField("联系电话", max_length=20, blank=True)
    is_anonymous = models.BooleanField("匿名", default=False)
    reply_via = models.CharField("回复方式", max_length=16, choices=ReplyVia.choices, default=ReplyVia.ONLINE)
    people_count = models.PositiveSmallIntegerField("反映人数", default=1)

    # Classification and handling.
    scope = models.CharField("问题性质", max_length=16, choices=Scope.choices, default=Scope.INDIVIDUAL)
    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    handling = models.CharField("处理方式", max_length=16, choices=Handling.choices, blank=True)
    master = models.ForeignKey(
        "self",
        verbose_name="普遍问题主件",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    unit = models.ForeignKey(
        ResponsibleUnit, verbose_name="承办单位", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    reply = models.TextField("答复意见", blank=True)
    decline_reason = models.TextField("不予受理理由", blank=True)
    suggestion_ref = models.CharField("代表建议编号", max_length=64, blank=True)
    rating = models.CharField("满意度", max_length=16, choices=Rating.choices, blank=True)
    rating_comment = models.TextField("评价意见", blank=True)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    is_supervised = models.BooleanField("督办件", default=False)
    is_overdue = models.BooleanField("已超期", default=False)
    public_title = models.CharField("公开标题", max_length=100, blank=True)
    public_text = models.TextField("公开内容", blank=True)

    # Deadlines (end of a working day) and milestones.
    registered_at = models.DateTimeField("登记时间", db_index=True)
    accept_due = models.DateTimeField("受理时限", null=True, blank=True)
    reply_due = models.DateTimeField("答复时限", null=True, blank=True)
    feedback_due = models.DateTimeField("反馈时限", null=True, blank=True)
    accepted_at = models.DateTimeField("受理时间", null=True, blank=True)
    transferred_at = models.DateTimeField("交办时间", null=True, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    fed_back_at = models.DateTimeField("反馈时间", null=True, blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    published_at = models.DateTimeField("公开时间", null=True, blank=True)
    reminded_at = models.DateTimeField("最近提醒", null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # "<client>:<key>" of the request that created it: a retried submission finds this case instead of a new one.
    idempotency_key = models.CharField("幂等键", max_length=200, null=True, blank=True, unique=True, editable=False)
    routing = models.JSONField("分办建议", default=dict, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = "意见建议"
        verbose_name_plural = "意见建议"
        ordering = ["-registered_at", "-id"]
        indexes = [
            models.Index(fields=["status", "reply_due"]),
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["deputy", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="case_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="case_channel_valid"),
            models.CheckConstraint(condition=Q(rating__in=["", *Rating.values]), name="case_rating_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseEvent(models.Model):
    """One step of a case's history. Append-only: the timeline shown to staff and, in plain words, to the person.
    Refused one by one (save, delete), in bulk (the queryset) and in SQL (a PostgreSQL trigger): core.appendonly."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    action = models.CharField("操作", max_length=32)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField("操作方", max_length=50, blank=True, help_text="如 群众、系统、承办单位名称")
    note = models.TextField("说明", blank=True)
    data = models.JSONField("数据", default=dict, blank=True)
    is_public = models.BooleanField("群众可见", default=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case.receipt_code} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("case events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("case events are append-only")


class Attachment(models.Model):
    """A photo or document on a case, attached at registration or to a later event (a reply's scan, …)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField("文件", upload_to="cases/%Y/%m/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"

    def __str__(self) -> str:
        return self.file.name or ""


class GridFollowUp(models.Model):
    """A grid worker's follow-up note on a case of their grid (跟进/走访记录), shown on the case's pages.

    Not a CaseEvent: the workflow has no "note" action and gives a grid worker no step of its own (workflow.py), and
    a case event is a change of state. A note changes nothing on the case, so it is kept beside it, audited; no page
    edits or deletes one. Written first by the workbench, whose table it keeps (moved here without copying rows)."""

    case = models.ForeignKey(Case, verbose_name="意见建议", on_delete=models.PROTECT, related_name="grid_follow_ups")
    grid_worker = models.ForeignKey(
        GridWorker, verbose_name="网格员", on_delete=models.PROTECT, related_name="follow_ups"
    )
    text = models.TextField("走访记录", max_length=2000)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        db_table = "workbench_gridfollowup"
        verbose_name = "网格员走访记录"
        verbose_name_plural = "网格员走访记录"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.grid_worker} {self.created_at:%Y-%m-%d}"


class SubmissionStatus(models.TextChoices):
    QUEUED = "queued", "已收到，正在登记"
    REGISTERED = "registered", "已登记"
    REJECTED = "rejected", "未能登记"
    # An unexpected error (a bug, a value the checks let through), not a refusal: kept aside with the error so
    # the rest of the queue goes on; staff re-queue it by hand once the cause is fixed (SubmissionAdmin).
    FAILED = "failed", "登记出错，待处理"


class Submission(models.Model):
    """A case submitted through the API, accepted with one durable write and registered by the worker.

    The person holds the receipt code from the moment of acceptance; the case, when registered, carries the same
    code, the same idempotency key and `registered_at` = `received_at`, so deadlines count from when the opinion
    arrived. A submission the worker cannot register (say, the submitter lost their role meanwhile) is kept as
    rejected with the reason. Nothing here is deleted. docs/decisions/0001-asynchronous-api-intake.md says why.
    """

    # Accepting a submission is one INSERT, and this table is written far more often than it is read, so it
    # carries only what a lookup needs: the receipt code and the idempotency key are unique by constraints (no
    # second `LIKE` index, which `unique=True` adds on PostgreSQL); the submitter is not indexed (found through
    # the receipt code). The submitter and the region have no foreign-key constraint in the database: checking
    # one locks the referenced row (FOR KEY SHARE), and concurrent submissions by one city system's account all
    # lock the same user row — measured, 0.12 ms of PostgreSQL's ~0.46 ms per INSERT at 8 connections
    # (bench/README.md). Both were read and checked in the same request, users and regions are never deleted
    # (PROTECT still holds for the ORM), and the worker resolves both again before it registers anything.
    receipt_code = models.CharField("查询码", max_length=16, editable=False)
    idempotency_key = models.CharField("幂等键", max_length=200, null=True, blank=True, editable=False)
    # SHA-256 of the accepted payload (intake.payload_fingerprint): a retry under the same idempotency key with
    # another body is refused instead of answered with this submission. Empty on rows older than the column.
    fingerprint = models.CharField("内容摘要", max_length=64, blank=True, default="", db_default="", editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    payload = models.JSONField("提交内容")
    # Where the checks placed it (a place, a location, a deputy's district resolve to one): the back office's scope.
    region = models.ForeignKey(
        Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    received_at = models.DateTimeField("收到时间")
    # Defaults in the database too: intake's INSERT names only the five columns a new submission has.
    status = models.CharField(
        "状态",
        max_length=16,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.QUEUED,
        db_default=SubmissionStatus.QUEUED,
    )
    case = models.OneToOneField(
        Case, verbose_name="意见建议", null=True, blank=True, on_delete=models.PROTECT, related_name="submission"
    )
    error_code = models.CharField("错误代码", max_length=64, blank=True, default="", db_default="")
    error_message = models.CharField("未能登记的原因", max_length=500, blank=True, default="", db_default="")
    error_field = models.CharField("出错字段", max_length=64, blank=True, default="", db_default="")
    processed_at = models.DateTimeField("处理时间", null=True, blank=True)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "接口提交"
        verbose_name_plural = "接口提交"
        ordering = ["-id"]
        indexes = [
            # The worker's scan: only the queued rows, in arrival order.
            models.Index(fields=["id"], condition=Q(status="queued"), name="submission_queued_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=SubmissionStatus.values), name="submission_status_valid"),
            models.UniqueConstraint(fields=["receipt_code"], name="submission_receipt_code_unique"),
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="submission_idempotency_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_code} {self.get_status_display()}"
