"""Forms for the public proposal (点单), the lead deputy's monthly report and the ballot. Field checks only; the
services refuse what the domain refuses."""

from django import forms

from lianxin.projects.models import Candidate, Choice
from lianxin.publicweb.abuse import HONEYPOT_FIELD
from lianxin.publicweb.forms import MultipleFileInput, MultiplePhotoField
from lianxin.publicweb.photos import MAX_PHOTOS
from lianxin.regions.models import Region, RegionLevel


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Region) -> str:
        return ("　" if obj.level == RegionLevel.VILLAGE else "") + obj.name


class ProposalForm(forms.Form):
    region = RegionChoiceField(
        label="所在镇（街道）或村（社区）",
        queryset=Region.objects.filter(level__in=[RegionLevel.TOWNSHIP, RegionLevel.VILLAGE]).order_by("path"),
        empty_label="请选择",
    )
    title = forms.CharField(label="您希望办的实事", max_length=120)
    description = forms.CharField(
        label="具体内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 5, "placeholder": "要办什么、为什么"})
    )
    place = forms.CharField(label="地点（可选）", max_length=200, required=False)
    beneficiaries = forms.CharField(label="受益群众（可选）", max_length=200, required=False)
    proposer_name = forms.CharField(label="姓名（可不填）", max_length=50, required=False)
    proposer_phone = forms.CharField(
        label="手机号（可不填，仅工作人员可见）", max_length=20, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )  # fmt: skip
    captcha = forms.CharField(label="验证题", max_length=4, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    captcha_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, captcha_question: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["captcha"].label = f"验证题：{captcha_question}" if captcha_question else "验证题"
        self.fields[HONEYPOT_FIELD] = forms.CharField(
            label="网址（请勿填写）", required=False,
            widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        )  # fmt: skip


class ReportForm(forms.Form):
    progress = forms.IntegerField(label="累计完成进度（%）", min_value=0, max_value=100)
    done = forms.CharField(label="本月完成情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    problems = forms.CharField(
        label="存在问题（可选）", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_final = forms.BooleanField(label="已全部完工，申请验收销号（须进度100%并附照片）", required=False)
    photos = MultiplePhotoField(
        label=f"现场照片（最多{MAX_PHOTOS}张）", required=False, widget=MultipleFileInput(attrs={"accept": "image/*"})
    )


class BallotForm(forms.Form):
    """One radio group per candidate; nothing preselected, so that a deputy takes a position on each."""

    def __init__(self, *args, candidates: list[Candidate], **kwargs):
        super().__init__(*args, **kwargs)
        for candidate in candidates:
            self.fields[f"c{candidate.number}"] = forms.ChoiceField(
                label=f"{candidate.number}. {candidate.title}", choices=Choice.choices, widget=forms.RadioSelect,
                error_messages={"required": "请对这个项目表态"},
            )  # fmt: skip

    def choices(self) -> dict[int, str]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}


class ReceiptForm(forms.Form):
    receipt = forms.CharField(label="投票凭证", max_length=40)


class DeputyProposalForm(forms.Form):
    """A deputy's own proposal from the workbench (no captcha: they are logged in)."""

    region = ProposalForm.base_fields["region"]
    title = ProposalForm.base_fields["title"]
    description = ProposalForm.base_fields["description"]
    place = ProposalForm.base_fields["place"]
    beneficiaries = ProposalForm.base_fields["beneficiaries"]
