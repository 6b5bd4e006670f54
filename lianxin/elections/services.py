"""Writes: elections and districts, importing and checking rolls, staff decisions on findings, freezing,
and by-election candidates. Every change writes an audit row; a change to a frozen roll needs a reason."""

import datetime
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import IO, Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.core.audit import audit_record, model_changes
from lianxin.core.errors import DomainError, NotFound
from lianxin.core.idcard import IdNumberInvalid, id_number_normalise, id_number_parse
from lianxin.core.tabular import ImportResult, Progress
from lianxin.elections.checks import ERROR_LABELS, run_checks
from lianxin.elections.imports import read_voter_sheet
from lianxin.elections.models import (
    Candidate,
    CheckRun,
    District,
    Election,
    Finding,
    FindingKind,
    Qualification,
    Resolution,
    Sex,
    Voter,
    VoterStatus,
)
from lianxin.elections.permissions import can_manage_region, require_district, require_election
from lianxin.elections.selectors import roll_frame
from lianxin.regions.models import Region, RegionLevel

IMPORT_BATCH = 5_000
FINDING_BATCH = 2_000
VOTER_FIELDS = ["name", "sex", "id_number", "birth_date", "nationality", "household_address", "current_address"]


# Elections and districts ------------------------------------------------------------------------------------


def election_create(
    *, actor: User | None, name: str, region: Region, election_day: datetime.date, kind: str = "general"
) -> Election:
    election = Election(name=name, region=region, election_day=election_day, kind=kind)
    require_election(actor, election)
    with transaction.atomic():
        election.save()
        audit_record(
            actor=actor,
            action="election.create",
            obj=election,
            changes=model_changes(election, {}, ["name", "kind", "region", "election_day"]),
            region_path=region.path,
        )
    return election


def district_create(
    *, actor: User | None, election: Election, code: str, name: str, region: Region, seats: int = 1
) -> District:
    if not region.path.startswith(election.region.path):
        raise DomainError("district_outside_election", "选区所在区划不在本次选举的区划范围内", field="region")
    district = District(election=election, code=code, name=name, region=region, seats=seats)
    require_district(actor, district)
    if District.objects.filter(election=election, code=code).exists():
        raise DomainError("district_code_taken", f"选区编号“{code}”已存在", field="code")
    with transaction.atomic():
        district.save()
        audit_record(
            actor=actor,
            action="election.district_create",
            obj=district,
            changes=model_changes(district, {}, ["code", "name", "region", "seats"]),
            region_path=region.path,
        )
    return district


def district_for_import(*, actor: User | None, election: Election, code: str) -> District:
    """The district with this code; a region code (330521001001, or shortened) creates the district of that
    region on first import, which is how districts are usually drawn: one per village or community."""
    district = District.objects.select_related("region", "election").filter(election=election, code=code).first()
    if district is not None:
        require_district(actor, district)
        return district
    full = code.ljust(12, "0") if code.isdigit() and len(code) in (6, 9) else code
    region = Region.objects.filter(code=full).first()
    if region is None:
        raise DomainError("district_not_found", f"选区“{code}”不存在，也不是区划代码；请先建立选区", field="district")
    return district_create(actor=actor, election=election, code=code, name=region.name, region=region)


# Import -----------------------------------------------------------------------------------------------------


def voters_import(
    *,
    actor: User | None,
    election: Election,
    district_code: str,
    file: IO[bytes] | bytes,
    filename: str,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a district's roll: all or nothing. A row whose ID is already on this district's roll updates it
    (importing the same file twice changes nothing); other rows are added in batches."""
    district = district_for_import(actor=actor, election=election, code=district_code)
    if district.is_frozen:
        raise DomainError("roll_frozen", "该选区名册已冻结公布，不能整批导入；请逐条修改并填写原因")
    sheet = read_voter_sheet(file=file, filename=filename)
    seen: dict[str, int] = {}
    for row in sheet.rows:
        if sheet.has("district") and row.ok("district") and row.get("district") not in ("", district.code):
            sheet.error(row, "district", f"选区应为“{district.code}”（本次导入的选区），实为“{row['district']}”")
        if not row.ok("id_number"):
            continue
        first = seen.setdefault(row["id_number"], row.number)
        if first != row.number:
            sheet.error(row, "id_number", f"与第{first}行身份证号相同")
    sheet.raise_if_errors()

    present = [key for key in VOTER_FIELDS if sheet.has(key)]
    existing = {v.id_number: v for v in Voter.objects.filter(district=district, status=VoterStatus.ACTIVE)}
    created: list[Voter] = []
    updated: list[Voter] = []
    unchanged = 0
    for row in sheet.rows:
        values = {key: row.values.get(key) for key in present}
        if "sex" in values and values["sex"] is None:
            values["sex"] = ""
        voter = existing.get(row["id_number"])
        if voter is None:
            created.append(Voter(district=district, **values))
            continue
        if all(getattr(voter, key) == value for key, value in values.items()):
            unchanged += 1
            continue
        for key, value in values.items():
            setattr(voter, key, value)
        updated.append(voter)
    with transaction.atomic():
        total = len(created) + len(updated)
        for start in range(0, len(created), IMPORT_BATCH):
            if progress is not None:
                progress(start, total, "正在写入选民")
            Voter.objects.bulk_create(created[start : start + IMPORT_BATCH])
        for start in range(0, len(updated), IMPORT_BATCH):
            if progress is not None:
                progress(len(created) + start, total, "正在更新选民")
            Voter.objects.bulk_update(updated[start : start + IMPORT_BATCH], [*present, "updated_at"])
        audit_record(
            actor=actor,
            action="election.voters_import",
            obj=district,
            changes={"file": filename, "created": len(created), "updated": len(updated), "unchanged": unchanged},
            region_path=district.region.path,
        )
    return ImportResult(created=len(created), updated=len(updated), unchanged=unchanged)


# Checks -----------------------------------------------------------------------------------------------------


def region_prefixes() -> set[str]:
    """The 6-digit codes the region tree knows (province, prefecture, county levels)."""
    levels = [RegionLevel.PROVINCE, RegionLevel.PREFECTURE, RegionLevel.COUNTY]
    return {code[:6] for code in Region.objects.filter(level__in=levels).values_list("code", flat=True)}


@dataclass(frozen=True)
class Registers:
    """What the omission check compares the rolls with; each is optional."""

    register: pl.DataFrame | None = None
    moved_out: pl.DataFrame | None = None
    deceased: pl.DataFrame | None = None


def voters_check(
    *,
    actor: User | None,
    election: Election,
    as_of: datetime.date | None = None,
    registers: Registers | None = None,
    prefixes: Collection[str] | None = None,
) -> CheckRun:
    """Check every roll of the election and record the findings. A finding found before (same signature) is
    kept with its decision; an open finding that is no longer found is dropped."""
    require_election(actor, election)
    registers = registers or Registers()
    as_of = as_of or timezone.localdate()
    started = time.perf_counter()
    roll = roll_frame(election=election)
    result = run_checks(
        roll,
        election_day=election.election_day,
        as_of=as_of,
        region_prefixes=prefixes if prefixes is not None else region_prefixes(),
        register=registers.register,
        moved_out=registers.moved_out,
        deceased=registers.deceased,
    )
    seconds = time.perf_counter() - started
    district_region = dict(District.objects.filter(election=election).values_list("code", "region_id"))
    key_region = {key: district_region[code] for key, code in roll.select("key", "district").iter_rows()}

    found: list[Finding] = []
    for key, code, reason in result.errors.iter_rows():
        found.append(
            Finding(
                kind=FindingKind.ERROR,
                code=code,
                signature=f"error:{code}:{key}",
                voter_id=key,
                reason=reason,
                region_id=key_region[key],
            )
        )
    for key_a, key_b, code, score, evidence in result.duplicates.iter_rows():
        found.append(
            Finding(
                kind=FindingKind.DUPLICATE,
                code=code,
                signature=f"duplicate:{key_a}:{key_b}",
                voter_id=key_a,
                other_voter_id=key_b,
                score=score,
                reason=evidence,
                region_id=key_region[key_a],
            )
        )
    for code, key, id_number, name, birth_date, reason in result.omissions.iter_rows():
        found.append(
            Finding(
                kind=FindingKind.OMISSION,
                code=code,
                signature=f"omission:{code}:{key if key is not None else id_number}",
                voter_id=key,
                reason=reason,
                person_name=name or "",
                person_id_number=id_number or "",
                person_birth_date=birth_date,
                region_id=key_region[key] if key is not None else election.region_id,
            )
        )
    with transaction.atomic():
        run = CheckRun.objects.create(election=election, actor=actor if getattr(actor, "pk", None) else None)
        recorded = Finding.objects.filter(election=election).values_list("signature", "resolution", "pk")
        known, open_pk = set(), {}
        for signature, resolution, pk in recorded:
            known.add(signature)
            if not resolution:
                open_pk[signature] = pk
        current = {f.signature for f in found}
        # Compared in Python: a city's findings are tens of thousands, too many for one SQL IN list.
        stale = [pk for signature, pk in open_pk.items() if signature not in current]
        for start in range(0, len(stale), FINDING_BATCH):
            Finding.objects.filter(pk__in=stale[start : start + FINDING_BATCH]).delete()
        stale_count = len(stale)
        new = [f for f in found if f.signature not in known]
        for finding in new:
            finding.election, finding.run = election, run
        Finding.objects.bulk_create(new, batch_size=FINDING_BATCH)
        summary: dict[str, Any] = {
            "errors": result.errors.height,
            "duplicates": result.duplicates.height,
            "omissions": result.omissions.height,
            "new": len(new),
            "dropped": stale_count,
            "by_code": {
                f"{kind}:{code}": count
                for kind, frame in (
                    ("error", result.errors),
                    ("duplicate", result.duplicates),
                    ("omission", result.omissions),
                )
                for code, count in frame.group_by("code").len().iter_rows()
            },
            "register_given": registers.register is not None,
        }
        run.voters, run.seconds, run.summary = roll.height, round(seconds, 3), summary
        run.save(update_fields=["voters", "seconds", "summary"])
        audit_record(
            actor=actor,
            action="election.voters_check",
            obj=run,
            changes={k: v for k, v in summary.items() if k != "by_code"},
            region_path=election.region.path,
        )
    return run


# Voters -----------------------------------------------------------------------------------------------------


def _require_reason_if_frozen(district: District, reason: str) -> None:
    if district.is_frozen and not reason.strip():
        raise DomainError("roll_frozen_reason_required", "该选区名册已冻结公布，修改须填写原因", field="note")


def _locked_voter(voter: Voter) -> Voter:
    return Voter.objects.select_for_update().select_related("district__region").get(pk=voter.pk)


def voter_correct(*, actor: User, voter: Voter, changes: dict[str, Any], reason: str = "") -> Voter:
    """Correct a registration's fields (姓名, 性别, 身份证号, 出生日期, …)."""
    unknown = set(changes) - set(VOTER_FIELDS)
    if unknown:
        raise DomainError("voter_field_unknown", f"不能修改这些字段：{'、'.join(sorted(unknown))}")
    if "id_number" in changes:
        changes = {**changes, "id_number": id_number_normalise(changes["id_number"])}
    if "sex" in changes and changes["sex"] not in ("", *Sex.values):
        raise DomainError("voter_sex_invalid", "性别应为 男 或 女", field="sex")
    with transaction.atomic():
        voter = _locked_voter(voter)
        require_district(actor, voter.district)
        _require_reason_if_frozen(voter.district, reason)
        if voter.status != VoterStatus.ACTIVE:
            raise DomainError("voter_removed", "该选民已移出名册，不能修改")
        before = {name: getattr(voter, name) for name in VOTER_FIELDS}
        for name, value in changes.items():
            setattr(voter, name, value)
        diff = model_changes(voter, before, list(changes))
        if diff:
            voter.save(update_fields=[*changes, "updated_at"])
            audit_record(
                actor=actor,
                action="election.voter_correct",
                obj=voter,
                changes=diff,
                note=reason,
                region_path=voter.district.region.path,
            )
    return voter


def voter_remove(*, actor: User, voter: Voter, reason: str) -> Voter:
    if not reason.strip():
        raise DomainError("voter_remove_reason_required", "移出名册须填写原因", field="note")
    with transaction.atomic():
        voter = _locked_voter(voter)
        require_district(actor, voter.district)
        changed = Voter.objects.filter(pk=voter.pk, status=VoterStatus.ACTIVE).update(
            status=VoterStatus.REMOVED, status_reason=reason[:255], updated_at=timezone.now()
        )
        if changed != 1:
            raise DomainError("voter_removed", "该选民已移出名册")
        audit_record(
            actor=actor,
            action="election.voter_remove",
            obj=voter,
            changes={"status": [VoterStatus.ACTIVE, VoterStatus.REMOVED]},
            note=reason,
            region_path=voter.district.region.path,
        )
    voter.refresh_from_db()
    return voter


def voter_register(*, actor: User, district: District, values: dict[str, Any], reason: str = "") -> Voter:
    """Add one person to a district's roll (an omission found by the check, or a late registration)."""
    require_district(actor, district)
    _require_reason_if_frozen(district, reason)
    values = {key: value for key, value in values.items() if key in VOTER_FIELDS and value is not None}
    values["id_number"] = id_number_normalise(values.get("id_number", ""))
    if not values["id_number"] or not values.get("name"):
        raise DomainError("voter_incomplete", "登记须有姓名和身份证号")
    with transaction.atomic():
        if Voter.objects.filter(
            district__election=district.election, id_number=values["id_number"], status=VoterStatus.ACTIVE
        ).exists():
            raise DomainError("voter_already_registered", "该身份证号已在本次选举的名册中")
        voter = Voter.objects.create(district=district, **values)
        audit_record(
            actor=actor,
            action="election.voter_register",
            obj=voter,
            changes=model_changes(voter, {}, list(values)),
            note=reason,
            region_path=district.region.path,
        )
    return voter


# Findings ---------------------------------------------------------------------------------------------------


def finding_resolve(
    *,
    actor: User,
    finding: Finding,
    resolution: str,
    note: str = "",
    target: Voter | None = None,
    changes: dict[str, Any] | None = None,
    district: District | None = None,
) -> Finding:
    """Record a decision on a finding and carry it out, in one transaction.

    - keep: the registration is right as it is (twins, a name that really is written so); a note says why;
    - remove: take `target` (default: the finding's registration) off the roll;
    - merge (duplicates): keep `target` (default: the first registration), apply `changes` to it, and take the
      other off the roll;
    - correct: apply `changes` to `target`; for someone on no roll, register them in `district`.
    """
    if resolution not in Resolution.values:
        raise DomainError("resolution_invalid", "处理方式无效")
    changes = changes or {}
    with transaction.atomic():
        try:
            finding = Finding.objects.select_for_update().select_related("region", "election").get(pk=finding.pk)
        except Finding.DoesNotExist:
            raise NotFound() from None
        if not can_manage_region(actor, finding.region.path):
            raise NotFound()
        if not finding.is_open:
            raise DomainError("finding_resolved", "该问题已处理")
        voters = [v for v in (finding.voter, finding.other_voter) if v is not None]
        if target is not None and target not in voters:
            raise DomainError("finding_target_invalid", "所选选民不属于该问题")
        target = target or (voters[0] if voters else None)
        if resolution == Resolution.KEEP:
            if not note.strip():
                raise DomainError("finding_note_required", "保留须说明核实情况", field="note")
            if target is not None:
                _require_reason_if_frozen(target.district, note)
        elif resolution == Resolution.REMOVE:
            if target is None:
                raise DomainError("finding_nothing_to_remove", "该问题没有在册的选民可移出")
            voter_remove(actor=actor, voter=target, reason=note or _label(finding))
        elif resolution == Resolution.MERGE:
            if finding.kind != FindingKind.DUPLICATE or target is None:
                raise DomainError("finding_merge_invalid", "只有重登问题可以合并")
            other = next(v for v in voters if v.pk != target.pk)
            if changes:
                voter_correct(actor=actor, voter=target, changes=changes, reason=note)
            voter_remove(actor=actor, voter=other, reason=note or f"与{target.name}（编号{target.pk}）合并")
        elif resolution == Resolution.CORRECT:
            if target is not None:
                if not changes:
                    raise DomainError("finding_changes_required", "请填写要更正的内容")
                voter_correct(actor=actor, voter=target, changes=changes, reason=note)
            else:
                if district is None or district.election_id != finding.election_id:
                    raise DomainError("finding_district_required", "请选择登记入册的选区", field="district")
                values = {
                    "name": finding.person_name,
                    "id_number": finding.person_id_number,
                    "birth_date": finding.person_birth_date,
                    **changes,
                }
                target = voter_register(actor=actor, district=district, values=values, reason=note)
        before = {"resolution": ""}
        Finding.objects.filter(pk=finding.pk, resolution="").update(
            resolution=resolution,
            resolution_note=note,
            resolved_at=timezone.now(),
            resolved_by=actor if getattr(actor, "pk", None) else None,
        )
        finding.refresh_from_db()
        audit_record(
            actor=actor,
            action="election.finding_resolve",
            obj=finding,
            changes={
                "resolution": [before["resolution"], resolution],
                "target": target.pk if target is not None else None,
                **({"fields": {k: str(v) for k, v in changes.items()}} if changes else {}),
            },
            note=note,
            region_path=finding.region.path,
        )
    return finding


def _label(finding: Finding) -> str:
    from lianxin.elections.checks import DUPLICATE_LABELS, OMISSION_LABELS

    return {**ERROR_LABELS, **DUPLICATE_LABELS, **OMISSION_LABELS}.get(finding.code, finding.code)


# Freezing ---------------------------------------------------------------------------------------------------


def district_freeze(*, actor: User, district: District) -> District:
    """Freeze a roll for publication. Refused while a finding on one of its registrations is open."""
    with transaction.atomic():
        district = District.objects.select_for_update().select_related("region").get(pk=district.pk)
        require_district(actor, district)
        if district.is_frozen:
            raise DomainError("roll_already_frozen", "该选区名册已冻结")
        open_count = (
            Finding.objects.filter(resolution="", voter__district=district).count()
            + Finding.objects.filter(resolution="", other_voter__district=district).count()
        )
        if open_count:
            raise DomainError(
                "roll_has_open_findings", f"该选区还有{open_count}个核查问题未处理，处理完毕后才能冻结公布"
            )
        now = timezone.now()
        District.objects.filter(pk=district.pk, frozen_at__isnull=True).update(
            frozen_at=now, frozen_by=actor if getattr(actor, "pk", None) else None
        )
        district.refresh_from_db()
        audit_record(
            actor=actor,
            action="election.roll_freeze",
            obj=district,
            changes={"frozen_at": [None, now.isoformat()]},
            region_path=district.region.path,
        )
    return district


# By-elections: candidates -----------------------------------------------------------------------------------


def candidate_nominate(
    *,
    actor: User,
    district: District,
    name: str,
    id_number: str,
    sex: str = "",
    nominated_by: str = "",
    occupation: str = "",
) -> Candidate:
    require_district(actor, district)
    candidate = Candidate(
        district=district,
        name=name.strip(),
        id_number=id_number_normalise(id_number),
        sex=sex,
        nominated_by=nominated_by,
        occupation=occupation,
    )
    if Candidate.objects.filter(district=district, id_number=candidate.id_number).exists():
        raise DomainError("candidate_exists", "该候选人已在本选区提名")
    with transaction.atomic():
        candidate.save()
        audit_record(
            actor=actor,
            action="election.candidate_nominate",
            obj=candidate,
            changes=model_changes(candidate, {}, ["name", "id_number", "sex", "nominated_by", "occupation"]),
            region_path=district.region.path,
        )
    return candidate


def candidate_problems(*, candidate: Candidate) -> list[str]:
    """What the qualification review must look at: the ID, the age on election day, and whether the
    candidate is a registered voter of this election (the right to stand follows the right to vote)."""
    election = candidate.district.election
    problems = []
    try:
        parsed = id_number_parse(candidate.id_number, today=election.election_day)
    except IdNumberInvalid as exc:
        problems.append(f"身份证号无效：{exc.reason}")
    else:
        if parsed.age_on(election.election_day) < 18:
            problems.append("选举日未满18周岁")
        if candidate.sex and candidate.sex != parsed.sex:
            problems.append("性别与身份证号不符")
    registered = Voter.objects.filter(
        district__election=election, id_number=candidate.id_number, status=VoterStatus.ACTIVE
    ).first()
    if registered is None:
        problems.append("不在本次选举的选民名册中")
    elif registered.name != candidate.name:
        problems.append(f"姓名与选民名册不符（名册为“{registered.name}”）")
    return problems


def candidate_review(*, actor: User, candidate: Candidate, qualified: bool, note: str = "") -> Candidate:
    """Decide a candidate's qualification. Qualifying a candidate with problems needs a note saying why."""
    with transaction.atomic():
        candidate = (
            Candidate.objects.select_for_update()
            .select_related("district__region", "district__election")
            .get(pk=candidate.pk)
        )
        require_district(actor, candidate.district)
        problems = candidate_problems(candidate=candidate)
        if qualified and problems and not note.strip():
            raise DomainError(
                "candidate_problems", "资格审查发现问题：" + "；".join(problems) + "。如确认有效，请填写审查意见"
            )
        if not qualified and not note.strip():
            raise DomainError("candidate_note_required", "资格无效须填写审查意见", field="note")
        old = candidate.qualification
        candidate.qualification = Qualification.QUALIFIED if qualified else Qualification.DISQUALIFIED
        candidate.review_note = note
        candidate.reviewed_at = timezone.now()
        candidate.reviewed_by = actor if getattr(actor, "pk", None) else None
        candidate.save(update_fields=["qualification", "review_note", "reviewed_at", "reviewed_by"])
        audit_record(
            actor=actor,
            action="election.candidate_review",
            obj=candidate,
            changes={"qualification": [old, candidate.qualification], "problems": problems},
            note=note,
            region_path=candidate.district.region.path,
        )
    return candidate
