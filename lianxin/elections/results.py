"""A by-election's result (补选结果): the candidates declared elected become deputies with a mandate, in one action.

`byelection_result_record` records who was elected in a district and when, and for each of them finds the deputy
by ID number (the deputies import matches people the same way, so a sitting deputy of another congress is the same
row and keeps their public QR code) or creates one, and creates the mandate of the election's congress with the
status 补选在任. Refused: a candidate not qualified, more elected than the district's seats, a date before the
election day or in the future, a person who already holds a mandate of that congress and term. Recording the same
result again changes nothing and writes nothing.
"""

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.core.audit import audit_record, model_changes
from lianxin.core.errors import DomainError
from lianxin.core.idcard import IdNumberInvalid, id_number_parse
from lianxin.deputies.models import Deputy, Gender, Mandate, MandateLevel, MandateStatus
from lianxin.elections.models import Candidate, District, ElectionKind, ElectionResult, Qualification, Sex
from lianxin.elections.permissions import require_district
from lianxin.regions.models import Region, RegionLevel

# Voters elect the congresses of counties and townships directly; the election's region names the congress.
CONGRESS_LEVEL = {
    RegionLevel.PROVINCE: MandateLevel.PROVINCE,
    RegionLevel.PREFECTURE: MandateLevel.CITY,
    RegionLevel.COUNTY: MandateLevel.COUNTY,
    RegionLevel.TOWNSHIP: MandateLevel.TOWNSHIP,
}
GENDER_OF_SEX = {Sex.MALE: Gender.MALE, Sex.FEMALE: Gender.FEMALE}


def congress_level(region: Region) -> str:
    level = CONGRESS_LEVEL.get(RegionLevel(region.level))
    if level is None:
        raise DomainError("result_no_congress", f"“{region.name}”不设人民代表大会，无法登记当选结果")
    return level


def current_term(*, level: str, congress: Region) -> int | None:
    """The congress's current term: the latest term of its mandates (None when none is known)."""
    return Mandate.objects.filter(level=level, congress_region=congress).aggregate(term=Max("term"))["term"]


def byelection_result_record(
    *,
    actor: User | None,
    district: District,
    candidates: Sequence[Candidate],
    elected_on: datetime.date,
    term: int | None = None,
) -> list[ElectionResult]:
    """Record `candidates` as elected in `district` on `elected_on`; returns the district's results for them.

    `term` defaults to the congress's current term (the latest of its mandates)."""
    with transaction.atomic():
        district = District.objects.select_for_update().select_related("election__region", "region").get(pk=district.pk)
        require_district(actor, district)
        election = district.election
        if election.kind != ElectionKind.BY_ELECTION:
            raise DomainError(
                "result_not_by_election", "只有补选可以在此登记当选结果，换届选举的代表请通过代表名册导入"
            )
        if not candidates:
            raise DomainError("result_no_candidate", "请选择当选的候选人", field="candidates")
        if elected_on < election.election_day:
            raise DomainError(
                "result_date_invalid", f"当选日期不能早于选举日（{election.election_day:%Y-%m-%d}）", field="elected_on"
            )
        if elected_on > timezone.localdate():
            raise DomainError("result_date_invalid", "当选日期不能晚于今天", field="elected_on")
        level = congress_level(election.region)
        if term is None:
            term = current_term(level=level, congress=election.region)
            if term is None:
                raise DomainError("result_term_required", "该人大还没有代表资格记录，请填写届次", field="term")

        chosen = list(
            Candidate.objects.filter(pk__in=[c.pk for c in candidates]).select_related("result").order_by("pk")
        )
        done: list[Candidate] = []
        new: list[Candidate] = []
        for candidate in chosen:
            _check_candidate(candidate, district=district, elected_on=elected_on)
            (done if hasattr(candidate, "result") else new).append(candidate)
        already = ElectionResult.objects.filter(candidate__district=district).count()
        if already + len(new) > district.seats:
            raise DomainError(
                "result_seats_exceeded",
                f"{district.name}应选代表{district.seats}名，已登记当选{already}名，不能再登记{len(new)}名",
                field="candidates",
            )
        results = [c.result for c in done]
        for candidate in new:
            results.append(
                _elect(
                    actor=actor, district=district, candidate=candidate, elected_on=elected_on, term=term, level=level
                )
            )
    return results


def _check_candidate(candidate: Candidate, *, district: District, elected_on: datetime.date) -> None:
    if candidate.district_id != district.pk:
        raise DomainError("result_candidate_elsewhere", f"候选人“{candidate.name}”不是{district.name}的候选人")
    if candidate.qualification != Qualification.QUALIFIED:
        raise DomainError(
            "result_candidate_not_qualified",
            f"候选人“{candidate.name}”资格审查结果为“{candidate.get_qualification_display()}”，不能登记为当选",
            field="candidates",
        )
    result = getattr(candidate, "result", None)
    if result is not None and result.elected_on != elected_on:
        raise DomainError(
            "result_already_recorded",
            f"候选人“{candidate.name}”已于{result.elected_on:%Y-%m-%d}登记当选，不能以另一日期再次登记",
            field="elected_on",
        )


def _elect(
    *, actor: User | None, district: District, candidate: Candidate, elected_on: datetime.date, term: int, level: str
) -> ElectionResult:
    congress = district.election.region
    deputy = _deputy_for(actor=actor, candidate=candidate, region_path=congress.path)
    if Mandate.objects.filter(deputy=deputy, level=level, congress_region=congress, term=term).exists():
        raise DomainError(
            "result_already_deputy",
            f"“{candidate.name}”已是{congress.name}第{term}届人大代表，不能再登记为补选当选",
            field="candidates",
        )
    mandate = Mandate.objects.create(
        deputy=deputy,
        level=level,
        congress_region=congress,
        term=term,
        district_name=district.name,
        district_region=district.region,
        status=MandateStatus.BY_ELECTED,
        started_on=elected_on,
    )
    note = f"{district.election.name} {district.name} 补选当选"
    audit_record(
        actor=actor,
        action="mandate.create",
        obj=mandate,
        region_path=congress.path,
        changes=model_changes(
            mandate,
            {},
            ["deputy_id", "level", "congress_region_id", "term", "district_name", "district_region_id", "status"],
        ),
        note=note,
    )
    result = ElectionResult.objects.create(
        candidate=candidate,
        elected_on=elected_on,
        deputy=deputy,
        mandate=mandate,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="election.result_record",
        obj=result,
        region_path=district.region.path,
        changes={
            "elected_on": [None, elected_on.isoformat()],
            "deputy": [None, deputy.pk],
            "mandate": [None, mandate.pk],
        },
        note=note,
    )
    return result


def _deputy_for(*, actor: User | None, candidate: Candidate, region_path: str) -> Deputy:
    """The deputy the candidate is: the one with their ID number, else a new one. An existing deputy's blank
    fields are filled from the candidate; what staff already recorded is kept."""
    number = candidate.id_number.strip()
    usable = number if 0 < len(number) <= 18 else ""
    values: dict[str, object] = {"name": candidate.name, "employer": candidate.occupation}
    if candidate.sex:
        values["gender"] = GENDER_OF_SEX[Sex(candidate.sex)]
    try:
        card = id_number_parse(number)
    except IdNumberInvalid:
        pass
    else:
        values["gender"], values["birth_date"] = card.sex, card.birth_date
    deputy = Deputy.objects.select_for_update().filter(id_number=usable).first() if usable else None
    if deputy is None:
        deputy = Deputy(id_number=usable, **values)
        deputy.save()
        audit_record(
            actor=actor,
            action="deputy.create",
            obj=deputy,
            region_path=region_path,
            changes=model_changes(deputy, {}, ["id_number", *values]),
            note=f"补选当选：{candidate.district.election.name}",
        )
        return deputy
    blank = [name for name, value in values.items() if value and not getattr(deputy, name)]
    if blank:
        before = {name: getattr(deputy, name) for name in blank}
        for name in blank:
            setattr(deputy, name, values[name])
        deputy.save(update_fields=[*blank, "updated_at"])
        audit_record(
            actor=actor,
            action="deputy.update",
            obj=deputy,
            region_path=region_path,
            changes=model_changes(deputy, before, blank),
            note=f"补选当选：{candidate.district.election.name}",
        )
    return deputy
