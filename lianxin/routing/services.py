"""Writes of the routing app: training versions, proposing for cases, the clerk's triage decision, merging a
common problem. The closed loop's own writes stay in lianxin.cases (accept and merge go through case_transition)."""

import datetime
import io
import logging
import platform
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.cases.models import Case, Category, ResponsibleUnit, Status
from lianxin.cases.services import unit_propose
from lianxin.cases.workflow import Action, case_transition
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.routing.models import Proposal, ProposalStatus, RouterVersion

if TYPE_CHECKING:
    # scikit-learn, scipy and joblib take ~2 s to import; only the worker and the training commands need them.
    from lianxin.routing.classifier import TextRouter

DEFAULT_THRESHOLD = 0.6  # lianxin.routing.classifier.DEFAULT_THRESHOLD, without importing scikit-learn

logger = logging.getLogger("lianxin.routing")

MIN_SAMPLES = 20
# Retrain when at least this many cases got their final category since the active version was trained.
RETRAIN_AFTER = 50
# Fitted models kept in the database (~25 MB each); older versions keep their row, metrics and proposals.
KEEP_MODELS = 5


# --- the router's versions -------------------------------------------------------------------------------------


class _Bundle:
    """What a version's blob holds: the category router and, when units can be told apart, a unit router."""

    def __init__(self, category: "TextRouter", unit: "TextRouter | None") -> None:
        self.category = category
        self.unit = unit


class RouterUnavailable(Exception):
    """A version's model cannot be used here: written by other library versions, or unreadable."""


_loaded: dict[tuple[int, datetime.datetime], _Bundle] = {}


def libraries() -> dict[str, str]:
    """The versions of what a fitted model's pickle depends on, recorded with every version."""
    import joblib
    import numpy
    import scipy
    import sklearn

    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
    }


def _library_mismatch(recorded: dict[str, str]) -> str:
    """Why a model written with `recorded` should not be unpickled here ("" when it may be). scikit-learn only
    promises that a pickle loads in the version that wrote it; numpy's and Python's formats hold within a major
    (Python: minor) version. Versions trained before this was recorded carry nothing and are simply tried."""
    if not recorded:
        return ""
    current = libraries()
    problems = []
    if recorded.get("scikit-learn") not in (None, current["scikit-learn"]):
        problems.append(f"scikit-learn {recorded['scikit-learn']} → {current['scikit-learn']}")
    for name, parts in (("numpy", 1), ("python", 2)):
        was, now = recorded.get(name), current[name]
        if was is not None and was.split(".")[:parts] != now.split(".")[:parts]:
            problems.append(f"{name} {was} → {now}")
    return "模型由不同版本的依赖库训练：" + "，".join(problems) if problems else ""


def router_models_forget() -> None:
    """Drop the models read into this process (tests; an administrator who restored a backup)."""
    _loaded.clear()


def _bundle(version: RouterVersion) -> _Bundle:
    """The fitted models of `version`, read from the database once per process. Raises RouterUnavailable when the
    libraries differ from those that wrote it or the blob cannot be unpickled."""
    # By id and training time: a database restored from a backup, or a test's rolled-back rows, may give another
    # version the same id, and must not get this one's models.
    key = (version.pk, version.trained_at)
    if key not in _loaded:
        mismatch = _library_mismatch(version.libraries)
        if mismatch:
            raise RouterUnavailable(mismatch)
        import joblib

        blob = RouterVersion.objects.filter(pk=version.pk).values_list("blob", flat=True).get()
        try:
            data = joblib.load(io.BytesIO(bytes(blob)))
        except Exception as exc:  # whatever unpickling raises: a missing class, a bad file, a changed layout
            raise RouterUnavailable(f"模型无法读取：{type(exc).__name__}: {exc}"[:500]) from exc
        _loaded.clear()  # one version in memory per process
        _loaded[key] = data if isinstance(data, _Bundle) else _Bundle(data, None)
    return _loaded[key]


def _router_unavailable(version: RouterVersion, reason: str) -> None:
    """Record once that `version` cannot be used, so that the back office shows it and the worker retrains
    (router_repair). Meanwhile new cases go to the manual triage queue: routing goes on, only slower."""
    with transaction.atomic():
        if not RouterVersion.objects.filter(pk=version.pk, load_error="").update(load_error=reason):
            return  # already recorded (another worker, an earlier batch)
        audit_record(actor=None, action="router_unavailable", obj=version, changes={"load_error": reason})
    version.load_error = reason
    logger.error(
        "分办模型 v%s 无法使用（%s）：新意见建议转人工分办，后台任务将用平台意见建议重新训练", version.number, reason
    )


def _training_rows(*, since: datetime.datetime | None = None) -> list[tuple[str, str, str, int | None]]:
    """(title, body, category code, unit id) of every case whose category a person settled (registered from
    `since`, when given): the clerk's triage decision where there is one (corrections included), else the case's
    category as accepted."""
    decided = {
        p.case_id: (p.final_category.code if p.final_category else None, p.final_unit_id)
        for p in Proposal.objects.filter(status__in=[ProposalStatus.ACCEPTED, ProposalStatus.CORRECTED]).select_related(
            "final_category"
        )
    }
    rows = []
    cases = Case.objects.exclude(status=Status.REGISTERED).filter(category__isnull=False).select_related("category")
    if since is not None:
        cases = cases.filter(registered_at__gte=since)
    for case in cases.only("id", "title", "body", "category__code", "unit_id").iterator(chunk_size=2000):
        code, unit = decided.get(case.pk, (None, None))
        assert case.category is not None  # filtered above
        rows.append((case.title, case.body, code or case.category.code, unit or case.unit_id))
    return rows


def router_train_from_cases(
    *,
    actor: User | None,
    threshold: float = DEFAULT_THRESHOLD,
    min_samples: int = MIN_SAMPLES,
    source: str = "平台意见建议",
    since: datetime.datetime | None = None,
) -> RouterVersion:
    """Train a new version on the platform's own history (the cases registered from `since`, when given) and make
    it the active one."""
    import joblib

    from lianxin.routing.classifier import TextRouter, evaluate

    rows = _training_rows(since=since)
    labels = Counter(r[2] for r in rows)
    if len(rows) < min_samples or len(labels) < 2:
        raise DomainError(
            "too_few_samples",
            f"训练样本不足：需要至少 {min_samples} 件已确定类别的意见建议（至少两个类别），现有 {len(rows)} 件",
            field="samples",
        )
    started = timezone.now()
    metrics: dict[str, Any] = {}
    if len(rows) >= 200:
        # A held-out fifth measures the version before it is trained on everything.
        from sklearn.model_selection import train_test_split

        rare = {label for label, count in labels.items() if count < 2}
        usable = [r for r in rows if r[2] not in rare]
        train, test = train_test_split(usable, test_size=0.2, random_state=0, stratify=[r[2] for r in usable])
        probe = TextRouter(threshold=threshold).fit([r[0] for r in train], [r[1] for r in train], [r[2] for r in train])
        report = evaluate(probe, [r[0] for r in test], [r[1] for r in test], [r[2] for r in test])
        metrics = {k: report[k] for k in ("macro_f1", "accuracy", "coverage", "accuracy_when_confident", "messages")}
    router = TextRouter(threshold=threshold).fit([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
    with_unit = [r for r in rows if r[3] is not None]
    unit_router = None
    if len({r[3] for r in with_unit}) >= 2 and len(with_unit) >= min_samples:
        unit_router = TextRouter(threshold=0.0).fit(
            [r[0] for r in with_unit], [r[1] for r in with_unit], [str(r[3]) for r in with_unit]
        )
    buffer = io.BytesIO()
    joblib.dump(_Bundle(router, unit_router), buffer, compress=3)
    blob = buffer.getvalue()
    seconds = (timezone.now() - started).total_seconds()
    with transaction.atomic():
        number = (RouterVersion.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0) + 1
        RouterVersion.objects.filter(is_active=True).update(is_active=False)
        version = RouterVersion.objects.create(
            number=number,
            trained_at=timezone.now(),
            trained_by=actor if getattr(actor, "pk", None) else None,
            source=source,
            samples=len(rows),
            classes=router.classes_,
            threshold=threshold,
            metrics=metrics,
            training_seconds=round(seconds, 1),
            size=len(blob),
            libraries=libraries(),
            is_active=True,
            blob=blob,
        )
        audit_record(actor=actor, action="router_train", obj=version, changes={"samples": len(rows), **metrics})
        RouterVersion.objects.filter(number__lte=number - KEEP_MODELS).exclude(blob=b"").update(blob=b"")
    return version


def router_retrain_due(*, now: datetime.datetime | None = None) -> int:
    """The scheduled job: a new version when enough cases got a final category since the active one (else 0)."""
    active = RouterVersion.objects.filter(is_active=True).first()
    settled = Case.objects.exclude(status=Status.REGISTERED).filter(category__isnull=False)
    if active is not None:
        fresh = settled.filter(accepted_at__gt=active.trained_at).count()
        fresh += Proposal.objects.filter(decided_at__gt=active.trained_at).count()
        if fresh < RETRAIN_AFTER:
            return 0
    try:
        version = router_train_from_cases(actor=None)
    except DomainError as exc:
        logger.info("router not retrained: %s", exc.message)
        return 0
    return version.number


def router_repair(*, now: datetime.datetime | None = None) -> int:
    """The worker's job: retrain at once from the platform's cases when the active version cannot be read here
    (after a library upgrade, say), rather than wait for the nightly retraining. Returns the new version's number
    (0 when nothing was to do or too few cases have a settled category; then the triage queue carries on)."""
    broken = RouterVersion.objects.filter(is_active=True).exclude(load_error="").defer("blob").first()
    if broken is None:
        return 0
    try:
        version = router_train_from_cases(actor=None, source=f"自动重新训练（v{broken.number} 无法读取）")
    except DomainError as exc:
        logger.error("分办模型 v%s 无法读取，且无法重新训练：%s", broken.number, exc.message)
        return 0
    logger.warning("分办模型 v%s 无法读取，已用平台意见建议重新训练为 v%s", broken.number, version.number)
    return version.number


def router_evaluate(*, titles: Sequence[str], bodies: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """The active version's figures (lianxin.routing.classifier.evaluate) on letters labelled with category codes:
    what `evaluate_router` reports for a model directory, for the version the platform routes with."""
    from lianxin.routing.classifier import evaluate

    version = RouterVersion.objects.filter(is_active=True).defer("blob").first()
    if version is None:
        raise DomainError("router_missing", "还没有启用的分办模型，请先训练")
    try:
        bundle = _bundle(version)
    except RouterUnavailable as exc:
        raise DomainError("router_unavailable", f"分办模型 v{version.number} 无法使用：{exc}") from exc
    return {"version": version.number, **evaluate(bundle.category, titles, bodies, labels)}


# --- proposals ---------------------------------------------------------------------------------------------------


def _categories() -> dict[str, Category]:
    out: dict[str, Category] = {}
    for category in Category.objects.filter(is_active=True):
        out[category.code] = category
        out.setdefault(category.name, category)  # models trained on CSVs carry names (一级标签)
    return out


def unit_route(*, case: Case, category: Category | None, bundle: Any = None) -> tuple[ResponsibleUnit | None, int]:
    """Category + region → unit from the directory. When several units serve the case's region for the
    category, the version's unit router picks among them (falling back to the most local)."""
    units = unit_propose(category=category, region=case.region)
    if len(units) <= 1 or bundle is None or bundle.unit is None:
        return (units[0] if units else None), len(units)
    scores = dict(zip(bundle.unit.classes_, bundle.unit.scores([case.title], [case.body])[0], strict=True))
    return _pick_unit(units, scores), len(units)


def _pick_unit(units: list[ResponsibleUnit], scores: dict[str, float]) -> ResponsibleUnit:
    best = max(units, key=lambda u: scores.get(str(u.pk), 0.0))
    return best if scores.get(str(best.pk), 0.0) > 0 else units[0]


def case_propose(*, case: Case) -> Proposal:
    """Record the active router's proposal for `case` (once; a second call returns the first proposal).
    Below the version's threshold — or with no version yet — the case waits in the manual triage queue."""
    existing = Proposal.objects.filter(case=case).first()
    if existing is not None:
        return existing
    cases_propose(cases=[case])
    return Proposal.objects.get(case=case)


def cases_propose(*, cases: Sequence[Case]) -> int:
    """Proposals for many cases in one pass: the router scores all their letters at once (its features are
    built with numpy over the whole batch) and the proposals are written with one INSERT. A case that got its
    proposal meanwhile (another worker) keeps that one. Returns how many proposals were written.

    When the active version cannot be used (RouterUnavailable), the cases go to the triage queue as with no
    version, and the version is marked for the worker to retrain (router_repair)."""
    if not cases:
        return 0
    version = RouterVersion.objects.filter(is_active=True).defer("blob").first()
    bundle = None
    if version is not None:
        try:
            bundle = _bundle(version)
        except RouterUnavailable as exc:
            _router_unavailable(version, str(exc))
            version = None
    titles, bodies = [c.title for c in cases], [c.body for c in cases]
    predictions = bundle.category.predict(titles, bodies) if bundle is not None else [None] * len(cases)
    categories = _categories() if bundle is not None else {}
    unit_scores = None
    if bundle is not None and bundle.unit is not None:
        unit_scores = bundle.unit.scores(titles, bodies)
    directory: dict[tuple[int | None, int], list[ResponsibleUnit]] = {}
    proposals = []
    for index, (case, prediction) in enumerate(zip(cases, predictions, strict=True)):
        category, confidence, ranking = None, 0.0, []
        if prediction is not None:
            category = categories.get(prediction.label)
            confidence = prediction.confidence
            ranking = [[label, round(score, 4)] for label, score in prediction.ranking]
        unit, candidates = None, 0
        if category is not None:
            key = (category.pk, case.region_id)
            if key not in directory:
                directory[key] = unit_propose(category=category, region=case.region)
            units = directory[key]
            candidates = len(units)
            if len(units) > 1 and unit_scores is not None and bundle is not None and bundle.unit is not None:
                unit = _pick_unit(units, dict(zip(bundle.unit.classes_, unit_scores[index], strict=True)))
            else:
                unit = units[0] if units else None
        confident = version is not None and category is not None and confidence >= version.threshold
        proposals.append(
            Proposal(
                case=case,
                router=version,
                category=category,
                confidence=round(confidence, 4),
                ranking=ranking,
                unit=unit,
                unit_candidates=candidates,
                status=ProposalStatus.AUTO if confident else ProposalStatus.TRIAGE,
            )
        )
    # The case's one-to-one key decides between two workers: the first proposal stays (the count then includes
    # the one that lost).
    created = Proposal.objects.bulk_create(proposals, ignore_conflicts=True)
    return len(created)


def cases_propose_pending(*, now: datetime.datetime | None = None, batch: int = 500) -> int:
    """The worker's job: a proposal for every newly registered case that has none yet, `batch` cases per call
    (the intake loop calls again at once while it finds work)."""
    pending = Case.objects.filter(status=Status.REGISTERED, routing_proposal__isnull=True).select_related("region")
    pending = pending.order_by("id").only("id", "title", "body", "region")
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            # Several intake workers: each scores cases no other worker is scoring, instead of all scoring the
            # same batch and throwing away all but one result. The locks last one batch (about a second).
            pending = pending.select_for_update(skip_locked=True, of=("self",))
        cases = list(pending[:batch])
        cases_propose(cases=cases)
    return len(cases)


def proposal_decide(
    *, actor: User, proposal: Proposal, category: Category, unit: ResponsibleUnit | None = None, note: str = ""
) -> Proposal:
    """The clerk accepts or corrects a proposal. A registered case is accepted (受理) with that category through
    the closed loop's workflow; the decision is what the next training learns."""
    case = proposal.case
    if not may(actor, Perm.HANDLE_CASES, case.region.path):
        raise PermissionDenied("您不能分办该意见建议")
    if not category.is_active:
        raise DomainError("category_unknown", f"类别: “{category.name}”已停用", field="category")
    if unit is not None and unit not in unit_propose(category=category, region=case.region):
        raise DomainError("unit_invalid", f"承办单位: {unit.name} 不承办该类别或不服务该区划", field="unit")
    corrected = category.pk != proposal.category_id or (unit is not None and unit.pk != proposal.unit_id)
    with transaction.atomic():
        locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
        before = {
            "status": locked.status,
            "final_category": locked.final_category_id,
            "final_unit": locked.final_unit_id,
        }
        locked.status = ProposalStatus.CORRECTED if corrected else ProposalStatus.ACCEPTED
        locked.final_category = category
        locked.final_unit = unit or (locked.unit if not corrected else None)
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "final_category", "final_unit", "decided_by", "decided_at"])
        audit_record(
            actor=actor,
            action="proposal_decide",
            obj=locked,
            changes={
                "status": [before["status"], locked.status],
                "final_category": [before["final_category"], category.pk],
                "final_unit": [before["final_unit"], locked.final_unit_id],
            },
            note=note,
            region_path=case.region.path,
        )
        if case.status == Status.REGISTERED:
            case_transition(case=case, action=Action.ACCEPT, actor=actor, note=note, params={"category": category})
    return locked


# --- common problems ------------------------------------------------------------------------------------------


def hotspot_merge(*, actor: User, master: Case, cases: list[Case], note: str = "") -> list[Case]:
    """Merge `cases` into the common-problem master case in one action, through the closed loop's merge.
    Registered cases (the master included) are accepted first with the master's category."""
    others = [c for c in cases if c.pk != master.pk]
    if not others:
        raise DomainError("cases_required", "请至少选择一件要并入主件的意见建议", field="cases")
    note = note or f"并入普遍问题主件 {master.receipt_code}"
    merged = []
    with transaction.atomic():
        if master.status == Status.REGISTERED:
            if master.category is None:
                raise DomainError("category_required", "主件尚未确定类别，请先受理主件", field="master")
            case_transition(case=master, action=Action.ACCEPT, actor=actor, note="普遍问题主件受理")
        for case in others:
            if case.status == Status.REGISTERED:
                params = {} if case.category else {"category": master.category}
                case_transition(case=case, action=Action.ACCEPT, actor=actor, note=note, params=params)
            merged.append(
                case_transition(case=case, action=Action.MERGE, actor=actor, note=note, params={"master": master})
            )
    return merged
