"""Staff pages for elections: districts and their rolls, the findings of the checks with the decision on
each, freezing a roll for publication, by-election candidates and their result (当选). Every write goes through the
services."""

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from lianxin.accounts.actors import account_of
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.backoffice.scoped_admin import ScopedInline, ScopedModelAdmin
from lianxin.backoffice.spreadsheets import UploadForm, xlsx_response
from lianxin.core.errors import DomainError, ImportRejected
from lianxin.deputies.models import Deputy
from lianxin.elections import services
from lianxin.elections.checks import DUPLICATE_LABELS, ERROR_LABELS, OMISSION_LABELS
from lianxin.elections.imports import (
    candidates_published_xlsx,
    findings_export_xlsx,
    published_list_xlsx,
    roll_export_xlsx,
)
from lianxin.elections.models import (
    Candidate,
    District,
    Election,
    ElectionResult,
    Finding,
    FindingKind,
    Qualification,
    Resolution,
    Sex,
    Voter,
    VoterStatus,
    mask_id_number,
)
from lianxin.elections.results import byelection_result_record

LABELS = {**ERROR_LABELS, **DUPLICATE_LABELS, **OMISSION_LABELS}


class ElectionsAdmin(ScopedModelAdmin):
    """Voter rolls hold everyone's ID number: seeing them needs manage_elections, not just view_registry."""

    manage_perm = Perm.MANAGE_ELECTIONS

    def has_module_permission(self, request: Any) -> bool:
        return may(request.user, Perm.MANAGE_ELECTIONS)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self._may(request, Perm.MANAGE_ELECTIONS, obj)

    def _refuse(self, request: Any, exc: DomainError) -> None:
        """A service refused a form's change: say why and stay on the form (nothing was written)."""
        self.message_user(request, exc.message, level=messages.ERROR)
        request.elections_refused = True

    def response_change(self, request: Any, obj: Any) -> Any:
        if getattr(request, "elections_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def response_add(self, request: Any, obj: Any, post_url_continue: Any = None) -> Any:
        if getattr(request, "elections_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    def _run(self, request: Any, action: Any, success: str) -> bool:
        try:
            action()
        except DomainError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return False
        if success:
            self.message_user(request, success)
        return True


class DistrictInline(ScopedInline):
    model = District
    fields = ["code", "name", "region", "seats", "frozen_at"]
    readonly_fields = ["frozen_at"]
    allow_delete = False


@admin.register(Election)
class ElectionAdmin(ElectionsAdmin):
    list_display = ["name", "kind", "region", "election_day"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [DistrictInline]
    actions = ["check_rolls", "export_findings"]

    def region_paths(self, obj: Election) -> list[str]:
        return [obj.region.path]

    @admin.action(description="核查所选选举的名册（错登、重登）")
    def check_rolls(self, request: Any, queryset: Any) -> None:
        for election in queryset:
            run = None

            def check(election: Election = election) -> None:
                nonlocal run
                run = services.voters_check(actor=request.user, election=election)

            if self._run(request, check, "") and run is not None:
                s = run.summary
                self.message_user(
                    request,
                    f"{election}：核查 {run.voters} 人，错登 {s['errors']} 项、重登 {s['duplicates']} 项，"
                    f"新发现 {s['new']} 项（漏登核查需户籍名单，请用 check_voters 命令）",
                )

    @admin.action(description="导出所选选举的核查问题 Excel")
    def export_findings(self, request: Any, queryset: Any) -> Any:
        findings = Finding.objects.visible_to(request.user).filter(election__in=queryset)
        findings = findings.select_related("voter__district", "other_voter__district")
        return xlsx_response(findings_export_xlsx(findings), "名册核查问题")


@admin.register(District)
class DistrictAdmin(ElectionsAdmin):
    list_display = ["code", "name", "election", "region", "seats", "voter_count", "frozen_at", "import_link"]
    list_filter = ["election"]
    search_fields = ["code", "name"]
    list_select_related = ["election", "region"]
    readonly_fields = ["frozen_at", "frozen_by"]
    actions = ["freeze", "export_roll", "export_published"]

    def get_urls(self) -> list[Any]:
        name = "elections_district_import"
        return [
            path("<path:object_id>/import/", self.admin_site.admin_view(self.import_view), name=name),
            *super().get_urls(),
        ]

    @admin.display(description="名册")
    def import_link(self, obj: District) -> Any:
        return format_html('<a href="{}">导入名册</a>', reverse("admin:elections_district_import", args=[obj.pk]))

    def import_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Upload a district's roll: every bad cell is listed with its row number and nothing is written."""
        district = self.get_object(request, object_id)  # a district outside the user's scope is a 404
        if not self.has_change_permission(request, district):
            raise PermissionDenied
        errors: list[str] = []
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.voters_import(
                    actor=account_of(request),
                    election=district.election,
                    district_code=district.code,
                    file=upload.read(),
                    filename=upload.name,
                )
            except ImportRejected as exc:
                errors = [str(e) for e in exc.errors]
            except DomainError as exc:
                errors = [exc.message]
            else:
                messages.success(request, f"{district}：{result}")
                return HttpResponseRedirect(reverse("admin:elections_district_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"导入选民名册：{district}",
            "form": form,
            "errors": errors,
            "import_help": (
                "表头：姓名、性别、身份证号、出生日期、民族、户籍地址、现住址、选区。身份证号已在本选区名册中的行会更新该选民；"
                "名册冻结公布后不能整批导入。"
            ),
        }
        return TemplateResponse(request, "admin/lianxin/import.html", context)

    @admin.display(description="在册人数")
    def voter_count(self, obj: District) -> int:
        return obj.voters.filter(status=VoterStatus.ACTIVE).count()

    @admin.action(description="冻结所选选区名册（公布）")
    def freeze(self, request: Any, queryset: Any) -> None:
        for district in queryset:
            self._run(
                request,
                lambda d=district: services.district_freeze(actor=request.user, district=d),
                f"{district}：名册已冻结",
            )

    @admin.action(description="导出所选选区名册 Excel")
    def export_roll(self, request: Any, queryset: Any) -> Any:
        voters = Voter.objects.filter(district__in=queryset, status=VoterStatus.ACTIVE).select_related("district")
        return xlsx_response(roll_export_xlsx(voters.order_by("district__code", "id")), "选民名册")

    @admin.action(description="导出所选选区公告名单（身份证号打码）")
    def export_published(self, request: Any, queryset: Any) -> Any:
        voters = Voter.objects.filter(district__in=queryset, status=VoterStatus.ACTIVE).select_related("district")
        return xlsx_response(published_list_xlsx(voters.order_by("district__code", "id")), "选民名单公告")


class VoterForm(forms.ModelForm):
    change_reason = forms.CharField(
        label="修改原因",
        required=False,
        help_text="名册冻结公布后修改必须填写",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Voter
        fields = [*services.VOTER_FIELDS]


@admin.register(Voter)
class VoterAdmin(ElectionsAdmin):
    form = VoterForm
    list_display = ["name", "sex", "masked_id", "birth_date", "district", "status"]
    ordering = ["district", "name_stroke_key", "pk"]  # 姓氏笔画 in each district (lianxin.core.collation)
    list_filter = ["status", "district__election"]
    search_fields = ["name", "id_number"]
    list_select_related = ["district"]
    readonly_fields = ["district", "status", "status_reason"]
    fields = ["district", *services.VOTER_FIELDS, "status", "status_reason", "change_reason"]

    def region_paths(self, obj: Voter) -> list[str]:
        return [obj.district.region.path]

    @admin.display(description="身份证号")
    def masked_id(self, obj: Voter) -> str:
        return mask_id_number(obj.id_number)

    def has_add_permission(self, request: Any) -> bool:
        return False  # voters come from an import or from an omission finding

    def save_model(self, request: Any, obj: Voter, form: Any, change: bool) -> None:
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in services.VOTER_FIELDS}
        if not changes:
            return
        original = Voter.objects.get(pk=obj.pk)
        try:
            services.voter_correct(
                actor=request.user, voter=original, changes=changes, reason=form.cleaned_data["change_reason"]
            )
        except DomainError as exc:
            self._refuse(request, exc)


class FindingForm(forms.ModelForm):
    target = forms.ChoiceField(
        label="处理对象",
        required=False,
        choices=[("a", "第一条登记"), ("b", "第二条登记（重登时）")],
        help_text="移出：被移出的一条；合并：保留的一条；更正：被更正的一条",
    )
    new_name = forms.CharField(label="更正姓名", required=False)
    new_sex = forms.ChoiceField(label="更正性别", required=False, choices=[("", "—"), *Sex.choices])
    new_id_number = forms.CharField(label="更正身份证号", required=False)
    new_birth_date = forms.DateField(label="更正出生日期", required=False)
    district = forms.ModelChoiceField(
        label="登记入册的选区", required=False, queryset=District.objects.none(), help_text="漏登者登记入册时选择"
    )

    class Meta:
        model = Finding
        fields = ["resolution", "resolution_note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "resolution" in self.fields:  # absent (read-only) once the finding is decided
            self.fields["resolution"].required = True
        if self.instance.pk and "district" in self.fields:
            district_field = self.fields["district"]
            assert isinstance(district_field, forms.ModelChoiceField)
            district_field.queryset = District.objects.filter(election=self.instance.election)


@admin.register(Finding)
class FindingAdmin(ElectionsAdmin):
    form = FindingForm
    list_display = ["id", "kind", "label", "voter", "other_voter", "score", "short_reason", "resolution"]
    list_filter = ["kind", "code", "resolution", "election"]
    search_fields = ["voter__name", "voter__id_number", "other_voter__name", "person_name", "person_id_number"]
    list_select_related = ["voter", "other_voter"]
    readonly_fields = ["election", "kind", "label", "score", "side_by_side", "reason", "resolved_by", "resolved_at"]
    actions = ["remove_gone"]

    def region_paths(self, obj: Finding) -> list[str]:
        return [obj.region.path]

    def has_add_permission(self, request: Any) -> bool:
        return False  # findings come from the checks

    def get_fieldsets(self, request: Any, obj: Any = None) -> Any:
        info = ["election", "kind", "label", "score", "side_by_side", "reason"]
        if obj is not None and not obj.is_open:
            decided = ["resolution", "resolution_note", "resolved_by", "resolved_at"]
            return [("问题", {"fields": info}), ("处理", {"fields": decided})]
        decision = ["resolution", "resolution_note", "target", "new_name", "new_sex", "new_id_number"]
        return [("问题", {"fields": info}), ("处理", {"fields": [*decision, "new_birth_date", "district"]})]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        if obj is not None and not obj.is_open:
            return [*self.readonly_fields, "resolution", "resolution_note"]
        return self.readonly_fields

    @admin.display(description="问题")
    def label(self, obj: Finding) -> str:
        return LABELS.get(obj.code, obj.code)

    @admin.display(description="说明")
    def short_reason(self, obj: Finding) -> str:
        return obj.reason[:60]

    @admin.display(description="对照")
    def side_by_side(self, obj: Finding) -> Any:
        """The registrations (or the register's person) in columns, field by field, differences marked."""
        people: list[dict[str, Any]] = []
        for voter in (obj.voter, obj.other_voter):
            if voter is not None:
                people.append(
                    {
                        "选区": str(voter.district),
                        "姓名": voter.name,
                        "性别": voter.get_sex_display(),
                        "身份证号": voter.id_number,
                        "出生日期": voter.birth_date or "",
                        "民族": voter.nationality,
                        "户籍地址": voter.household_address,
                        "现住址": voter.current_address,
                        "状态": voter.get_status_display(),
                    }
                )
        if not people:
            people.append(
                {"姓名": obj.person_name, "身份证号": obj.person_id_number, "出生日期": obj.person_birth_date}
            )
        rows = []
        for field in people[0]:
            values = [str(p.get(field, "")) for p in people]
            differ = len(set(values)) > 1
            style = "background:#fff3cd" if differ else ""
            rows.append((style, field, format_html_join("", "<td>{}</td>", ((v,) for v in values))))
        return format_html(
            '<table class="lianxin-compare">{}</table>',
            format_html_join("", '<tr style="{}"><th>{}</th>{}</tr>', rows),
        )

    def save_model(self, request: Any, obj: Finding, form: Any, change: bool) -> None:
        data = form.cleaned_data
        original = Finding.objects.select_related("voter", "other_voter").get(pk=obj.pk)
        target = original.other_voter if data.get("target") == "b" else original.voter
        changes = {
            field: data[f"new_{field}"]
            for field in ("name", "sex", "id_number", "birth_date")
            if data.get(f"new_{field}") not in (None, "")
        }
        try:
            services.finding_resolve(
                actor=request.user,
                finding=original,
                resolution=data["resolution"],
                note=data.get("resolution_note", ""),
                target=target,
                changes=changes,
                district=data.get("district"),
            )
        except DomainError as exc:
            self._refuse(request, exc)

    @admin.action(description="将所选“已迁出/已死亡”的选民移出名册")
    def remove_gone(self, request: Any, queryset: Any) -> None:
        done = 0
        for finding in queryset.filter(kind=FindingKind.OMISSION, code__in=["moved_out", "deceased"], resolution=""):
            done += self._run(
                request,
                lambda f=finding: services.finding_resolve(
                    actor=request.user, finding=f, resolution=Resolution.REMOVE, note=f.reason
                ),
                "",
            )
        self.message_user(request, f"已移出 {done} 名选民")


class ResultForm(forms.Form):
    """What a by-election's result needs besides the candidates (lianxin.elections.results)."""

    elected_on = forms.DateField(
        label="当选日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="不早于选举日，不晚于今天；代表资格自这一天起",
    )
    term = forms.IntegerField(
        label="届次（选填）", required=False, min_value=1, help_text="留空则为该人大现有代表资格中最新的届次"
    )


@admin.register(Candidate)
class CandidateAdmin(ElectionsAdmin):
    list_display = ["name", "sex", "district", "nominated_by", "qualification", "reviewed_at", "elected"]
    list_filter = ["qualification", "district__election"]
    search_fields = ["name", "id_number"]
    list_select_related = ["district", "result"]
    fields = [
        "district",
        "name",
        "sex",
        "id_number",
        "nominated_by",
        "occupation",
        "problems",
        "qualification",
        "review_note",
    ]
    readonly_fields = ["problems"]
    actions = ["export_published", "record_result"]

    def region_paths(self, obj: Candidate) -> list[str]:
        return [obj.district.region.path]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        if obj is None:
            return ["problems", "qualification", "review_note"]
        return ["district", "name", "sex", "id_number", "nominated_by", "occupation", "problems"]

    @admin.display(description="自动审查")
    def problems(self, obj: Candidate) -> str:
        if obj.pk is None:
            return "保存后显示"
        found = services.candidate_problems(candidate=obj)
        return "；".join(found) if found else "未发现问题（身份证号有效、已满18周岁、在选民名册中）"

    def save_model(self, request: Any, obj: Candidate, form: Any, change: bool) -> None:
        try:
            if not change:
                created = services.candidate_nominate(
                    actor=request.user,
                    district=obj.district,
                    name=obj.name,
                    id_number=obj.id_number,
                    sex=obj.sex,
                    nominated_by=obj.nominated_by,
                    occupation=obj.occupation,
                )
                obj.pk = created.pk
            elif {"qualification", "review_note"} & set(
                form.changed_data
            ) and obj.qualification != Qualification.PENDING:
                services.candidate_review(
                    actor=request.user,
                    candidate=obj,
                    qualified=obj.qualification == Qualification.QUALIFIED,
                    note=obj.review_note,
                )
        except DomainError as exc:
            self._refuse(request, exc)

    @admin.action(description="导出所选候选人中资格有效者的公告名单")
    def export_published(self, request: Any, queryset: Any) -> Any:
        return xlsx_response(candidates_published_xlsx(queryset.select_related("district")), "代表候选人名单")

    @admin.display(description="当选")
    def elected(self, obj: Candidate) -> str:
        result = getattr(obj, "result", None)
        return f"{result.elected_on:%Y-%m-%d}当选" if result is not None else "—"

    @admin.action(description="记录补选结果（当选）", permissions=["change"])
    def record_result(self, request: Any, queryset: Any) -> Any:
        """A small form for the date (and the term), then byelection_result_record for the selected candidates of
        each district, all in one transaction: a refusal shows the service's reason and writes nothing."""
        candidates = list(queryset.select_related("district__election__region", "district__region", "result"))
        if not candidates:
            self.message_user(request, "请选择本辖区的候选人", level=messages.ERROR)
            return None
        form = ResultForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                lines = self._record_results(
                    request, candidates=candidates, elected_on=data["elected_on"], term=data["term"]
                )
            except DomainError as exc:
                self.message_user(request, f"未登记：{exc.message}", level=messages.ERROR)
            else:
                for line in lines:
                    self.message_user(request, line, level=messages.SUCCESS)
                return None  # back to the list, which shows the messages
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "记录补选结果（当选）",
            "form": form,
            "candidates": candidates,
            "action": "record_result",
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/elections/candidate_result.html", context)

    def _record_results(
        self, request: Any, *, candidates: Sequence[Candidate], elected_on: datetime.date, term: int | None
    ) -> list[Any]:
        """Records the result district by district (the service takes one district's candidates); one refusal
        rolls back every district. Returns one message per candidate: the deputy and the mandate it made."""
        by_district: dict[int, list[Candidate]] = {}
        for candidate in candidates:
            by_district.setdefault(candidate.district_id, []).append(candidate)
        recorded_before = {c.pk for c in candidates if hasattr(c, "result")}
        numbers = [c.id_number.strip() for c in candidates if c.id_number.strip()]
        with transaction.atomic():
            known = set(Deputy.objects.filter(id_number__in=numbers).values_list("pk", flat=True))
            results: list[ElectionResult] = []
            for group in by_district.values():
                results += byelection_result_record(
                    actor=request.user, district=group[0].district, candidates=group, elected_on=elected_on, term=term
                )
        return [self._result_line(r, new_result=r.candidate_id not in recorded_before, known=known) for r in results]

    def _result_line(self, result: ElectionResult, *, new_result: bool, known: set[int]) -> Any:
        mandate, deputy = result.mandate, result.deputy
        link = format_html(
            '<a href="{}">{}</a>', reverse("admin:deputies_deputy_change", args=[deputy.pk]), deputy.name
        )
        if not new_result:
            return format_html("{}已于{}登记当选，本次未作更改", link, f"{result.elected_on:%Y-%m-%d}")
        return format_html(
            "已登记{}补选当选：{}代表{}；新建代表资格 {}第{}届人大代表（{}，{}，自{}起）",
            result.candidate.name,
            "沿用已有" if deputy.pk in known else "新建",
            link,
            mandate.congress_region.name,
            mandate.term,
            mandate.district_name,
            mandate.get_status_display(),
            f"{mandate.started_on:%Y-%m-%d}",
        )
