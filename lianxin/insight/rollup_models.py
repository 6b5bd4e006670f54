"""The rollups of the dashboards' figures (docs/decisions/0003-insight-rollups.md): a fact per case, the sums of the
facts at three grains, and the worker's watermark. Written only by lianxin.insight.rollups; read by
lianxin.insight.figures.

Keys are plain integers, 0 for "none" (no township, no category, no unit), not nullable foreign keys: SQL's NULLs
never conflict in a unique index, and `INSERT … ON CONFLICT … DO UPDATE` must find the row it adds to. Every table
carries the same measure columns (`Measures`): sums over the cases of the row, each measure a count of some of its
cases, so a row whose `received` falls to 0 is all zeros and is deleted (the rebuild never writes one)."""

from django.db import models
from django.db.models import Q

from lianxin.cases.models import Case

# The measure columns, in the order of Fact.measures() (lianxin.insight.rollups) and of the SQL that sums them.
MEASURES = (
    "received",
    "pending",
    "declined",
    "accepted",
    "resolved",
    "timed",
    "handling_days",
    "flagged",
    "online",
    "rated",
    "satisfied",
    "on_time",
)


class Span(models.IntegerChoices):
    """The length of a period in months (of a slice or a coarse cube's row), which starts on the row's `month`."""

    MONTH = 1, "月"
    QUARTER = 3, "季度"
    YEAR = 12, "年"


class Measures(models.Model):
    """cases.reports' measures that a case's row decides (the clock decides the rest: waiting past a deadline now,
    read live by the figures). `handling_days` sums the working days of the `timed` cases; `flagged` counts
    `is_overdue`; `on_time` the resolved cases not flagged `is_overdue` (resolved within the deadlines of their
    round: a resolved case waits for no deadline, so the flag is all that can make it late)."""

    received = models.IntegerField("收到", default=0)
    pending = models.IntegerField("待受理", default=0)
    declined = models.IntegerField("不予受理", default=0)
    accepted = models.IntegerField("受理", default=0)
    resolved = models.IntegerField("办结", default=0)
    timed = models.IntegerField("有办理用时", default=0)
    handling_days = models.IntegerField("办理用时合计(工作日)", default=0)
    flagged = models.IntegerField("已标记超期", default=0)
    online = models.IntegerField("线上", default=0)
    rated = models.IntegerField("已评价", default=0)
    satisfied = models.IntegerField("满意", default=0)
    on_time = models.IntegerField("按期办结", default=0)  # resolved and never flagged overdue in its round

    class Meta:
        abstract = True


class CaseFact(Measures):
    """What the rollups currently count for one case: the keys it is counted under and its measures (each 0 or 1,
    `handling_days` its working days). The worker's memory: a change is applied as new fact − old fact."""

    # No constraint in the database: cases are never deleted, and the rebuild writes millions of facts at once.
    case = models.OneToOneField(
        Case, on_delete=models.DO_NOTHING, primary_key=True, related_name="+", db_constraint=False
    )
    day = models.DateField("登记日期")  # Beijing date of registered_at
    month = models.DateField("登记月份")  # its first day
    region_id = models.IntegerField("所在区划")  # the case's own region (a village's figures)
    province_id = models.IntegerField("省", default=0)
    city_id = models.IntegerField("市", default=0)
    county_id = models.IntegerField("县", default=0)
    township_id = models.IntegerField("乡镇", default=0)
    category_id = models.IntegerField("类别", default=0)
    unit_id = models.IntegerField("承办单位", default=0)
    deputy_id = models.IntegerField("接待代表", default=0)  # the dashboards' breakdowns by deputy and by place
    place_id = models.IntegerField("接待家站室", default=0)
    channel = models.CharField("渠道", max_length=16)

    class Meta:
        verbose_name = "统计事实"
        verbose_name_plural = "统计事实"
        indexes = [
            models.Index(fields=["region_id", "month"], name="insight_fact_region_month"),
            models.Index(fields=["township_id", "day"], name="insight_fact_township_day"),
        ]

    def __str__(self) -> str:
        return f"#{self.case_id} {self.day}"


CUBE_KEY = ("month", "province_id", "city_id", "county_id", "township_id", "category_id", "unit_id", "channel")


class MonthlyCube(Measures):
    """Sums per (month, township, category, unit, channel). The township's county, city and province ride along
    (a township has one of each, so they add no rows) so that any level filters without a join; a case registered
    above township level has township 0."""

    month = models.DateField("月份")
    province_id = models.IntegerField("省", default=0)
    city_id = models.IntegerField("市", default=0)
    county_id = models.IntegerField("县", default=0)
    township_id = models.IntegerField("乡镇", default=0)
    category_id = models.IntegerField("类别", default=0)
    unit_id = models.IntegerField("承办单位", default=0)
    channel = models.CharField("渠道", max_length=16)

    class Meta:
        verbose_name = "月度统计立方"
        verbose_name_plural = "月度统计立方"
        constraints = [models.UniqueConstraint(fields=CUBE_KEY, name="insight_cube_key")]
        indexes = [
            models.Index(fields=["county_id", "month"], name="insight_cube_county_month"),
            models.Index(fields=["city_id", "month"], name="insight_cube_city_month"),
            models.Index(fields=["province_id", "month"], name="insight_cube_province_month"),
            models.Index(fields=["township_id", "month"], name="insight_cube_township_month"),
            models.Index(fields=["unit_id", "month"], name="insight_cube_unit_month"),
            models.Index(fields=["id"], condition=Q(received=0), name="insight_cube_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 乡镇#{self.township_id} 类别#{self.category_id} 单位#{self.unit_id} {self.channel}"


class CoarseCube(Measures):
    """The coarse cubes' keys: the period and the chain down to the county, without the township (a county-year is
    a dozen rows a key instead of a dozen townships' worth). `township_id` is kept only for the cases of a township
    that has no county above it (0 otherwise), so that a city's or a province's child region is still exact. A
    period is a month, a calendar quarter or a calendar year (`span`, as the slices'): a province's year filtered
    by a channel reads each unit's year, not its twelve months."""

    month = models.DateField("起始月份")
    span = models.PositiveSmallIntegerField("跨度", choices=Span.choices, default=Span.MONTH)
    province_id = models.IntegerField("省", default=0)
    city_id = models.IntegerField("市", default=0)
    county_id = models.IntegerField("县", default=0)
    township_id = models.IntegerField("无县乡镇", default=0)

    class Meta:
        abstract = True


def _coarse_indexes(prefix: str, *extra: str) -> list[models.Index]:
    indexes = [
        models.Index(fields=[column, "span", "month"], name=f"{prefix}_{column.removesuffix('_id')}_period")
        for column in ("province_id", "city_id", "county_id", *extra)
    ]
    return [*indexes, models.Index(fields=["id"], condition=Q(received=0), name=f"{prefix}_empty")]


COARSE_CHAIN = ("month", "span", "province_id", "city_id", "county_id", "township_id")
COUNTY_CUBE_KEY = (*COARSE_CHAIN, "category_id", "channel")


class CountyCube(CoarseCube):
    """Sums per (month, county, category, channel): a province's or a city's figures filtered by a category or a
    channel, with their breakdowns by child region, category and channel."""

    category_id = models.IntegerField("类别", default=0)
    channel = models.CharField("渠道", max_length=16)

    class Meta:
        verbose_name = "县级月度统计立方"
        verbose_name_plural = "县级月度统计立方"
        constraints = [models.UniqueConstraint(fields=COUNTY_CUBE_KEY, name="insight_cc_key")]
        indexes = _coarse_indexes("insight_cc", "category_id", "channel")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 县#{self.county_id} 类别#{self.category_id} {self.channel}"


UNIT_CATEGORY_KEY = (*COARSE_CHAIN, "unit_id", "category_id")


class UnitCategoryCube(CoarseCube):
    """Sums per (month, county, unit, category): the breakdown by unit of a category, and a unit's by category.
    A unit belongs to one county, so a unit adds few rows to a county's month."""

    unit_id = models.IntegerField("承办单位", default=0)
    category_id = models.IntegerField("类别", default=0)

    class Meta:
        verbose_name = "承办单位×类别月度统计"
        verbose_name_plural = "承办单位×类别月度统计"
        constraints = [models.UniqueConstraint(fields=UNIT_CATEGORY_KEY, name="insight_ucat_key")]
        indexes = _coarse_indexes("insight_ucat", "unit_id", "category_id")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 县#{self.county_id} 单位#{self.unit_id} 类别#{self.category_id}"


UNIT_CHANNEL_KEY = (*COARSE_CHAIN, "unit_id", "channel")


class UnitChannelCube(CoarseCube):
    """Sums per (month, county, unit, channel): the breakdown by unit of a channel, and a unit's by channel."""

    unit_id = models.IntegerField("承办单位", default=0)
    channel = models.CharField("渠道", max_length=16)

    class Meta:
        verbose_name = "承办单位×渠道月度统计"
        verbose_name_plural = "承办单位×渠道月度统计"
        constraints = [models.UniqueConstraint(fields=UNIT_CHANNEL_KEY, name="insight_uchn_key")]
        indexes = _coarse_indexes("insight_uchn", "unit_id", "channel")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} 县#{self.county_id} 单位#{self.unit_id} {self.channel}"


class SliceDim(models.TextChoices):
    ALL = "all", "合计"
    CATEGORY = "category", "类别"
    UNIT = "unit", "承办单位"
    CHANNEL = "channel", "渠道"
    CHILD = "child", "下级区划"
    DEPUTY = "deputy", "接待代表"
    PLACE = "place", "接待家站室"


# What a township's slices break down by: its totals, villages, deputies and places (the categories, units and
# channels of a township come from the township cube, MonthlyCube).
TOWNSHIP_DIMS = (SliceDim.ALL, SliceDim.CHILD, SliceDim.DEPUTY, SliceDim.PLACE)

SLICE_KEY = ("month", "span", "node_id", "dim", "key")


class PeriodSlice(Measures):
    """Sums per (period, node, dim, key) for the county, city and province nodes: the node's totals (dim "all", key
    "") and its breakdowns by category id, unit id, channel, child region id ("" for none, and for the cases
    registered at the node itself), deputy id and place id ("" for none); for the township nodes, the dims of
    TOWNSHIP_DIMS (its villages as the child). A period is a month, a calendar quarter or a calendar year (`span`) starting on
    `month`: a case counts in the three periods of its month, so that a province's year by unit is one row a unit,
    not twelve."""

    month = models.DateField("起始月份")
    span = models.PositiveSmallIntegerField("跨度", choices=Span.choices, default=Span.MONTH)
    node_id = models.IntegerField("区划")
    dim = models.CharField("维度", max_length=10, choices=SliceDim.choices)
    key = models.CharField("取值", max_length=20, blank=True)

    class Meta:
        verbose_name = "统计切片"
        verbose_name_plural = "统计切片"
        constraints = [models.UniqueConstraint(fields=SLICE_KEY, name="insight_slice_key")]
        indexes = [
            models.Index(fields=["node_id", "dim", "span", "month"], name="insight_slice_node_span"),
            models.Index(fields=["id"], condition=Q(received=0), name="insight_slice_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}+{self.span}月 区划#{self.node_id} {self.dim}={self.key}"


DAILY_KEY = ("node_id", "day")


class DailyTotal(Measures):
    """Sums per (day, node) for the township, county, city and province nodes: the trend lines."""

    day = models.DateField("日期")
    node_id = models.IntegerField("区划")

    class Meta:
        verbose_name = "每日统计"
        verbose_name_plural = "每日统计"
        constraints = [models.UniqueConstraint(fields=DAILY_KEY, name="insight_daily_key")]
        indexes = [models.Index(fields=["id"], condition=Q(received=0), name="insight_daily_empty")]

    def __str__(self) -> str:
        return f"{self.day} 区划#{self.node_id}"


class RollupState(models.Model):
    """One row: the last CaseEvent the worker has applied to the rollups (lianxin.insight.rollups)."""

    last_event_id = models.BigIntegerField("已处理到的办理记录", default=0)
    rebuilt_at = models.DateTimeField("最近重建时间", null=True, blank=True)

    class Meta:
        verbose_name = "统计汇总进度"
        verbose_name_plural = "统计汇总进度"

    def __str__(self) -> str:
        return f"办理记录 #{self.last_event_id}"
