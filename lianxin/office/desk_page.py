"""接待登记台: one short form, usable on a phone, for place, township and county staff to register a walk-in (来访)
or a phone call (来电) outside a deputy's reception session; then the receipt with the grouped code, a print button
and 再登记一件, and the day's desk registrations of the place.

Thin: lianxin.cases.desk builds the draft, case_register checks and writes. Who does not handle cases anywhere (a
unit's handler in the office) gets 403; a receipt outside the user's scope is a 404.
"""

import secrets
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse

from lianxin.accounts.actors import account_of
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.cases.desk import (
    DESK_CHANNEL_LABELS,
    DESK_CHANNELS,
    desk_default_place,
    desk_places,
    desk_regions,
    desk_register,
    desk_today_visible_to,
)
from lianxin.cases.models import Case, Channel, ReplyVia
from lianxin.cases.selectors import case_get_visible_to, category_list
from lianxin.core.errors import DomainError, NotFound
from lianxin.core.errors import PermissionDenied as DomainPermissionDenied
from lianxin.office.access import office_required
from lianxin.venues.models import Place

REGION_INDENT = {"county": "", "township": "", "village": "　"}


class DeskForm(forms.Form):
    channel = forms.ChoiceField(
        label="登记方式",
        choices=[(str(c), DESK_CHANNEL_LABELS[c]) for c in DESK_CHANNELS],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择来访或来电"},
    )
    text = forms.CharField(
        label="反映的问题",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "什么地方、什么问题、希望怎么解决"}),
        error_messages={"required": "请填写反映的问题", "max_length": "反映的问题: 不能超过5000字"},
    )
    person_name = forms.CharField(label="反映人姓名（可不填）", max_length=50, required=False)
    person_phone = forms.CharField(
        label="联系电话（可不填，留了会收到查询码短信）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    is_anonymous = forms.BooleanField(label="匿名反映（不记录姓名和电话）", required=False)
    place = forms.TypedChoiceField(
        label="接待的家站室",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "家站室: 不在您的管辖范围内"},
    )
    region = forms.TypedChoiceField(
        label="问题所在村（社区）",
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "所在区划: 不在您的管辖范围内"},
    )
    category = forms.ModelChoiceField(
        label="类别（可不选）", queryset=category_list(), required=False, empty_label="暂不分类"
    )
    reply_via = forms.ChoiceField(
        label="答复方式",
        choices=[("", "按联系电话决定（留电话则电话答复）"), *ReplyVia.choices],
        required=False,
    )
    form_token = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, places: list[Place], regions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places = {place.pk: place for place in places}
        self.regions = {region.pk: region for region in regions}
        self.fields["place"].choices = [("", "不在家站室（如人大办公室来电）")] + [  # type: ignore[attr-defined]
            (place.pk, f"{place.name}（{place.region.name}）") for place in places
        ]
        self.fields["region"].choices = [("", "同家站室所在地")] + [  # type: ignore[attr-defined]
            (region.pk, REGION_INDENT.get(region.level, "") + region.name) for region in regions
        ]

    def clean_place(self) -> Place | None:
        pk = self.cleaned_data["place"]
        return self.places[pk] if pk is not None else None

    def clean_region(self) -> Any:
        pk = self.cleaned_data["region"]
        return self.regions[pk] if pk is not None else None


def _may_use_desk(request: HttpRequest) -> None:
    if not may(request.user, Perm.HANDLE_CASES):
        raise PermissionDenied("没有登记意见建议的权限")


def _page(request: HttpRequest, form: DeskForm, place: Place | None, *, status: int = 200) -> HttpResponse:
    today = list(desk_today_visible_to(user=request.user, place=place))
    return render(request, "office/desk/desk.html", {"form": form, "place": place, "today": today}, status=status)


@office_required
def desk(request: HttpRequest) -> HttpResponse:
    _may_use_desk(request)
    places = desk_places(user=request.user)
    regions = desk_regions(user=request.user)
    if request.method != "POST":
        asked = request.GET.get("place", "")
        place = next((p for p in places if str(p.pk) == asked), None) or desk_default_place(
            user=request.user, places=places
        )
        initial = {"channel": DESK_CHANNELS[0], "place": place.pk if place else None}
        form = DeskForm(initial={**initial, "form_token": secrets.token_urlsafe(24)}, places=places, regions=regions)
        return _page(request, form, place)
    form = DeskForm(request.POST, places=places, regions=regions)
    if form.is_valid():
        data = form.cleaned_data
        try:
            registration = desk_register(
                actor=account_of(request),
                channel=data["channel"],
                body=data["text"],
                place=data["place"],
                region=data["region"],
                person_name=data["person_name"],
                person_phone=data["person_phone"],
                is_anonymous=data["is_anonymous"],
                category=data["category"],
                reply_via=data["reply_via"] or None,
                form_token=data["form_token"],
            )
        except DomainPermissionDenied as error:
            form.add_error("place" if data["place"] else "region", error.message)
        except DomainError as error:
            form.add_error(_field_of(error, form), error.message)
        else:
            return HttpResponseRedirect(reverse("office:desk_receipt", args=[registration.case.pk]))
    place = form.cleaned_data.get("place") if hasattr(form, "cleaned_data") else None
    return _page(request, form, place, status=400)


def _field_of(error: DomainError, form: forms.Form) -> str | None:
    field = {"body": "text"}.get(error.field or "", error.field)
    return field if field in form.fields else None


@office_required
def desk_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt of a desk registration: the code to read out or print, and the next one."""
    _may_use_desk(request)
    try:
        case: Case = case_get_visible_to(user=request.user, case_id=pk)
    except NotFound as error:
        raise Http404(error.message) from error
    if case.channel not in DESK_CHANNELS or case.session_id is not None:
        raise Http404("不是接待登记台登记的意见建议")
    today = list(desk_today_visible_to(user=request.user, place=case.place))
    return render(
        request,
        "office/desk/receipt.html",
        {
            "case": case,
            "channel_label": DESK_CHANNEL_LABELS[Channel(case.channel)],
            "place": case.place,
            "today": today,
        },
    )


# Included by lianxin/office/urls.py under desk/.
urlpatterns = [
    path("", desk, name="desk"),
    path("receipts/<int:pk>/", desk_receipt, name="desk_receipt"),
]
