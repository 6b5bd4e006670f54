import datetime

import pytest
from django.db import connection, connections
from django.utils import timezone

from lianxin.cases.models import Case, Category, ResponsibleUnit, Status
from lianxin.cases.workflow import case_transition
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.models import AuditEvent
from lianxin.ops.management.commands.run_worker import jobs
from lianxin.routing import services
from lianxin.routing.models import Proposal, ProposalStatus, RouterVersion
from lianxin.routing.selectors import triage_queue
from lianxin.routing.services import (
    _training_rows,
    case_propose,
    cases_propose_pending,
    proposal_decide,
    router_repair,
    router_retrain_due,
    router_train_from_cases,
)
from lianxin.routing.tests.conftest import CODES


@pytest.fixture(autouse=True)
def _forget_loaded_models():
    services._loaded.clear()
    yield
    services._loaded.clear()


def test_training_from_cases_makes_a_new_active_version_each_time(history, personas):
    first = router_train_from_cases(actor=personas.county_staff, min_samples=20)
    assert first.number == 1 and first.is_active and first.samples == len(history.cases)
    assert sorted(first.classes) == ["education", "environment", "transport"]
    assert AuditEvent.objects.filter(action="router_train", object_id=str(first.pk)).exists()

    case = history.register(history.fresh[0])
    proposal = case_propose(case=case)
    assert proposal.router == first

    second = router_train_from_cases(actor=None, min_samples=20)
    first.refresh_from_db()
    assert second.number == 2 and second.is_active and not first.is_active
    proposal.refresh_from_db()
    assert proposal.router == first  # a case keeps the version that proposed for it
    assert case_propose(case=case).pk == proposal.pk  # proposed once


def test_training_since_a_date_learns_only_from_the_cases_registered_from_then(history):
    recent, older = history.cases[:30], history.cases[30:]
    Case.objects.filter(pk__in=[c.pk for c in older]).update(
        registered_at=timezone.now() - datetime.timedelta(days=400)
    )

    version = router_train_from_cases(
        actor=None, min_samples=20, since=timezone.now() - datetime.timedelta(days=365), source="近一年"
    )

    assert (version.samples, version.source) == (len(recent), "近一年")
    assert router_train_from_cases(actor=None, min_samples=20).samples == len(history.cases)


def test_only_the_latest_fitted_models_are_kept(history, monkeypatch):
    monkeypatch.setattr(services, "KEEP_MODELS", 2)
    for _ in range(3):
        router_train_from_cases(actor=None, min_samples=20, threshold=0.0)
    kept = {v.number: bool(v.blob) for v in RouterVersion.objects.all()}
    assert kept == {1: False, 2: True, 3: True}


def test_training_refuses_too_little_history(history):
    with pytest.raises(DomainError) as refused:
        router_train_from_cases(actor=None, min_samples=1000)
    assert refused.value.code == "too_few_samples"
    assert not RouterVersion.objects.exists()


def test_a_proposal_records_version_category_and_confidence(history):
    version = router_train_from_cases(actor=None, min_samples=20, threshold=0.0)
    row = next(r for r in history.fresh if r["一级标签"] == "交通运输")
    proposal = case_propose(case=history.register(row))
    assert proposal.router == version
    assert proposal.category is not None and proposal.category.code in {"transport", "environment", "education"}
    assert 0 < proposal.confidence <= 1
    assert proposal.status == ProposalStatus.AUTO
    assert next(code for code, _ in proposal.ranking) == proposal.category.code


def test_below_the_threshold_the_case_waits_in_the_triage_queue(history, personas):
    router_train_from_cases(actor=None, min_samples=20, threshold=0.999)
    case = history.register(history.fresh[0])
    proposal = case_propose(case=case)
    assert proposal.status == ProposalStatus.TRIAGE
    assert list(triage_queue(user=personas.township_staff)) == [proposal]
    assert list(triage_queue(user=personas.outsider)) == []


def test_without_a_model_every_case_goes_to_triage(history):
    proposal = case_propose(case=history.register(history.fresh[0]))
    assert proposal.router is None and proposal.category is None and proposal.status == ProposalStatus.TRIAGE


def test_the_clerk_corrects_a_proposal_and_the_case_is_accepted_with_that_category(history, personas):
    router_train_from_cases(actor=None, min_samples=20, threshold=0.999)
    case = history.register(history.fresh[0])
    proposal = case_propose(case=case)
    other = Category.objects.exclude(pk=proposal.category_id).get(
        code="environment" if proposal.category.code != "environment" else "transport"
    )

    decided = proposal_decide(actor=personas.township_staff, proposal=proposal, category=other)

    assert decided.status == ProposalStatus.CORRECTED and decided.final_category == other
    assert decided.decided_by == personas.township_staff
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.category == other
    assert case.events.filter(action="accept").exists()
    assert AuditEvent.objects.filter(action="proposal_decide", object_id=str(proposal.pk)).exists()
    assert list(triage_queue(user=personas.township_staff)) == []


def test_accepting_the_proposal_marks_it_accepted(history, personas):
    router_train_from_cases(actor=None, min_samples=20, threshold=0.0)
    proposal = case_propose(case=history.register(history.fresh[0]))
    decided = proposal_decide(actor=personas.township_staff, proposal=proposal, category=proposal.category)
    assert decided.status == ProposalStatus.ACCEPTED


def test_an_outsider_cannot_decide(history, personas):
    proposal = case_propose(case=history.register(history.fresh[0]))
    with pytest.raises(PermissionDenied):
        proposal_decide(actor=personas.outsider, proposal=proposal, category=Category.objects.get(code="transport"))


def test_corrections_feed_the_next_training(history, personas):
    case = history.register(history.fresh[0])
    proposal = case_propose(case=case)
    health = Category.objects.get(code="health")
    proposal_decide(actor=personas.township_staff, proposal=proposal, category=health)
    rows = {title: code for title, _, code, _ in _training_rows()}
    assert rows[case.title] == "health"
    version = router_train_from_cases(actor=None, min_samples=20)
    assert "health" in version.classes


def test_unit_routing_takes_the_unit_that_serves_the_region_for_the_category(history, regions):
    version = router_train_from_cases(actor=None, min_samples=20, threshold=0.0)
    units = {}
    for code in version.classes:
        unit = ResponsibleUnit.objects.create(name=f"县{code}局", region=regions.deqing)
        unit.categories.add(Category.objects.get(code=code))
        unit.serves.add(regions.deqing)
        units[code] = unit
    elsewhere = ResponsibleUnit.objects.create(name="安吉县交通局", region=regions.anji)
    elsewhere.categories.add(Category.objects.get(code="transport"))
    elsewhere.serves.add(regions.anji)
    proposal = case_propose(case=history.register(history.fresh[0]))
    assert proposal.unit == units[proposal.category.code]
    assert proposal.unit_candidates == 1


def test_with_several_units_for_a_category_the_unit_router_chooses_among_them(history, personas, regions):
    transport = Category.objects.get(code="transport")
    roads = ResponsibleUnit.objects.create(name="县交通运输局", region=regions.deqing)
    town = ResponsibleUnit.objects.create(name="武康街道办", region=regions.wukang)
    for unit, region in ((roads, regions.deqing), (town, regions.wukang)):
        unit.categories.add(*Category.objects.all())
        unit.serves.add(region)
    # History: education letters were transferred to the township, everything else to the county bureau.
    for case in history.cases:
        unit = town if case.category.code == "education" else roads
        case_transition(case=case, action="transfer", actor=personas.county_staff, params={"unit": unit})
    router_train_from_cases(actor=None, min_samples=20, threshold=0.0)
    row = next(r for r in history.fresh if r["一级标签"] == "教育文体")
    proposal = case_propose(case=history.register(row))
    assert proposal.unit_candidates == 2
    assert proposal.unit in (roads, town)
    assert transport.units.count() == 2


def test_the_worker_proposes_for_new_cases_and_retrains_on_schedule(history):
    names = {job.name for job in jobs()}
    assert {"routing_propose", "routing_retrain"} <= names
    assert router_retrain_due() == 1  # no version yet: the first is trained
    history.register(history.fresh[0])
    history.register(history.fresh[1])
    assert cases_propose_pending() == 2
    assert cases_propose_pending() == 0
    assert Proposal.objects.filter(router__number=1).count() == 2
    assert router_retrain_due() == 0  # nothing new was settled since v1
    assert Case.objects.count() == len(history.cases) + 2


# --- batches, library versions and unreadable models --------------------------------------------------------


def test_proposals_for_a_batch_of_cases_take_a_few_statements_not_a_few_per_case(
    history, django_assert_max_num_queries
):
    router_train_from_cases(actor=None, min_samples=20, threshold=0.0)
    history.register(history.fresh[0])
    cases_propose_pending()  # the model is read once per process: not part of a batch's cost
    for row in history.fresh[1:]:
        history.register(row)

    # The pending cases, the version, the categories, the directory once per (category, region), one INSERT, and
    # the transaction that holds the claimed cases (a savepoint here, inside the test's own transaction).
    with django_assert_max_num_queries(4 + len(CODES) + 1 + 2):
        assert cases_propose_pending() == len(history.fresh) - 1

    assert not Case.objects.filter(status=Status.REGISTERED, routing_proposal__isnull=True).exists()
    assert Proposal.objects.filter(router__number=1).count() == len(history.fresh)


def test_a_trained_version_records_the_libraries_that_wrote_it(history):
    import numpy
    import sklearn

    version = router_train_from_cases(actor=None, min_samples=20)

    assert version.libraries["scikit-learn"] == sklearn.__version__
    assert version.libraries["numpy"] == numpy.__version__
    assert version.libraries["python"].count(".") == 2


def _break(version: RouterVersion, **changes) -> None:
    RouterVersion.objects.filter(pk=version.pk).update(**changes)
    services._loaded.clear()  # as in a process started after the upgrade


@pytest.mark.parametrize(
    "damage",
    [
        {"libraries": {"python": "3.11.7", "scikit-learn": "0.24.2", "numpy": "1.26.4"}},
        {"blob": b"\x80\x04 not a pickle"},
    ],
    ids=["written_by_another_scikit_learn", "unreadable_file"],
)
def test_a_model_that_cannot_be_loaded_sends_new_cases_to_triage_and_the_worker_retrains_it(history, damage, caplog):
    old = router_train_from_cases(actor=None, min_samples=20, threshold=0.0)
    _break(old, **damage)
    case = history.register(history.fresh[0])

    assert cases_propose_pending() == 1  # routing goes on: no exception
    proposal = Proposal.objects.get(case=case)
    assert (proposal.status, proposal.router, proposal.category) == (ProposalStatus.TRIAGE, None, None)
    old.refresh_from_db()
    assert old.load_error  # the back office shows why
    assert AuditEvent.objects.filter(action="router_unavailable", object_id=str(old.pk)).count() == 1
    assert any(r.levelname == "ERROR" and "无法使用" in r.getMessage() for r in caplog.records)

    history.register(history.fresh[1])
    assert cases_propose_pending() == 1
    assert AuditEvent.objects.filter(action="router_unavailable").count() == 1  # told once

    assert router_repair() == old.number + 1  # the worker's heavy job: retrained from the cases at once
    new = RouterVersion.objects.get(is_active=True)
    assert new.number == old.number + 1 and "无法读取" in new.source and new.load_error == ""
    assert router_repair() == 0
    later = history.register(history.fresh[2])
    cases_propose_pending()
    assert Proposal.objects.get(case=later).router == new


def test_the_repair_runs_in_the_workers_heavy_queue_not_in_a_request():
    from lianxin.notifications.worker import HEAVY

    repair = next(job for job in jobs() if job.name == "routing_repair")
    assert repair.queue == HEAVY


def test_importing_the_routing_services_and_selectors_does_not_import_scikit_learn():
    import subprocess
    import sys

    code = (
        "import django, sys; django.setup(); "
        "import lianxin.routing.services, lianxin.routing.selectors, lianxin.routing.jobs; "
        "print(sorted(m for m in ('sklearn', 'scipy', 'joblib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_services_threshold_is_the_classifiers():
    from lianxin.routing.classifier import DEFAULT_THRESHOLD

    assert services.DEFAULT_THRESHOLD == DEFAULT_THRESHOLD


@pytest.mark.skipif(not connection.features.has_select_for_update_skip_locked, reason="SKIP LOCKED (PostgreSQL)")
def test_two_intake_workers_propose_for_different_cases(transactional_db, history):
    first, *others = [history.register(row) for row in history.fresh[:3]]
    other = connections.create_connection("default")  # another worker, scoring a batch that holds the first case
    other.set_autocommit(False)
    with connection.cursor() as cursor:
        cursor.execute("set lock_timeout = '3s'")  # waiting on the other worker would fail the test, not hang it
    try:
        with other.cursor() as cursor:
            cursor.execute("select id from cases_case where id = %s for update", [first.pk])
            assert cases_propose_pending() == len(others)
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("reset lock_timeout")

    assert set(Proposal.objects.values_list("case_id", flat=True)) == {c.pk for c in others}
    assert cases_propose_pending() == 1
