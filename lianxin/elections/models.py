"""Elections (选举): electoral districts (选区), their voter rolls (选民名册), the findings of the roll checks
(错·漏·重) and the staff's decision on each, and the candidates of by-elections (补选)."""

from typing import Any, Self

from django.conf import settings
from django.db import models

from lianxin.accounts.roles import Perm
from lianxin.core.collation import StrokeKeyed, StrokeKeyQuerySet, stroke_key_field, stroke_order
from lianxin.core.scoping import region_scope_q
from lianxin.regions.models import Region


class ElectionScopedQuerySet(models.QuerySet):
    """Rolls hold ID numbers and addresses of everyone: only those who run elections in a region see them."""

    region_path_lookup = "region__path"

    def visible_to(self, user: Any) -> Self:
        return self.filter(region_scope_q(user, self.region_path_lookup, Perm.MANAGE_ELECTIONS))


class VoterQuerySet(StrokeKeyQuerySet, ElectionScopedQuerySet):
    region_path_lookup = "district__region__path"


class RunQuerySet(ElectionScopedQuerySet):
    region_path_lookup = "election__region__path"


class ElectionKind(models.TextChoices):
    GENERAL = "general", "换届选举"
    BY_ELECTION = "by_election", "补选"


class Election(models.Model):
    name = models.CharField("选举名称", max_length=200)
    kind = models.CharField("类型", max_length=16, choices=ElectionKind.choices, default=ElectionKind.GENERAL)
    region = models.ForeignKey(Region, verbose_name="选举所在区划", on_delete=models.PROTECT, related_name="+")
    election_day = models.DateField("选举日")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ElectionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "选举"
        verbose_name_plural = "选举"
        ordering = ["-election_day", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=ElectionKind.values), name="election_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """An electoral district (选区) of one election, with its roll. A frozen roll has been published:
    every change after that needs a reason, which the audit row keeps."""

    election = models.ForeignKey(Election, verbose_name="选举", on_delete=models.CASCADE, related_name="districts")
    code = models.CharField("选区编号", max_length=32)
    name = models.CharField("选区名称", max_length=200)
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    seats = models.PositiveIntegerField("应选代表名额", default=1)
    frozen_at = models.DateTimeField("名册冻结时间", null=True, blank=True, editable=False)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="冻结人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ElectionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "选区"
        verbose_name_plural = "选区"
        ordering = ["election", "code"]
        constraints = [models.UniqueConstraint(fields=["election", "code"], name="district_code_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class Sex(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class VoterStatus(models.TextChoices):
    ACTIVE = "active", "在册"
    REMOVED = "removed", "已移出"


class Voter(StrokeKeyed, models.Model):
    """One registration on one district's roll, as entered. Mistakes are kept as entered so that the
    checks can find them; staff correct them through a finding or an audited edit."""

    district = models.ForeignKey(District, verbose_name="选区", on_delete=models.CASCADE, related_name="voters")
    name = models.CharField("姓名", max_length=64)
    name_stroke_key = stroke_key_field()  # 姓氏笔画 (lianxin.core.collation), kept up to date on save and in bulk
    sex = models.CharField("性别", max_length=8, choices=Sex.choices, blank=True)
    id_number = models.CharField("身份证号", max_length=32, db_index=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    nationality = models.CharField("民族", max_length=32, blank=True)
    household_address = models.CharField("户籍地址", max_length=255, blank=True)
    current_address = models.CharField("现住址", max_length=255, blank=True)
    status = models.CharField("状态", max_length=16, choices=VoterStatus.choices, default=VoterStatus.ACTIVE)
    status_reason = models.CharField("移出原因", max_length=255, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = VoterQuerySet.as_manager()

    class Meta:
        verbose_name = "选民"
        verbose_name_plural = "选民名册"
        ordering = ["district", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=VoterStatus.values), name="voter_status_valid"),
        ]
        indexes = [models.Index(fields=["district", "status"], name="voter_district_status_idx")]

    def __str__(self) -> str:
        return f"{self.name}（{mask_id_number(self.id_number)}）"


def mask_id_number(value: str) -> str:
    """What a published list shows of an ID number: the first 4 and last 4 characters."""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


class CheckRun(models.Model):
    election = models.ForeignKey(Election, verbose_name="选举", on_delete=models.CASCADE, related_name="check_runs")
    started_at = models.DateTimeField("核查时间", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="核查人", null=True, blank=True, on_delete=models.SET_NULL
    )
    voters = models.PositiveIntegerField("核查人数", default=0)
    seconds = models.FloatField("用时(秒)", default=0)
    summary = models.JSONField("结果汇总", default=dict)

    objects = RunQuerySet.as_manager()

    class Meta:
        verbose_name = "名册核查"
        verbose_name_plural = "名册核查"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.election} {self.started_at:%Y-%m-%d %H:%M}"


class FindingKind(models.TextChoices):
    ERROR = "error", "错登"
    DUPLICATE = "duplicate", "重登"
    OMISSION = "omission", "漏登"


class Resolution(models.TextChoices):
    KEEP = "keep", "保留（核实无误）"
    MERGE = "merge", "合并（保留一条）"
    REMOVE = "remove", "移出名册"
    CORRECT = "correct", "更正（漏登者登记入册）"


class Finding(models.Model):
    """One problem a check found, and what staff decided. A duplicate names both registrations; an
    omission of someone on no roll names the person from the register instead of a registration."""

    election = models.ForeignKey(Election, verbose_name="选举", on_delete=models.CASCADE, related_name="findings")
    run = models.ForeignKey(CheckRun, verbose_name="核查", on_delete=models.CASCADE, related_name="findings")
    # Where the finding lives, for scope: the district's region, or the election's for people on no roll.
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类别", max_length=16, choices=FindingKind.choices)
    code = models.CharField("问题", max_length=32)
    # The same problem found again by a later run is the same finding: kind:code:keys or kind:code:ID.
    signature = models.CharField("问题标识", max_length=120, editable=False)
    voter = models.ForeignKey(
        Voter, verbose_name="选民", null=True, blank=True, on_delete=models.CASCADE, related_name="findings"
    )
    other_voter = models.ForeignKey(
        Voter, verbose_name="疑似重复的选民", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField("相似度", null=True, blank=True)
    reason = models.TextField("说明与依据")
    # The person from the register, for an omission of someone on no roll.
    person_name = models.CharField("姓名", max_length=64, blank=True)
    person_id_number = models.CharField("身份证号", max_length=32, blank=True)
    person_birth_date = models.DateField("出生日期", null=True, blank=True)
    resolution = models.CharField("处理", max_length=16, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField("处理说明", blank=True)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ElectionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "核查问题"
        verbose_name_plural = "核查问题"
        ordering = ["kind", "code", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=FindingKind.values), name="finding_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(resolution__in=["", *Resolution.values]), name="finding_resolution_valid"
            ),
            models.UniqueConstraint(fields=["election", "signature"], name="finding_signature_unique"),
        ]
        indexes = [models.Index(fields=["election", "resolution"], name="finding_open_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.reason[:60]}"

    @property
    def is_open(self) -> bool:
        return not self.resolution


class Qualification(models.TextChoices):
    PENDING = "pending", "待审查"
    QUALIFIED = "qualified", "资格有效"
    DISQUALIFIED = "disqualified", "资格无效"


class Candidate(StrokeKeyed, models.Model):
    """A candidate (代表候选人) of a district, reviewed for qualification before the list is published."""

    district = models.ForeignKey(District, verbose_name="选区", on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField("姓名", max_length=64)
    # The law (选举法) lists candidates by 姓氏笔画 (lianxin.core.collation), kept up to date on save and in bulk.
    name_stroke_key = stroke_key_field()
    sex = models.CharField("性别", max_length=8, choices=Sex.choices, blank=True)
    id_number = models.CharField("身份证号", max_length=32)
    nominated_by = models.CharField(
        "推荐方式", max_length=100, blank=True, help_text="政党、人民团体或选民10人以上联名"
    )
    occupation = models.CharField("职业与职务", max_length=200, blank=True)
    qualification = models.CharField(
        "资格审查", max_length=16, choices=Qualification.choices, default=Qualification.PENDING
    )
    review_note = models.TextField("审查意见", blank=True)
    reviewed_at = models.DateTimeField("审查时间", null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审查人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = VoterQuerySet.as_manager()

    class Meta:
        verbose_name = "代表候选人"
        verbose_name_plural = "代表候选人"
        ordering = ["district", *stroke_order("name")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(qualification__in=Qualification.values), name="candidate_qualification_valid"
            ),
            models.UniqueConstraint(fields=["district", "id_number"], name="candidate_unique_per_district"),
        ]

    def __str__(self) -> str:
        return self.name


class ResultQuerySet(ElectionScopedQuerySet):
    region_path_lookup = "candidate__district__region__path"


class ElectionResult(models.Model):
    """A candidate declared elected (当选), with the deputy and the mandate the result made (lianxin.elections.results).
    One row per elected candidate: a district's seats bound how many it may hold."""

    candidate = models.OneToOneField(
        Candidate, verbose_name="当选候选人", on_delete=models.PROTECT, related_name="result"
    )
    elected_on = models.DateField("当选日期")
    deputy = models.ForeignKey(
        "deputies.Deputy", verbose_name="代表", on_delete=models.PROTECT, related_name="election_results"
    )
    mandate = models.OneToOneField(
        "deputies.Mandate", verbose_name="代表资格", on_delete=models.PROTECT, related_name="election_result"
    )
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = "当选结果"
        verbose_name_plural = "当选结果"
        ordering = ["candidate__district", "candidate__name_stroke_key", "id"]

    def __str__(self) -> str:
        return f"{self.candidate.name}当选（{self.elected_on:%Y-%m-%d}）"
