"""The derivations of intake, each written once: every channel's draft goes through the same ones (check.py)."""

from typing import Any

from django.db.models import QuerySet
from shapely.geometry import Point, shape

from lianxin.cases.models import Channel, ReplyVia
from lianxin.core.errors import DomainError
from lianxin.core.fields import CONTROL, clean_text
from lianxin.core.phones import PhoneInvalid, phone_normalize
from lianxin.deputies.models import Deputy, GridAssignment
from lianxin.regions.models import Grid, Region, RegionLevel
from lianxin.regions.services import grid_locate
from lianxin.venues.models import Place

TITLE_CHARS = 30
TITLE_LIMIT, BODY_LIMIT = 100, 5000
# A case is filed under a county, a township or a village (community): where the people who handle it are.
REGISTRABLE_LEVELS = (RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE)
REGISTRABLE_LEVELS_LABEL = "县（区）、乡镇（街道）或村（社区）"
# Channels where the person wrote to us online: a phone number given there asks for a text message; anywhere
# else the person spoke to someone, and the answer goes back the same way, by phone.
WRITTEN_CHANNELS = frozenset({Channel.ONLINE})


def normalize_phone(value: Any, name: str = "person_phone") -> str:
    """The one stored spelling of a phone number (lianxin.core.phones), or DomainError naming the field."""
    text = clean_text(value, name, "联系电话", limit=40, required=False)
    try:
        return phone_normalize(text)
    except PhoneInvalid as error:
        raise DomainError("phone_invalid", f"联系电话: {error}", field=name) from None


def title_from_text(text: str) -> str:
    """The first non-empty line of the text, cut at TITLE_CHARS with an ellipsis."""
    first = next((line.strip() for line in CONTROL.sub("", text or "").splitlines() if line.strip()), "")
    return first[:TITLE_CHARS] + ("…" if len(first) > TITLE_CHARS else "")


def reply_preference(*, channel: str, requested: str | None, wants_reply: bool, phone: str) -> str:
    """How the person will get the answer: as they asked; else none when they want none; else by text message
    (written online) or a call (spoke to someone) when they left a number; else online with the receipt code."""
    if requested is not None:
        if requested not in ReplyVia.values:
            raise DomainError("field_invalid", f"回复方式: “{requested}”无效", field="reply_via")
        if requested in (ReplyVia.SMS, ReplyVia.PHONE) and not phone:
            raise DomainError("phone_required", "联系电话: 选择短信或电话回复时须留下电话", field="person_phone")
        return requested
    if not wants_reply:
        return ReplyVia.NONE
    if phone:
        return ReplyVia.SMS if channel in WRITTEN_CHANNELS else ReplyVia.PHONE
    return ReplyVia.ONLINE


def is_anonymous(*, channel: str, asked: bool, name: str, phone: str) -> bool:
    """Anonymous when the person asked to be, or wrote online leaving neither a name nor a number. Elsewhere
    someone took the opinion down, and a case with no person (a grid worker's own finding) is not anonymous.
    An anonymous person's name and number are not kept at all."""
    return asked or (channel in WRITTEN_CHANNELS and not (name or phone))


def region_check_level(
    region: Region, *, field: str = "region", label: str = "所在区划", code: str = "region_invalid"
) -> None:
    """A case may be filed under `region` (every channel, the hotline import and Open311's keys ask here)."""
    if region.level not in REGISTRABLE_LEVELS:
        raise DomainError(code, f"{label}: 请选择{REGISTRABLE_LEVELS_LABEL}", field=field)


def region_resolve(
    *,
    region: Region | None,
    grid: Grid | None,
    place: Place | None,
    deputy: Deputy | None,
    lat: float | None,
    lng: float | None,
) -> tuple[Region, Grid | None]:
    """Where the case is, and its grid. A location is placed in its grid and must lie in the region named; then
    the grid's village, the place's region (or the region named within it, which says more exactly where), the
    region named; else the deputy's: their electoral district, the village of their first grid, the county or
    township whose congress elected them."""
    if region is not None:
        region_check_level(region)
    if lat is not None and lng is not None:
        located = point_locate(region, lat=lat, lng=lng)
        if grid is not None and grid.polygon and (located is None or located.pk != grid.pk):
            # A grid worker reports from their own grid: a point elsewhere is a mistake, not a move.
            raise DomainError(
                "location_outside_grid",
                f"位置: 所在位置不在您负责的网格（{grid.name}）内，请到网格内上报，或不附位置（按本网格登记）",
                field="lat",
            )
        grid = grid or located
    if region is not None and grid is not None and not grid.region.path.startswith(region.path):
        raise DomainError("grid_outside", "网格: 不在该区划范围内", field="grid")
    at_place = place.region if place else None
    if at_place is not None and region is not None and region.path.startswith(at_place.path):
        at_place = region  # a township's station hears about one of its villages
    for candidate in (grid.region if grid else None, at_place, region):
        if candidate is not None:
            return candidate, grid
    fallback = deputy_region(deputy) if deputy is not None else None
    if fallback is not None:
        return fallback, grid
    raise DomainError("region_required", "所在区划: 请选择问题所在的乡镇或村（社区），或提供位置", field="region")


def deputy_region(deputy: Deputy) -> Region | None:
    """Where an opinion given to a deputy with no place or location is about."""
    mandate = deputy.mandates.exclude(district_region=None).order_by("-district_region__path").first()
    if mandate is not None and mandate.district_region is not None:
        return mandate.district_region
    assignment = GridAssignment.objects.filter(deputy=deputy).select_related("grid__region").first()
    if assignment is not None:
        return assignment.grid.region
    elected = (
        deputy.mandates.filter(congress_region__level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP])
        .select_related("congress_region")
        .order_by("-congress_region__path")
        .first()
    )
    return elected.congress_region if elected is not None else None


def point_locate(region: Region | None, *, lat: float, lng: float) -> Grid | None:
    """The grid holding the point; with a region, the point must lie in it: in one of its grids, or inside its
    own outline. A region with neither grids nor an outline cannot tell, so it accepts."""
    if not (3 <= lat <= 54 and 73 <= lng <= 136):
        raise DomainError("location_invalid", "位置: 坐标不在中国境内", field="lat")
    grid = grid_locate(lat=lat, lng=lng)
    if region is None:
        return grid
    outside = DomainError("location_outside", f"位置: 该位置不在“{region.name}”辖区内", field="lat")
    if grid is not None:
        if grid.region.path.startswith(region.path):
            return grid
        raise outside
    outline = _geometry(region.boundary)
    if outline is not None:
        if outline.covers(Point(lng, lat)):
            return None
        raise outside
    if _grids_with_outline(region).exists():
        raise outside
    return None


def _grids_with_outline(region: Region) -> QuerySet[Grid]:
    return Grid.objects.filter(region__path__startswith=region.path, polygon__isnull=False)


def _geometry(geojson: Any) -> Any:
    if not isinstance(geojson, dict):
        return None
    if geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    try:
        return shape(geojson)
    except Exception:  # a malformed outline is no outline: the grids still decide
        return None
