"""The public forms. Field checks only; what the domain refuses comes back from the services as DomainError."""

from django import forms

from lianxin.cases.models import Category, Rating
from lianxin.publicweb.abuse import HONEYPOT_FIELD
from lianxin.publicweb.forms import MultipleFileInput, MultiplePhotoField
from lianxin.publicweb.photos import MAX_PHOTOS


class OpinionForm(forms.Form):
    text = forms.CharField(
        label="您的意见建议",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "请写明什么地方、什么问题、您希望怎么解决"}),
    )
    category = forms.ModelChoiceField(
        label="类别（可不选）",
        queryset=Category.objects.filter(is_active=True).order_by("sort", "code"),
        required=False,
        empty_label="不确定",
    )
    photos = MultiplePhotoField(
        label=f"照片（可选，最多{MAX_PHOTOS}张）",
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*"}),
    )
    address = forms.CharField(label="问题所在地点（可选）", max_length=200, required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    person_name = forms.CharField(label="姓名（可不填）", max_length=50, required=False)
    person_phone = forms.CharField(
        label="手机号（可不填）",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    wants_reply = forms.BooleanField(label="希望得到答复", required=False, initial=True)
    captcha = forms.CharField(label="验证题", max_length=4, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    captcha_token = forms.CharField(widget=forms.HiddenInput)
    form_token = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, captcha_question: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["captcha"].label = f"验证题：{captcha_question}" if captcha_question else "验证题"
        # The honeypot: hidden from people by CSS and from screen readers; bots fill it.
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            label="网址（请勿填写）",
            required=False,
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    def clean_photos(self):
        photos = self.cleaned_data.get("photos") or []
        if len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(f"最多上传{MAX_PHOTOS}张照片")
        return photos

    def clean(self):
        super().clean()
        data = self.cleaned_data
        if (data.get("lat") is None) != (data.get("lng") is None):
            data["lat"] = data["lng"] = None
        return data


class TrackForm(forms.Form):
    code = forms.CharField(label="查询码", max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"}))


class RatingForm(forms.Form):
    rating = forms.ChoiceField(label="您对办理结果满意吗？", choices=Rating.choices, widget=forms.RadioSelect)
    comment = forms.CharField(
        label="评价意见（可选）", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
