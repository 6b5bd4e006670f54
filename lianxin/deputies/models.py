"""Deputies (代表), their mandates, groups, grid workers (网格员) and the pairings between them.

Contact fields (phone, ID number, address) are for staff only: the API and pages show them only to users
holding Perm.VIEW_CONTACTS in the deputy's region.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from lianxin.core.codes import new_public_code
from lianxin.core.collation import StrokeKeyed, stroke_key_field, stroke_order
from lianxin.core.scoping import region_scope_q, scoped_manager
from lianxin.regions.models import Grid, Region
from lianxin.venues.models import Place


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class MandateLevel(models.TextChoices):
    NATIONAL = "national", "全国"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    TOWNSHIP = "township", "乡镇级"


class MandateStatus(models.TextChoices):
    SERVING = "serving", "在任"
    BY_ELECTED = "by_elected", "补选在任"
    RESIGNED = "resigned", "辞职"
    REMOVED = "removed", "罢免"
    TERM_ENDED = "term_ended", "届满"  # the term ended (换届: lianxin.deputies.terms)


SERVING_STATUSES = (MandateStatus.SERVING, MandateStatus.BY_ELECTED)


class DeputyQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DeputyQuerySet":
        """A deputy is in your scope when their congress, their electoral district or a grid they are
        embedded in lies in your region."""
        mandates = Mandate.objects.filter(
            region_scope_q(user, "congress_region__path") | region_scope_q(user, "district_region__path")
        )
        grids = GridAssignment.objects.filter(region_scope_q(user, "grid__region__path"))
        return self.filter(Q(id__in=mandates.values("deputy_id")) | Q(id__in=grids.values("deputy_id")))

    def serving(self) -> "DeputyQuerySet":
        return self.filter(mandates__status__in=SERVING_STATUSES).distinct()


class Deputy(StrokeKeyed, models.Model):
    name = models.CharField("姓名", max_length=50)
    name_stroke_key = stroke_key_field()  # 姓氏笔画 (lianxin.core.collation), kept up to date on save
    gender = models.CharField("性别", max_length=8, choices=Gender.choices)
    ethnicity = models.CharField("民族", max_length=20, blank=True, default="汉族")
    birth_date = models.DateField("出生日期", null=True, blank=True)
    political_affiliation = models.CharField("政治面貌", max_length=30, blank=True)
    education = models.CharField("学历", max_length=30, blank=True)
    occupation = models.CharField("职业", max_length=50, blank=True)
    employer = models.CharField("工作单位及职务", max_length=200, blank=True)
    specialties = models.JSONField("专业特长", default=list, blank=True)
    bio = models.TextField("公开简介", blank=True)
    photo = models.FileField("照片", upload_to="deputies/", blank=True)
    residence_region = models.ForeignKey(
        Region, verbose_name="居住村/社区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    residence_lat = models.FloatField("居住地纬度", null=True, blank=True)
    residence_lng = models.FloatField("居住地经度", null=True, blank=True)
    # Staff only.
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    address = models.CharField("联系地址", max_length=200, blank=True)

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deputy",
    )
    public_code = models.CharField("公开码", max_length=16, unique=True, default=new_public_code, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = DeputyQuerySet.as_manager()

    class Meta:
        verbose_name = "代表"
        verbose_name_plural = "代表"
        ordering = stroke_order("name")
        constraints = [
            models.UniqueConstraint(fields=["id_number"], condition=~Q(id_number=""), name="deputy_id_number_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def public_url(self) -> str:
        return f"{settings.SITE_URL}/d/{self.public_code}"


class DeputyLinkQuerySet(models.QuerySet):
    """Links between people are visible when their first deputy (`upper`/`member`'s partner) is."""

    def visible_to(self, user) -> "DeputyLinkQuerySet":
        anchor = "lower" if self.model.__name__ == "MentorPairing" else "member"
        return self.filter(**{f"{anchor}__in": Deputy.objects.visible_to(user)})


class Mandate(models.Model):
    """One seat in one congress for one term (届). A person may hold mandates at several levels."""

    deputy = models.ForeignKey(Deputy, verbose_name="代表", on_delete=models.CASCADE, related_name="mandates")
    level = models.CharField("层级", max_length=16, choices=MandateLevel.choices)
    congress_region = models.ForeignKey(Region, verbose_name="人大所在区划", on_delete=models.PROTECT, related_name="+")
    term = models.PositiveSmallIntegerField("届次", help_text="如 17 表示第十七届")
    district_name = models.CharField("选区/原选举单位", max_length=100, blank=True)
    district_region = models.ForeignKey(
        Region, verbose_name="选区所在区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("状态", max_length=16, choices=MandateStatus.choices, default=MandateStatus.SERVING)
    is_standing_committee = models.BooleanField("常委会组成人员", default=False)
    started_on = models.DateField("任职日期", null=True, blank=True)
    ended_on = models.DateField("终止日期", null=True, blank=True)

    objects = scoped_manager("congress_region__path")

    class Meta:
        verbose_name = "代表资格"
        verbose_name_plural = "代表资格"
        ordering = ["deputy", "level"]
        constraints = [
            models.UniqueConstraint(fields=["deputy", "level", "congress_region", "term"], name="mandate_unique"),
            models.CheckConstraint(condition=Q(level__in=MandateLevel.values), name="mandate_level_valid"),
            models.CheckConstraint(condition=Q(status__in=MandateStatus.values), name="mandate_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.congress_region}第{self.term}届{self.get_level_display()}人大代表"


class GroupKind(models.TextChoices):
    PROFESSIONAL = "professional", "专业代表小组"
    LOCAL = "local", "代表小组"
    SUPERVISION = "supervision", "监督小组"


class DeputyGroup(models.Model):
    kind = models.CharField("类型", max_length=16, choices=GroupKind.choices)
    name = models.CharField("名称", max_length=100)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(
        Place, verbose_name="依托家站", null=True, blank=True, on_delete=models.PROTECT, related_name="groups"
    )
    leader = models.ForeignKey(
        Deputy, verbose_name="组长", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    liaison_name = models.CharField("联络员", max_length=50, blank=True)
    liaison_phone = models.CharField("联络员电话", max_length=20, blank=True)
    members = models.ManyToManyField(Deputy, verbose_name="成员", related_name="groups", blank=True)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "代表小组"
        verbose_name_plural = "代表小组"
        ordering = ["region__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind", "name"], name="group_unique_name"),
            models.CheckConstraint(condition=Q(kind__in=GroupKind.values), name="group_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class GridWorker(StrokeKeyed, models.Model):
    name = models.CharField("姓名", max_length=50)
    name_stroke_key = stroke_key_field()  # 姓氏笔画 (lianxin.core.collation), kept up to date on save
    gender = models.CharField("性别", max_length=8, choices=Gender.choices, blank=True)
    grid = models.ForeignKey(Grid, verbose_name="所在网格", on_delete=models.PROTECT, related_name="workers")
    # Staff only.
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    phone = models.CharField("手机号", max_length=20)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grid_worker",
    )
    is_active = models.BooleanField("在岗", default=True)

    objects = scoped_manager("grid__region__path")

    class Meta:
        verbose_name = "网格员"
        verbose_name_plural = "网格员"
        ordering = ["grid__code", *stroke_order("name")]
        constraints = [
            models.UniqueConstraint(fields=["grid", "phone"], name="grid_worker_unique_phone"),
        ]

    def __str__(self) -> str:
        return self.name


class AssignmentBasis(models.TextChoices):
    DISTRICT = "district", "按选区/原选举单位"
    RESIDENCE = "residence", "按居住地就近就便"
    SPECIALTY = "specialty", "按专业特长"
    COVERAGE = "coverage", "补足空白网格"
    MANUAL = "manual", "人工指定"


class GridAssignment(models.Model):
    """A deputy embedded in a grid (代表进网格)."""

    deputy = models.ForeignKey(Deputy, verbose_name="代表", on_delete=models.CASCADE, related_name="grid_assignments")
    grid = models.ForeignKey(Grid, verbose_name="网格", on_delete=models.PROTECT, related_name="deputy_assignments")
    basis = models.CharField("依据", max_length=16, choices=AssignmentBasis.choices)
    created_at = models.DateTimeField("编入时间", auto_now_add=True)

    objects = scoped_manager("grid__region__path")

    class Meta:
        verbose_name = "代表进网格"
        verbose_name_plural = "代表进网格"
        constraints = [models.UniqueConstraint(fields=["deputy", "grid"], name="grid_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.deputy} → {self.grid}"


class GridWorkerPairing(models.Model):
    """代表+网格员: one grid worker with one or several deputies."""

    deputy = models.ForeignKey(Deputy, verbose_name="代表", on_delete=models.CASCADE, related_name="worker_pairings")
    grid_worker = models.ForeignKey(
        GridWorker, verbose_name="网格员", on_delete=models.CASCADE, related_name="deputy_pairings"
    )

    objects = scoped_manager("grid_worker__grid__region__path")

    class Meta:
        verbose_name = "代表与网格员结对"
        verbose_name_plural = "代表与网格员结对"
        constraints = [models.UniqueConstraint(fields=["deputy", "grid_worker"], name="worker_pairing_unique")]

    def __str__(self) -> str:
        return f"{self.deputy} + {self.grid_worker}"


class MentorPairing(models.Model):
    """结对互助: a provincial or city deputy paired with a county or township deputy."""

    upper = models.ForeignKey(Deputy, verbose_name="上级代表", on_delete=models.CASCADE, related_name="mentees")
    lower = models.ForeignKey(Deputy, verbose_name="基层代表", on_delete=models.CASCADE, related_name="mentors")

    objects = DeputyLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "上下级代表结对"
        verbose_name_plural = "上下级代表结对"
        constraints = [
            models.UniqueConstraint(fields=["upper", "lower"], name="mentor_pairing_unique"),
            models.CheckConstraint(condition=~Q(upper=models.F("lower")), name="mentor_pairing_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.upper} ↔ {self.lower}"


class GroupGridPairing(models.Model):
    """结对共建: a professional group working with a grid."""

    group = models.ForeignKey(
        DeputyGroup, verbose_name="专业代表小组", on_delete=models.CASCADE, related_name="grid_pairings"
    )
    grid = models.ForeignKey(Grid, verbose_name="网格", on_delete=models.CASCADE, related_name="group_pairings")

    objects = scoped_manager("grid__region__path")

    class Meta:
        verbose_name = "专业小组结对网格"
        verbose_name_plural = "专业小组结对网格"
        constraints = [models.UniqueConstraint(fields=["group", "grid"], name="group_grid_pairing_unique")]

    def __str__(self) -> str:
        return f"{self.group} ↔ {self.grid}"


class Household(models.Model):
    grid = models.ForeignKey(Grid, verbose_name="网格", on_delete=models.PROTECT, related_name="household_rows")
    head_name = models.CharField("户主", max_length=50)
    address = models.CharField("地址", max_length=200)
    members = models.PositiveSmallIntegerField("人数", default=1)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    deputies = models.ManyToManyField(Deputy, verbose_name="联系代表", related_name="households", blank=True)

    objects = scoped_manager("grid__region__path")

    class Meta:
        verbose_name = "联系户"
        verbose_name_plural = "联系户"

    def __str__(self) -> str:
        return f"{self.head_name}户"


class StandingMemberLink(models.Model):
    """A standing-committee member linked to a deputy, a place or a household (exactly one of them)."""

    member = models.ForeignKey(
        Deputy, verbose_name="常委会组成人员", on_delete=models.CASCADE, related_name="member_links"
    )
    deputy = models.ForeignKey(
        Deputy, verbose_name="联系代表", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    place = models.ForeignKey(
        Place, verbose_name="联系家站", null=True, blank=True, on_delete=models.CASCADE, related_name="member_links"
    )
    household = models.ForeignKey(
        Household, verbose_name="联系户", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    objects = DeputyLinkQuerySet.as_manager()

    class Meta:
        verbose_name = "常委会组成人员联系"
        verbose_name_plural = "常委会组成人员联系"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(deputy__isnull=False, place__isnull=True, household__isnull=True)
                    | Q(deputy__isnull=True, place__isnull=False, household__isnull=True)
                    | Q(deputy__isnull=True, place__isnull=True, household__isnull=False)
                ),
                name="member_link_exactly_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.deputy or self.place or self.household}"


class DutyShift(models.Model):
    """The duty roster (代表接待日): which deputy receives the public at which place, when."""

    place = models.ForeignKey(Place, verbose_name="家站室", on_delete=models.CASCADE, related_name="duty_shifts")
    deputy = models.ForeignKey(Deputy, verbose_name="接待代表", on_delete=models.CASCADE, related_name="duty_shifts")
    date = models.DateField("日期")
    start_time = models.TimeField("开始时间")
    end_time = models.TimeField("结束时间")
    note = models.CharField("备注", max_length=200, blank=True)

    objects = scoped_manager("place__region__path")

    class Meta:
        verbose_name = "接待排班"
        verbose_name_plural = "接待排班"
        ordering = ["date", "start_time"]
        constraints = [
            models.UniqueConstraint(fields=["place", "deputy", "date", "start_time"], name="duty_shift_unique"),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="duty_shift_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.place} {self.deputy}"
