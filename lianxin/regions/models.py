"""Administrative divisions (区划) and the grids (网格) below villages and communities."""

from django.db import models

from lianxin.core.scoping import region_scope_q, scoped_manager


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省"
    PREFECTURE = "prefecture", "市"
    COUNTY = "county", "县/区"
    TOWNSHIP = "township", "乡镇/街道"
    VILLAGE = "village", "村/社区"


LEVEL_DEPTH = {level: depth for depth, level in enumerate(RegionLevel.values)}


class RegionQuerySet(models.QuerySet):
    def subtree(self, region: "Region") -> "RegionQuerySet":
        """The region and everything below it: one indexed prefix query on `path`."""
        return self.filter(path__startswith=region.path)

    def visible_to(self, user) -> "RegionQuerySet":
        return self.filter(region_scope_q(user, "path"))


class Region(models.Model):
    """A division with its 12-digit statistical code (统计用区划代码).

    `path` is the chain of codes from the root, e.g. "330000000000/330500000000/330521000000/". A subtree
    is `path LIKE 'prefix%'`, which both SQLite and PostgreSQL answer from the index (Django adds a
    pattern-ops index for it on PostgreSQL).
    """

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=16, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级区划", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField("路径", max_length=255, unique=True, editable=False)
    # Optional outline and centre, so that maps can be drawn with no online tile layer.
    boundary = models.JSONField("边界(GeoJSON)", null=True, blank=True)
    centroid_lat = models.FloatField("中心纬度", null=True, blank=True)
    centroid_lng = models.FloatField("中心经度", null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__in=RegionLevel.values), name="region_level_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return LEVEL_DEPTH[self.level]

    def contains(self, other: "Region") -> bool:
        return other.path.startswith(self.path)

    def ancestors(self) -> "RegionQuerySet":
        codes = [c for c in self.path.split("/") if c]
        return Region.objects.filter(code__in=codes).order_by("path")


class GridKind(models.TextChoices):
    RURAL = "rural", "农村网格"
    COMMUNITY = "community", "城市社区网格"
    ENTERPRISE = "enterprise", "园区/企业网格"


class Grid(models.Model):
    """The smallest governance cell. Polygons may not overlap, so a point lies in at most one grid."""

    region = models.ForeignKey(
        Region,
        verbose_name="所属村/社区",
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"level": RegionLevel.VILLAGE},
    )
    code = models.CharField("网格编码", max_length=32, unique=True)
    name = models.CharField("网格名称", max_length=100)
    kind = models.CharField("网格类型", max_length=16, choices=GridKind.choices, default=GridKind.RURAL)
    polygon = models.JSONField("边界(GeoJSON 多边形)", null=True, blank=True)
    centroid_lat = models.FloatField("中心纬度", null=True, blank=True)
    centroid_lng = models.FloatField("中心经度", null=True, blank=True)
    # Bounding box of the polygon, indexed so that locate() reads only a few candidates.
    min_lat = models.FloatField("最小纬度", null=True, blank=True, editable=False)
    max_lat = models.FloatField("最大纬度", null=True, blank=True, editable=False)
    min_lng = models.FloatField("最小经度", null=True, blank=True, editable=False)
    max_lng = models.FloatField("最大经度", null=True, blank=True, editable=False)
    households = models.PositiveIntegerField("户数", default=0)
    population = models.PositiveIntegerField("人口", default=0)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "网格"
        verbose_name_plural = "网格"
        ordering = ["code"]
        indexes = [models.Index(fields=["min_lat", "max_lat", "min_lng", "max_lng"], name="grid_bbox_idx")]

    def __str__(self) -> str:
        return self.name
