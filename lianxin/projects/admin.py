"""Staff pages for livelihood projects, on the scoped back-office base: lists start from `visible_to`, edits
are audited (core.services.object_save), and every state change is an action that calls the services
(merge, shortlist, reject; open, close, check paper ballots, accept; issue a paper ballot; verify and close a
site, send a final report back). Ballots themselves are not shown here: staff see the register and the counts."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.http import HttpResponseRedirect

from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.backoffice.scoped_admin import ScopedModelAdmin
from lianxin.core.errors import DomainError
from lianxin.projects import services, voting
from lianxin.projects.models import (
    Candidate,
    Choice,
    Project,
    Proposal,
    ProposalSource,
    Site,
    SiteReport,
    TellerEntry,
    Vote,
    Voter,
    VoteStatus,
)


class TargetActionForm(ActionForm):
    target = forms.IntegerField(label="票决编号", required=False)
    note = forms.CharField(label="说明", required=False)


def _run(modeladmin: admin.ModelAdmin, request: Any, objects: Any, call: Any, done: str) -> None:
    """Run a service per object; each refusal is shown with its reason, the rest still run."""
    count = 0
    for obj in objects:
        try:
            call(obj)
            count += 1
        except DomainError as error:
            modeladmin.message_user(request, f"{obj}：{error.message}", level=messages.ERROR)
    if count:
        modeladmin.message_user(request, f"{done}：{count}项")


class ProjectsAdmin(ScopedModelAdmin):
    """Proposals carry residents' phone numbers and the register who voted: congress staff only."""

    manage_perm = Perm.MANAGE_PROJECTS

    def has_module_permission(self, request) -> bool:
        return may(request.user, Perm.MANAGE_PROJECTS)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._may(request, Perm.MANAGE_PROJECTS, obj)


@admin.register(Proposal)
class ProposalAdmin(ProjectsAdmin):
    list_display = ("title", "region", "source", "status", "supporters", "cost_estimate", "unit", "created_at")
    list_filter = ("status", "source")
    search_fields = ("title", "description", "place")
    readonly_fields = ("source", "status", "merged_into", "supporters", "deputy", "created_at")
    fields = (
        "region", "title", "description", "place", "beneficiaries", "proposer_name", "proposer_phone",
        "cost_estimate", "unit", *readonly_fields,
    )  # fmt: skip
    action_form = TargetActionForm
    actions = ["merge", "shortlist", "reject"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source = ProposalSource.STAFF
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description="把所选建议合并到其中最早提交的一条（重复点单）")
    def merge(self, request, queryset):
        items = list(queryset.order_by("created_at", "id"))
        if len(items) < 2:
            self.message_user(request, "请至少选择两条建议", level=messages.ERROR)
            return
        kept = items[0]
        _run(self, request, items[1:], lambda p: services.proposal_merge(actor=request.user, duplicate=p, into=kept),
             f"已合并到“{kept.title}”")  # fmt: skip

    @admin.action(description="列入票决候选项目（在“票决编号”中填写票决的编号）")
    def shortlist(self, request, queryset):
        vote = Vote.objects.visible_to(request.user).filter(pk=request.POST.get("target") or 0).first()
        if vote is None:
            self.message_user(request, "请填写有效的票决编号", level=messages.ERROR)
            return
        _run(self, request, queryset.order_by("id"),
             lambda p: services.proposal_shortlist(actor=request.user, proposal=p, vote=vote), "已列入候选")  # fmt: skip

    @admin.action(description="不予采纳（在“说明”中写明理由）")
    def reject(self, request, queryset):
        note = request.POST.get("note", "")
        _run(self, request, queryset,
             lambda p: services.proposal_reject(actor=request.user, proposal=p, note=note), "已不予采纳")  # fmt: skip


class CandidateInline(admin.TabularInline):
    model = Candidate
    fields = ("number", "title", "proposal")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Vote)
class VoteAdmin(ProjectsAdmin):
    list_display = ("__str__", "held_on", "status", "electorate_size", "seats")
    list_filter = ("status", "year")
    inlines = [CandidateInline]
    actions = ["open_vote", "accept_paper", "close_vote", "accept_result", "verify"]
    rule_fields = ("level", "region", "session", "year", "held_on", "seats", "quorum_num", "quorum_den", "tie_policy")

    def get_fields(self, request, obj=None):
        return self.rule_fields + (
            ("status", "electorate_size", "turnout", "explanation", "ballots_digest") if obj else ()
        )

    def get_readonly_fields(self, request, obj=None):
        fixed = ("status", "electorate_size", "turnout", "explanation", "ballots_digest")
        return fixed + (self.rule_fields if obj is not None and obj.status != VoteStatus.DRAFT else ())

    @admin.display(description="投票情况")
    def turnout(self, obj: Vote) -> str:
        voted = obj.voters.filter(has_voted=True)
        paper = voted.filter(method="paper").count()
        return f"已投票{voted.count()}人（其中纸质{paper}人），应到{obj.electorate_size}人"

    @admin.display(description="计票说明")
    def explanation(self, obj: Vote) -> str:
        counts = obj.result.get("counts", {})
        lines = [
            f"{n}号：" + "，".join(f"{Choice(c).label}{v[c]}" for c in Choice.values)
            for n, v in sorted(counts.items(), key=lambda x: int(x[0]))
        ]
        return "\n".join(obj.result.get("explanation", []) + lines) or "—"

    @admin.action(description="开始投票（确定代表名单与候选项目）")
    def open_vote(self, request, queryset):
        _run(self, request, queryset, lambda v: voting.vote_open(actor=request.user, vote=v), "已开始投票")

    @admin.action(description="核对两名计票人的纸质选票录入并计入")
    def accept_paper(self, request, queryset):
        _run(self, request, queryset, lambda v: voting.paper_ballots_accept(actor=request.user, vote=v),
             "纸质选票已核对计入")  # fmt: skip

    @admin.action(description="结束投票并计票")
    def close_vote(self, request, queryset):
        _run(self, request, queryset, lambda v: voting.vote_close(actor=request.user, vote=v), "已结束投票并计票")

    @admin.action(description="确认结果，生成年度民生实事项目")
    def accept_result(self, request, queryset):
        _run(self, request, queryset, lambda v: voting.vote_accept(actor=request.user, vote=v), "结果已确认")

    @admin.action(description="按存储的选票重新计票核对")
    def verify(self, request, queryset):
        for vote in queryset:
            problems = voting.vote_verify(vote).problems
            level = messages.ERROR if problems else messages.SUCCESS
            self.message_user(request, f"{vote}：" + ("；".join(problems) or "核对无误"), level=level)


@admin.register(Voter)
class VoterAdmin(ProjectsAdmin):
    """The "has voted" register (签到): who has voted and how, never what."""

    list_display = ("deputy", "vote", "has_voted", "method")
    list_filter = ("has_voted", "method", "vote")
    search_fields = ("deputy__name",)
    readonly_fields = ("vote", "deputy", "has_voted", "method")
    actions = ["issue_paper"]

    def region_paths(self, obj: Voter) -> list[str]:
        return [obj.vote.region.path]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="发放纸质选票（签到领票）")
    def issue_paper(self, request, queryset):
        _run(self, request, queryset.select_related("vote", "deputy"),
             lambda v: voting.paper_ballot_issue(actor=request.user, vote=v.vote, deputy=v.deputy), "已发放纸质选票")  # fmt: skip


WORDS = {"赞成": Choice.FOR, "反对": Choice.AGAINST, "弃权": Choice.ABSTAIN, "同意": Choice.FOR}


class TellerEntryForm(forms.ModelForm):
    text = forms.CharField(
        label="纸质选票（每行一张，按候选项目序号依次填写 赞成/反对/弃权，用空格或逗号分隔）",
        widget=forms.Textarea(attrs={"rows": 12}),
    )

    class Meta:
        model = TellerEntry
        fields = ["vote"]

    def clean(self):
        data = super().clean() or {}
        vote = data.get("vote")
        ballots = []
        for row, line in enumerate((data.get("text") or "").splitlines(), 1):
            words = line.replace("，", " ").replace(",", " ").split()
            if not words:
                continue
            unknown = [w for w in words if w not in WORDS and w not in Choice.values]
            if unknown:
                raise forms.ValidationError(f"第{row}行：看不懂“{'、'.join(unknown)}”，请填写赞成、反对或弃权")
            ballots.append({str(i): WORDS.get(w, w) for i, w in enumerate(words, 1)})
        if vote is not None and vote.candidates.count() and any(len(b) != vote.candidates.count() for b in ballots):
            raise forms.ValidationError(f"每张选票须对全部{vote.candidates.count()}个候选项目表态")
        data["ballots"] = ballots
        return data


@admin.register(TellerEntry)
class TellerEntryAdmin(ProjectsAdmin):
    """Each teller types every paper ballot on their own; the vote page's action compares the two."""

    form = TellerEntryForm
    list_display = ("vote", "teller", "count", "created_at")
    allow_delete = True  # a disagreement is resolved by looking at the papers and typing again

    def region_paths(self, obj: TellerEntry) -> list[str]:
        return [obj.vote.region.path] if obj.vote_id else []

    @admin.display(description="张数")
    def count(self, obj: TellerEntry) -> int:
        return len(obj.ballots)

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:  # the service refused (a second entry by the same teller, a closed vote)
            self.message_user(request, error.message, level=messages.ERROR)
            return HttpResponseRedirect(request.path)

    def save_model(self, request, obj, form, change):
        entry = voting.teller_entry_submit(actor=request.user, vote=obj.vote, ballots=form.cleaned_data["ballots"])
        obj.pk, obj.teller, obj.ballots = entry.pk, entry.teller, entry.ballots

    def save_related(self, request, form, formsets, change):
        pass


class SiteInline(admin.TabularInline):
    model = Site
    fields = ("name", "region", "lead_deputy", "status", "progress", "planned_end")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(ProjectsAdmin):
    list_display = ("__str__", "region", "unit", "planned_cost", "votes_for")
    list_filter = ("year",)
    readonly_fields = ("vote", "votes_for", "proposal")
    inlines = [SiteInline]


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = [
            "project", "region", "name", "lat", "lng", "targets", "unit", "planned_start", "planned_end",
            "planned_cost", "lead_deputy",
        ]  # fmt: skip

    def clean(self):
        data = super().clean() or {}
        project, region = data.get("project"), data.get("region")
        if project and region and not region.path.startswith(project.region.path):
            self.add_error("region", "点位必须在项目所属区划之内")
        return data


class SiteReportInline(admin.TabularInline):
    model = SiteReport
    fields = ("month", "progress", "done", "problems", "is_final", "photo_count", "verified_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description="照片")
    def photo_count(self, obj: SiteReport) -> int:
        return obj.photos.count()

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Site)
class SiteAdmin(ProjectsAdmin):
    form = SiteForm
    list_display = ("name", "project", "region", "lead_deputy", "status", "progress", "planned_end")
    list_filter = ("status", "project__year", "project")
    search_fields = ("name", "lead_deputy__name")
    readonly_fields = ("status", "progress", "closed_at")
    inlines = [SiteReportInline]
    action_form = TargetActionForm
    actions = ["verify_close", "reject_final"]

    @admin.action(description="验收完工报告并销号")
    def verify_close(self, request, queryset):
        _run(self, request, queryset, lambda s: services.site_close(actor=request.user, site=s), "已销号")

    @admin.action(description="退回完工报告（在“说明”中写明理由）")
    def reject_final(self, request, queryset):
        note = request.POST.get("note", "")
        _run(self, request, queryset,
             lambda s: services.site_reject_final(actor=request.user, site=s, note=note), "已退回")  # fmt: skip
