"""Places (阵地, 家站室): the homes, stations, rooms, windows and posts where deputies meet the public."""

from django.conf import settings
from django.db import models

from lianxin.core.codes import new_public_code
from lianxin.core.scoping import scoped_manager
from lianxin.regions.models import Grid, Region


class PlaceKind(models.TextChoices):
    HOME = "home", "代表之家"
    STATION = "station", "代表工作站"
    ROOM = "room", "代表联络室"
    WINDOW = "window", "便民服务窗"
    POST = "post", "代表履职岗"


class RoomKind(models.TextChoices):
    VILLAGE_ENTERPRISE = "village_enterprise", "村企联动"
    VILLAGE_VILLAGE = "village_village", "村村联建"
    VILLAGE_COMMUNITY = "village_community", "村居联帮"
    COMMUNITY_FEDERATION = "community_federation", "社区联合"
    INDUSTRIAL_PARK = "industrial_park", "产业园区"
    BUSINESS_DISTRICT = "business_district", "楼宇商圈"
    PERSONAL = "personal", "个人工作室"


class Place(models.Model):
    kind = models.CharField("类型", max_length=16, choices=PlaceKind.choices)
    room_kind = models.CharField("联络室类别", max_length=32, choices=RoomKind.choices, blank=True)
    name = models.CharField("名称", max_length=100)
    hub = models.ForeignKey(
        "self",
        verbose_name="所属代表之家",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="spokes",
        limit_choices_to={"kind": PlaceKind.HOME},
        help_text="一心多极：站、室从所在的代表之家辐射出去",
    )
    region = models.ForeignKey(Region, verbose_name="所在区划", on_delete=models.PROTECT, related_name="places")
    grid = models.ForeignKey(
        Grid, verbose_name="所在网格", null=True, blank=True, on_delete=models.PROTECT, related_name="places"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    lng = models.FloatField("经度", null=True, blank=True)
    opening_hours = models.CharField("开放时间", max_length=200, blank=True, help_text="如：每周二、周五 9:00-11:30")
    phone = models.CharField("联系电话", max_length=30, blank=True)
    public_code = models.CharField("公开码", max_length=16, unique=True, default=new_public_code, editable=False)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = scoped_manager("region__path")

    class Meta:
        verbose_name = "家站室"
        verbose_name_plural = "家站室"
        ordering = ["region__path", "kind", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=PlaceKind.values), name="place_kind_valid"),
            models.CheckConstraint(
                condition=models.Q(room_kind="") | models.Q(kind=PlaceKind.ROOM), name="place_room_kind_only_rooms"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def public_url(self) -> str:
        return f"{settings.SITE_URL}/p/{self.public_code}"
