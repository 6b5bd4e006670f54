"""Household points (where people live, when staff import them) and saved service-circle plans with their proposed
sites."""

from django.conf import settings
from django.db import models

from lianxin.core.scoping import scoped_manager
from lianxin.regions.models import Grid, Region
from lianxin.venues.models import Place


class HouseholdPoint(models.Model):
    """One household's location, imported by staff (`lianxin import_households`); when a grid has any, its demand
    is these points weighted by their members instead of its population spread over its polygon."""

    grid = models.ForeignKey(Grid, verbose_name="网格", on_delete=models.CASCADE, related_name="circle_households")
    address = models.CharField("地址", max_length=200, blank=True)
    members = models.PositiveSmallIntegerField("人数", default=1)
    lat = models.FloatField("纬度")
    lng = models.FloatField("经度")
    imported_at = models.DateTimeField("导入时间", auto_now_add=True)

    objects = scoped_manager("grid__region__path")

    class Meta:
        verbose_name = "住户点位"
        verbose_name_plural = "住户点位"
        ordering = ["grid", "pk"]

    def __str__(self) -> str:
        return self.address or f"{self.lat:.5f},{self.lng:.5f}"


class TravelKind(models.TextChoices):
    STRAIGHT = "straight", "直线距离×绕行系数"
    NETWORK = "network", "路网步行最短路径"


class CirclePlan(models.Model):
    """A coverage analysis of a region and its proposed new places, as computed at `created_at`."""

    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    minutes = models.PositiveSmallIntegerField("步行分钟", default=15)
    travel = models.CharField("步行时间算法", max_length=16, choices=TravelKind.choices)
    detour = models.FloatField("绕行系数", default=1.3)
    speed_kmh = models.FloatField("步行速度(公里/小时)", default=5.0)
    osm_name = models.CharField("路网文件", max_length=200, blank=True)
    demand_source = models.CharField("人口来源", max_length=200)
    population = models.PositiveIntegerField("人口")
    covered = models.PositiveIntegerField("已覆盖人口")
    greedy_gain = models.PositiveIntegerField("贪心法新增覆盖", default=0)
    ilp_gain = models.PositiveIntegerField("整数规划新增覆盖", default=0)
    ilp_gap = models.FloatField("整数规划最优性差距", null=True, blank=True)
    ilp_status = models.CharField("整数规划状态", max_length=60, blank=True)
    method = models.CharField("采用方案", max_length=16, default="ilp")
    # Figures for the map and table: {"thresholds": {...}, "grids": {grid id: [people, covered at each threshold]}}.
    figures = models.JSONField("覆盖数据", default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="创建人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    places_created_at = models.DateTimeField("已建家站室时间", null=True, blank=True)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "服务圈方案"
        verbose_name_plural = "服务圈方案"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(travel__in=TravelKind.values), name="circle_plan_travel_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.region.name}{self.minutes}分钟服务圈方案"

    @property
    def share(self) -> float:
        return self.covered / self.population if self.population else 0.0


class ProposedSite(models.Model):
    plan = models.ForeignKey(CirclePlan, verbose_name="方案", on_delete=models.CASCADE, related_name="sites")
    rank = models.PositiveSmallIntegerField("序号")
    lat = models.FloatField("纬度")
    lng = models.FloatField("经度")
    gain = models.PositiveIntegerField("新增覆盖人口")
    origin = models.CharField("候选来源", max_length=40)
    grid = models.ForeignKey(Grid, verbose_name="所在网格", null=True, blank=True, on_delete=models.SET_NULL)
    place = models.ForeignKey(
        Place, verbose_name="已建家站室", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "拟新设点位"
        verbose_name_plural = "拟新设点位"
        ordering = ["plan", "rank"]
        constraints = [models.UniqueConstraint(fields=["plan", "rank"], name="circle_site_rank_unique")]

    def __str__(self) -> str:
        return f"拟新设点位{self.rank}"
