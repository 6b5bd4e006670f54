"""票决: the deputies' vote on the shortlisted candidates.

Secrecy: a ballot row holds the choices, the method and the SHA-256 of a random receipt, nothing else; its
key is a random UUID and it has no timestamp, so neither its order nor its time links it to the register
(`Voter`, which says only who has voted and how: on their device or on paper). The receipt is shown once to
the deputy, who can look the ballot up by it (`ballot_find`) and see it was counted as cast.

Verifiability: the tally is a pure function of the stored ballots (`tally`, `decide`); at the close the vote
stores a hash chain over its ballots in a canonical order (`ballots_digest`) and the result. `vote_verify`
recomputes both: a ballot edited, added or deleted after the close is detected. A closed vote refuses every
write (status checked under a row lock, then a compare-and-swap on (status, version)).

Paper: deputies who vote on paper are marked in the register when they collect their ballot; two tellers each
type every paper ballot independently; the two entries must agree (as multisets) before they become ballots.
"""

import datetime
import hashlib
import json
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from lianxin.accounts.models import User
from lianxin.accounts.roles import Role
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.deputies.models import SERVING_STATUSES, Deputy, Mandate
from lianxin.projects.models import (
    Ballot,
    BallotMethod,
    Candidate,
    Choice,
    Project,
    Proposal,
    ProposalStatus,
    TellerEntry,
    TiePolicy,
    Vote,
    Voter,
    VoteStatus,
)
from lianxin.projects.permissions import can_manage_projects
from lianxin.regions.models import Region

GENESIS = "0" * 64
FRACTION_WORDS = {(1, 2): "二分之一", (2, 3): "三分之二", (3, 4): "四分之三", (3, 5): "五分之三"}


def _require_manage(actor: User, vote: Vote) -> None:
    if not can_manage_projects(actor, vote.region.path):
        raise PermissionDenied()


def _locked(vote: Vote, *allowed: str) -> Vote:
    current = Vote.objects.select_for_update().select_related("region").get(pk=vote.pk)
    if current.status not in allowed:
        raise DomainError("vote_bad_state", f"票决当前为“{VoteStatus(current.status).label}”，不能进行此操作")
    return current


def _cas(vote: Vote, **values: Any) -> None:
    """Compare-and-swap on (status, version): act only if nobody changed the vote since it was read."""
    changed = Vote.objects.filter(pk=vote.pk, status=vote.status, version=vote.version).update(
        version=vote.version + 1, **values
    )
    if changed != 1:
        raise DomainError("vote_conflict", "票决已被他人修改，请刷新后重试")
    vote.refresh_from_db()


def vote_create(
    *,
    actor: User,
    level: str,
    region: Region,
    session: str,
    year: int,
    held_on: datetime.date,
    seats: int = 10,
    quorum_num: int = 2,
    quorum_den: int = 3,
    tie_policy: str = TiePolicy.RUNOFF,
) -> Vote:
    if not can_manage_projects(actor, region.path):
        raise PermissionDenied()
    if seats < 1:
        raise DomainError("bad_seats", "确定项目数: 至少为1", field="seats")
    if not (0 < quorum_num <= quorum_den):
        raise DomainError("bad_quorum", "法定人数: 分子应大于0且不大于分母", field="quorum_num")
    with transaction.atomic():
        vote = Vote.objects.create(
            level=level, region=region, session=session.strip(), year=year, held_on=held_on, seats=seats,
            quorum_num=quorum_num, quorum_den=quorum_den, tie_policy=tie_policy,
        )  # fmt: skip
        audit_record(actor=actor, action="projects.vote.create", obj=vote, region_path=region.path)
    return vote


def electorate(vote: Vote) -> list[int]:
    """Deputy ids of the congress's serving deputies on the day of the vote."""
    day = vote.held_on
    mandates = Mandate.objects.filter(
        level=vote.level, congress_region=vote.region, status__in=SERVING_STATUSES
    ).filter(Q(started_on__isnull=True) | Q(started_on__lte=day), Q(ended_on__isnull=True) | Q(ended_on__gte=day))
    return sorted(set(mandates.values_list("deputy_id", flat=True)))


def vote_open(*, actor: User, vote: Vote) -> Vote:
    """Fix the electorate (the register) and the candidates; deputies may vote from now on."""
    _require_manage(actor, vote)
    with transaction.atomic():
        current = _locked(vote, VoteStatus.DRAFT)
        if not current.candidates.exists():
            raise DomainError("vote_no_candidates", "还没有候选项目，不能开始票决")
        deputies = electorate(current)
        if not deputies:
            raise DomainError("vote_no_electorate", "该级人大在表决日没有在任代表")
        Voter.objects.bulk_create([Voter(vote=current, deputy_id=d) for d in deputies])
        _cas(current, status=VoteStatus.OPEN, electorate_size=len(deputies))
        audit_record(
            actor=actor, action="projects.vote.open", obj=current, region_path=current.region.path,
            changes={"status": [VoteStatus.DRAFT, VoteStatus.OPEN], "electorate_size": [0, len(deputies)]},
        )  # fmt: skip
    vote.refresh_from_db()
    return vote


def _clean_choices(vote: Vote, choices: dict[Any, str]) -> dict[str, str]:
    numbers = [str(n) for n in vote.candidates.values_list("number", flat=True)]
    given = {str(k): v for k, v in choices.items()}
    missing = [n for n in numbers if n not in given]
    if missing:
        raise DomainError("ballot_incomplete", f"第{'、'.join(missing)}号候选项目还没有表态", field="choices")
    extra = [k for k in given if k not in numbers]
    if extra:
        raise DomainError("ballot_unknown", f"没有第{'、'.join(extra)}号候选项目", field="choices")
    bad = [k for k, v in given.items() if v not in Choice.values]
    if bad:
        raise DomainError("ballot_bad_choice", f"第{'、'.join(bad)}号候选项目: 只能选赞成、反对或弃权", field="choices")
    return {n: given[n] for n in numbers}


def _receipt_hash(receipt: str) -> str:
    return hashlib.sha256(receipt.strip().upper().encode()).hexdigest()


def vote_cast(*, actor: User, vote: Vote, choices: dict[Any, str]) -> str:
    """A deputy votes on their own device; returns the receipt (shown once, never stored in clear)."""
    deputy = Deputy.objects.filter(user=actor).first() if getattr(actor, "pk", None) else None
    if deputy is None:
        raise PermissionDenied("只有代表本人可以投票")
    if not settings.VOTE_ALLOW_STAFF_ACCOUNTS and actor.role_assignments.exclude(role=Role.DEPUTY).exists():
        # An account that also holds a staff role could be anyone in that office: the deputy votes on paper,
        # or the deputy gets an account of their own (issue 12, item 6).
        raise PermissionDenied("该账号同时持有工作人员角色，不能用于投票；请代表使用本人账号或纸质选票")
    with transaction.atomic():
        current = _locked(vote, VoteStatus.OPEN)
        clean = _clean_choices(current, choices)
        marked = Voter.objects.filter(vote=current, deputy=deputy, has_voted=False).update(
            has_voted=True, method=BallotMethod.ELECTRONIC
        )
        if marked != 1:
            if Voter.objects.filter(vote=current, deputy=deputy).exists():
                raise DomainError("already_voted", "您已经投过票，不能重复投票")
            raise PermissionDenied("您不是本次票决的代表")
        receipt = "-".join(secrets.token_hex(2).upper() for _ in range(4))
        Ballot.objects.create(
            vote=current, method=BallotMethod.ELECTRONIC, choices=clean, receipt_hash=_receipt_hash(receipt)
        )
        # The audit row says that the deputy voted (as the register does), never how.
        audit_record(actor=actor, action="projects.vote.cast", obj=current, region_path=current.region.path)
    return receipt


def paper_ballot_issue(*, actor: User, vote: Vote, deputy: Deputy) -> None:
    """A deputy collects a paper ballot (签到领票): they are marked as having voted, on paper."""
    paper_ballots_issue(actor=actor, vote=vote, deputies=[deputy])


def paper_ballots_issue(*, actor: User, vote: Vote, deputies: list[Deputy]) -> None:
    """Several deputies collect their paper ballots at the desk; all or none (one refusal stops the batch)."""
    _require_manage(actor, vote)
    with transaction.atomic():
        current = _locked(vote, VoteStatus.OPEN)
        ids = [d.pk for d in deputies]
        open_rows = set(
            Voter.objects.filter(vote=current, deputy_id__in=ids, has_voted=False).values_list("deputy_id", flat=True)
        )
        for deputy in deputies:
            if deputy.pk not in open_rows:
                if Voter.objects.filter(vote=current, deputy=deputy).exists():
                    raise DomainError("already_voted", f"{deputy.name}已经投过票或已领取纸质选票")
                raise DomainError("not_electorate", f"{deputy.name}不是本次票决的代表")
        marked = Voter.objects.filter(vote=current, deputy_id__in=ids, has_voted=False).update(
            has_voted=True, method=BallotMethod.PAPER
        )
        if marked != len(set(ids)):  # pragma: no cover - the vote row lock serialises issuing
            raise DomainError("vote_conflict", "领票登记冲突，请重试")
        audit_record(
            actor=actor, action="projects.vote.paper_issue", obj=current, region_path=current.region.path,
            changes={"deputies": ids},
        )  # fmt: skip


def teller_entry_submit(*, actor: User, vote: Vote, ballots: list[dict[Any, str]]) -> TellerEntry:
    """One teller's typing of every paper ballot; a teller enters once (a mistake: the other teller's entry
    will disagree, and staff delete both in the back office after looking at the papers again)."""
    _require_manage(actor, vote)
    with transaction.atomic():
        current = _locked(vote, VoteStatus.OPEN)
        if current.paper_accepted:
            raise DomainError("paper_done", "纸质选票已核对录入")
        clean = [_clean_choices(current, b) for b in ballots]
        if TellerEntry.objects.filter(vote=current, teller=actor).exists():
            raise DomainError("teller_twice", "您已经录入过纸质选票；两名计票人须各自独立录入")
        entry = TellerEntry.objects.create(vote=current, teller=actor, ballots=clean)
        audit_record(
            actor=actor, action="projects.vote.teller_entry", obj=current, region_path=current.region.path,
            changes={"ballots": len(clean)},
        )  # fmt: skip
    return entry


def _canonical(choices: dict[str, str]) -> str:
    return json.dumps(choices, sort_keys=True, separators=(",", ":"))


def _entry_counts(vote: Vote, ballots: list[dict[str, str]]) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for ballot in ballots:
        for number, choice in ballot.items():
            out.setdefault(number, Counter())[choice] += 1
    return out


def paper_ballots_accept(*, actor: User, vote: Vote) -> int:
    """Compare the two tellers' entries; when they agree, store them as ballots. Returns their number."""
    _require_manage(actor, vote)
    with transaction.atomic():
        current = _locked(vote, VoteStatus.OPEN)
        if current.paper_accepted:
            raise DomainError("paper_done", "纸质选票已核对录入")
        entries = list(TellerEntry.objects.filter(vote=current).order_by("id"))
        if len(entries) < 2:
            raise DomainError("tellers_missing", "须由两名计票人分别录入纸质选票后才能核对")
        first, second = entries[0].ballots, entries[1].ballots
        issued = Voter.objects.filter(vote=current, method=BallotMethod.PAPER).count()
        if Counter(map(_canonical, first)) != Counter(map(_canonical, second)):
            a, b = _entry_counts(current, first), _entry_counts(current, second)
            diffs = []
            for number in sorted(set(a) | set(b), key=int):
                for choice in Choice:
                    x, y = a.get(number, Counter())[choice], b.get(number, Counter())[choice]
                    if x != y:
                        diffs.append(f"第{number}号{choice.label}：{x}票与{y}票")
            detail = "；".join(diffs) or f"选票张数{len(first)}与{len(second)}或个别选票不一致"
            raise DomainError("tellers_disagree", f"两名计票人录入不一致，请重新核对纸质选票：{detail}")
        if len(first) > issued:
            raise DomainError("paper_too_many", f"录入纸质选票{len(first)}张，多于发出的{issued}张")
        Ballot.objects.bulk_create(
            [Ballot(vote=current, method=BallotMethod.PAPER, choices=choices) for choices in first]
        )
        _cas(current, paper_accepted=True)
        audit_record(
            actor=actor, action="projects.vote.paper_accept", obj=current, region_path=current.region.path,
            changes={"ballots": len(first), "issued": issued},
        )  # fmt: skip
    vote.refresh_from_db()
    return len(first)


# --- counting ---------------------------------------------------------------------------------------------


def ballots_digest(ballots: list[Ballot]) -> str:
    """A hash chain over the ballots ordered by key: each link hashes the previous link and one ballot."""
    link = GENESIS
    for ballot in sorted(ballots, key=lambda b: str(b.id)):
        line = f"{ballot.id}|{ballot.method}|{_canonical(ballot.choices)}|{ballot.receipt_hash}"
        link = hashlib.sha256(f"{link}\n{line}".encode()).hexdigest()
    return link


def tally(numbers: list[int], ballots: list[Ballot]) -> dict[str, dict[str, int]]:
    counts = {str(n): {c: 0 for c in Choice.values} for n in numbers}
    for ballot in ballots:
        for number, choice in ballot.choices.items():
            counts[number][choice] += 1
    return counts


@dataclass
class Decision:
    valid: bool
    counts: dict[str, dict[str, int]]
    passed: list[int] = field(default_factory=list)
    chosen: list[int] = field(default_factory=list)
    tied: list[int] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid, "counts": self.counts, "passed": self.passed, "chosen": self.chosen,
            "tied": self.tied, "explanation": self.explanation,
        }  # fmt: skip


def decide(
    *,
    counts: dict[str, dict[str, int]],
    electorate_size: int,
    cast: int,
    seats: int,
    quorum: tuple[int, int],
    tie_policy: str,
) -> Decision:
    """The rules, in words as well as numbers.

    Quorum: ballots cast ≥ quorum × electorate. A candidate passes when its "for" votes are more than half of
    all the congress's deputies (not of those voting). Passed candidates are ranked by "for"; the top `seats`
    are chosen. When candidates tie for the last seat, RUNOFF leaves those seats open for another vote and
    INCLUDE_ALL chooses all of them.
    """
    num, den = quorum
    words = FRACTION_WORDS.get((num, den), f"{num}/{den}")
    needed = -(-electorate_size * num // den)  # ceiling
    decision = Decision(valid=cast >= needed, counts=counts)
    say = decision.explanation.append
    say(f"应到代表{electorate_size}人，实际投票{cast}人；须有{words}以上（至少{needed}人）投票，表决方为有效。")
    if not decision.valid:
        say("投票人数未达到法定人数，本次表决无效，所有候选项目均未确定。")
        return decision
    majority = electorate_size // 2 + 1
    say(f"候选项目须获得全体代表过半数（至少{majority}票）赞成方为通过。")
    ranked = sorted(((int(n), c["for"]) for n, c in counts.items()), key=lambda x: (-x[1], x[0]))
    for number, votes in ranked:
        if votes >= majority:
            decision.passed.append(number)
        else:
            say(f"第{number}号候选项目赞成{votes}票，未过半数，未通过。")
    passed = [(n, v) for n, v in ranked if n in decision.passed]
    if len(passed) <= seats:
        decision.chosen = [n for n, _ in passed]
        say(f"通过的候选项目{len(passed)}个，不超过确定项目数{seats}个，全部确定为年度民生实事项目。")
        return decision
    boundary = passed[seats - 1][1]
    above = [n for n, v in passed if v > boundary]
    at = [n for n, v in passed if v == boundary]
    if len(above) + len(at) <= seats:
        decision.chosen = above + at
    elif tie_policy == TiePolicy.INCLUDE_ALL:
        decision.chosen = above + at
        say(
            f"第{'、'.join(map(str, at))}号候选项目赞成票同为{boundary}票，并列末位；按规则全部确定，"
            f"确定项目{len(decision.chosen)}个。"
        )
    else:
        decision.chosen = above
        decision.tied = at
        open_seats = seats - len(above)
        say(
            f"第{'、'.join(map(str, at))}号候选项目赞成票同为{boundary}票，争夺剩余{open_seats}个名额；"
            f"按规则须就这{len(at)}个项目另行表决。"
        )
    outside = [n for n, _ in passed if n not in decision.chosen and n not in decision.tied]
    say(
        f"通过的候选项目{len(passed)}个，按赞成票从多到少取前{seats}个；"
        + (f"第{'、'.join(map(str, outside))}号虽通过但未进入前{seats}名。" if outside else "")
    )
    return decision


def vote_close(*, actor: User, vote: Vote) -> Vote:
    """Stop voting, count, store the digest and the result. `vote.version` is the version the user saw."""
    _require_manage(actor, vote)
    with transaction.atomic():
        current = _locked(vote, VoteStatus.OPEN)
        if current.version != vote.version:
            raise DomainError("vote_conflict", "票决已被他人修改，请刷新后重试")
        paper_issued = Voter.objects.filter(vote=current, method=BallotMethod.PAPER).exists()
        if paper_issued and not current.paper_accepted:
            raise DomainError("paper_pending", "还有纸质选票未经两名计票人核对录入，不能结束投票")
        ballots = list(current.ballots.all())
        numbers = list(current.candidates.values_list("number", flat=True))
        decision = decide(
            counts=tally(numbers, ballots), electorate_size=current.electorate_size, cast=len(ballots),
            seats=current.seats, quorum=(current.quorum_num, current.quorum_den), tie_policy=current.tie_policy,
        )  # fmt: skip
        digest = ballots_digest(ballots)
        _cas(current, status=VoteStatus.CLOSED, ballots_digest=digest, result=decision.as_json())
        audit_record(
            actor=actor, action="projects.vote.close", obj=current, region_path=current.region.path,
            changes={"status": [VoteStatus.OPEN, VoteStatus.CLOSED], "digest": digest,
                     "ballots": len(ballots), "chosen": decision.chosen},
        )  # fmt: skip
    vote.refresh_from_db()
    return vote


def vote_accept(*, actor: User, vote: Vote) -> list[Project]:
    """Confirm the result: the chosen candidates become the year's projects, in order of "for" votes."""
    _require_manage(actor, vote)
    from lianxin.projects.services import project_create

    with transaction.atomic():
        current = _locked(vote, VoteStatus.CLOSED)
        problems = vote_verify(current).problems
        if problems:
            raise DomainError("vote_tampered", "选票与计票结果不符，不能确认：" + "；".join(problems))
        result = current.result
        if not result.get("valid"):
            raise DomainError("vote_invalid", "本次表决无效（未达到法定人数），不能确认结果")
        if result.get("tied"):
            raise DomainError("vote_tied", "末位同票的候选项目须另行表决后才能确认结果")
        candidates = {c.number: c for c in current.candidates.select_related("proposal", "proposal__unit")}
        projects = []
        for number in result["chosen"]:
            candidate = candidates[number]
            proposal = candidate.proposal
            projects.append(
                project_create(
                    actor=actor,
                    region=current.region,
                    year=current.year,
                    title=candidate.title,
                    description=proposal.description,
                    unit=proposal.unit,
                    planned_cost=proposal.cost_estimate,
                    proposal=proposal,
                    vote=current,
                    votes_for=result["counts"][str(number)]["for"],
                )
            )
        chosen_ids = [candidates[n].proposal_id for n in result["chosen"]]
        others = [c.proposal_id for c in candidates.values() if c.proposal_id not in chosen_ids]
        for proposal in Proposal.objects.filter(pk__in=chosen_ids + others).select_related("region"):
            target = ProposalStatus.CHOSEN if proposal.pk in chosen_ids else ProposalStatus.NOT_CHOSEN
            Proposal.objects.filter(pk=proposal.pk).update(status=target, version=proposal.version + 1)
            audit_record(
                actor=actor, action="projects.proposal.voted", obj=proposal, region_path=proposal.region.path,
                changes={"status": [proposal.status, target], "vote": current.pk},
            )  # fmt: skip
        _cas(current, status=VoteStatus.ACCEPTED)
        audit_record(
            actor=actor, action="projects.vote.accept", obj=current, region_path=current.region.path,
            changes={"status": [VoteStatus.CLOSED, VoteStatus.ACCEPTED], "projects": [p.pk for p in projects]},
        )  # fmt: skip
    vote.refresh_from_db()
    return projects


@dataclass
class Verification:
    digest: str
    counts: dict[str, dict[str, int]]
    ballots: int
    voted: int
    problems: list[str]


def vote_verify(vote: Vote) -> Verification:
    """Recompute everything from the stored ballots; anyone may run it (`lianxin vote_verify <id>`)."""
    ballots = list(Ballot.objects.filter(vote=vote))
    numbers = list(Candidate.objects.filter(vote=vote).values_list("number", flat=True))
    counts = tally(numbers, ballots)
    digest = ballots_digest(ballots)
    voted = Voter.objects.filter(vote=vote, has_voted=True).count()
    problems = []
    if vote.status in (VoteStatus.CLOSED, VoteStatus.ACCEPTED):
        if digest != vote.ballots_digest:
            problems.append("选票摘要与结束投票时记录的不一致：选票在计票后被改动、增加或删除")
        if counts != vote.result.get("counts"):
            problems.append("按选票重新计票的结果与公布的结果不一致")
    if len(ballots) > voted:
        problems.append(f"选票{len(ballots)}张，多于已投票代表{voted}人")
    return Verification(digest=digest, counts=counts, ballots=len(ballots), voted=voted, problems=problems)


def ballot_find(*, vote: Vote, receipt: str) -> Ballot | None:
    """A deputy checks their ballot by the receipt they were given: it is there, as they cast it."""
    if not receipt.strip():
        return None
    return Ballot.objects.filter(vote=vote, receipt_hash=_receipt_hash(receipt)).first()
