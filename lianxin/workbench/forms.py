from django import forms

from lianxin.cases.models import Category, Rating, ReceptionKind
from lianxin.publicweb.forms import MultipleFileInput, MultiplePhotoField
from lianxin.publicweb.photos import MAX_PHOTOS


class ReceptionStartForm(forms.Form):
    kind = forms.ChoiceField(
        label="接待方式", choices=ReceptionKind.choices, widget=forms.RadioSelect, initial=ReceptionKind.STATION
    )
    place = forms.TypedChoiceField(label="家站室（站内坐诊）", coerce=int, required=False, empty_value=None)
    region = forms.TypedChoiceField(label="所在村（社区）（流动巡诊）", coerce=int, required=False, empty_value=None)
    location = forms.CharField(label="地点（可选）", max_length=200, required=False)
    deputy = forms.TypedChoiceField(label="接待代表", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, places=(), regions=(), deputies=None, **kwargs):
        super().__init__(*args, **kwargs)
        if deputies is None:  # a deputy receives in person
            del self.fields["deputy"]
        else:  # place staff register a reception for the deputy on duty
            self.fields["deputy"].required = True
            self.fields["deputy"].choices = [("", "请选择")] + [(d.pk, d.name) for d in deputies]  # type: ignore[attr-defined]
        self.fields["place"].choices = [("", "请选择")] + [(p.pk, p.name) for p in places]  # type: ignore[attr-defined]
        self.fields["region"].choices = [("", "请选择")] + [(r.pk, r.name) for r in regions]  # type: ignore[attr-defined]


class QuickCaseForm(forms.Form):
    text = forms.CharField(label="反映的问题", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ModelChoiceField(
        label="类别",
        queryset=Category.objects.filter(is_active=True).order_by("sort", "code"),
        required=False,
        empty_label="暂不分类",
    )
    person_name = forms.CharField(label="反映人", max_length=50, required=False)
    person_phone = forms.CharField(
        label="电话", max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    people_count = forms.IntegerField(label="反映人数", min_value=1, max_value=10000, initial=1)
    form_token = forms.CharField(max_length=64, widget=forms.HiddenInput)


class ReceptionCloseForm(forms.Form):
    people_received = forms.IntegerField(label="本次接待人数", min_value=0, max_value=100000)
    note = forms.CharField(label="接待记录（可选）", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ActionForm(forms.Form):
    """One form for every workflow action; each action reads the fields it needs."""

    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label="说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.ModelChoiceField(
        label="类别", queryset=Category.objects.filter(is_active=True).order_by("sort", "code"), required=False
    )
    reply = forms.CharField(label="答复内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    suggestion_ref = forms.CharField(label="代表建议编号", required=False, max_length=64)
    rating = forms.ChoiceField(label="群众评价", choices=[("", "请选择"), *Rating.choices], required=False)
    comment = forms.CharField(label="评价意见", required=False, max_length=1000)

    def params(self) -> dict:
        data = self.cleaned_data
        params: dict = {}
        if data.get("category") is not None:
            params["category"] = data["category"].code
        for name in ("reply", "suggestion_ref", "rating", "comment"):
            if data.get(name):
                params[name] = data[name]
        return params


class DiaryForm(forms.Form):
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label="所见所闻", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class ShiftForm(forms.Form):
    deputy = forms.TypedChoiceField(label="接待代表", coerce=int)
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label="开始时间", widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label="结束时间", widget=forms.TimeInput(attrs={"type": "time"}))
    note = forms.CharField(label="备注（可选）", max_length=200, required=False)

    def __init__(self, *args, deputies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deputy"].choices = [("", "请选择")] + [(d.pk, d.name) for d in deputies]  # type: ignore[attr-defined]


class GridReportForm(forms.Form):
    """上报问题: what the grid worker saw, optionally for a resident who asked them to report it."""

    text = forms.CharField(
        label="问题描述",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "什么地方、什么问题、涉及多少户，群众希望怎么解决"}),
    )
    category = forms.ModelChoiceField(
        label="类别（可不选）",
        queryset=Category.objects.filter(is_active=True).order_by("sort", "code"),
        required=False,
        empty_label="不确定",
    )
    photos = MultiplePhotoField(
        label=f"现场照片（可选，最多{MAX_PHOTOS}张）",
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )
    address = forms.CharField(label="具体地点（可选）", max_length=200, required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    person_name = forms.CharField(label="反映群众姓名（代群众上报时填写）", max_length=50, required=False)
    person_phone = forms.CharField(
        label="反映群众电话（可选）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    form_token = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(f"最多上传{MAX_PHOTOS}张照片")
        return photos


class FollowUpForm(forms.Form):
    text = forms.CharField(
        label="跟进情况",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "如：已上门告知群众办理进展；现场已整改"}),
    )
