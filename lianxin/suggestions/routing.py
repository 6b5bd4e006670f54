"""The router for suggestions (交办): proposes lead units from a suggestion's text.

The same TextRouter that routes citizens' cases (lianxin.routing.classifier), trained the same way but on the
suggestions already assigned: their title, 案由 and 建议内容 → the unit that leads them (one row per active lead unit,
so a split assignment teaches each of its leads). Staff see the proposals on the assignment form; nothing is
assigned automatically. The fitted model lives in the database (SuggestionRouter) so every process sees it.
"""

import datetime
import logging
import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lianxin.accounts.actors import Actor, is_user
from lianxin.cases.models import ResponsibleUnit
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError
from lianxin.suggestions.models import Status, Suggestion, SuggestionRouter, UnitAssignment, UnitRole

if TYPE_CHECKING:
    # scikit-learn and joblib take seconds to import: only training and proposing need them.
    from lianxin.routing.classifier import TextRouter

logger = logging.getLogger("lianxin.suggestions")

MIN_SAMPLES = 10
# A held-out quarter measures the model before it is trained on everything, from this many rows on.
EVALUATE_FROM = 20
# The nightly job trains again once this many lead parts were assigned since the active model.
RETRAIN_AFTER = 20
# Fitted models kept in the database; older rows keep their figures.
KEEP_MODELS = 3
PROPOSALS = 3

ASSIGNED_STATUSES = [Status.ASSIGNED, Status.REPLIED, Status.RATED, Status.CLOSED]

_loaded: dict[tuple[int, datetime.datetime], "TextRouter"] = {}


def body_of(suggestion: Suggestion) -> str:
    """What the router reads beside the title: 案由 then 建议内容, as the deputy wrote them."""
    return "\n".join(part for part in (suggestion.reasons, suggestion.content) if part)


def training_rows() -> list[tuple[str, str, int]]:
    """(title, 案由 + 建议内容, lead unit id) of every assigned suggestion's active lead part (a unit re-assigned
    away does not count: it was the wrong unit)."""
    parts = (
        UnitAssignment.objects.filter(is_active=True, role=UnitRole.LEAD, suggestion__status__in=ASSIGNED_STATUSES)
        .select_related("suggestion")
        .only("unit_id", "suggestion__title", "suggestion__reasons", "suggestion__content")
        .order_by("id")
    )
    return [(part.suggestion.title, body_of(part.suggestion), part.unit_id) for part in parts]


def _why_not(rows: list[tuple[str, str, int]], min_samples: int) -> str:
    units = Counter(row[2] for row in rows)
    if len(units) < 2:
        only = ResponsibleUnit.objects.filter(pk__in=list(units)).values_list("name", flat=True).first()
        held = f"，均由{only}主办" if only else ""
        return (
            f"无法训练建议分办模型：模型要学会区分承办单位，需要至少两个主办单位的已交办建议；"
            f"现有已交办建议 {len(rows)} 件{held}"
        )
    if len(rows) < min_samples:
        return f"无法训练建议分办模型：需要至少 {min_samples} 件已交办的建议，现有 {len(rows)} 件"
    return ""


def _evaluate(rows: list[tuple[str, str, int]]) -> dict[str, Any]:
    """Figures on a held-out quarter (units with a single suggestion stay in training), or why there are none."""
    from sklearn.model_selection import train_test_split

    from lianxin.routing.classifier import TextRouter, evaluate

    counts = Counter(row[2] for row in rows)
    usable = [row for row in rows if counts[row[2]] >= 2]
    if len(usable) < EVALUATE_FROM or len({row[2] for row in usable}) < 2:
        return {"note": f"样本较少（{len(rows)} 件），未留出测试集评估"}
    test_size = max(0.25, len({row[2] for row in usable}) / len(usable))
    if test_size >= 0.5:
        return {"note": f"单位多而样本少（{len(usable)} 件、{len(counts)} 个单位），未留出测试集评估"}
    train, test = train_test_split(usable, test_size=test_size, random_state=0, stratify=[r[2] for r in usable])
    probe = TextRouter(threshold=0.0).fit([r[0] for r in train], [r[1] for r in train], [str(r[2]) for r in train])
    report = evaluate(probe, [r[0] for r in test], [r[1] for r in test], [str(r[2]) for r in test])
    top = probe.predict([r[0] for r in test], [r[1] for r in test], top=PROPOSALS)
    in_top = sum(str(row[2]) in {label for label, _ in p.ranking} for row, p in zip(test, top, strict=True))
    return {
        "test_samples": len(test),
        "accuracy": report["accuracy"],
        "macro_f1": report["macro_f1"],
        f"top{PROPOSALS}_accuracy": round(in_top / len(test), 4),
    }


def suggestion_router_train(*, actor: Actor | None, min_samples: int = MIN_SAMPLES) -> SuggestionRouter:
    """Train a model on the assigned suggestions and make it the active one. DomainError("too_few_samples") says
    why when there is too little to learn from (fewer than two lead units, or fewer than `min_samples`)."""
    rows = training_rows()
    reason = _why_not(rows, min_samples)
    if reason:
        raise DomainError("too_few_samples", reason, field="samples")
    from lianxin.routing.classifier import TextRouter
    from lianxin.routing.services import libraries

    started = time.perf_counter()
    metrics = _evaluate(rows)
    # No abstain threshold: proposals are a ranked list for a person to choose from, never an assignment.
    router = TextRouter(threshold=0.0).fit([r[0] for r in rows], [r[1] for r in rows], [str(r[2]) for r in rows])
    blob = router.dumps()
    counts = Counter(row[2] for row in rows)
    names = dict(ResponsibleUnit.objects.filter(pk__in=list(counts)).values_list("pk", "name"))
    metrics["units"] = {names.get(unit, str(unit)): count for unit, count in counts.most_common()}
    with transaction.atomic():
        SuggestionRouter.objects.select_for_update().filter(is_active=True).update(is_active=False)
        model = SuggestionRouter.objects.create(
            trained_at=timezone.now(),
            trained_by=actor if is_user(actor) else None,
            samples=len(rows),
            units=sorted(counts),
            metrics=metrics,
            training_seconds=round(time.perf_counter() - started, 1),
            size=len(blob),
            libraries=libraries(),
            is_active=True,
            blob=blob,
        )
        audit_record(
            actor=actor,
            action="suggestion_router_train",
            obj=model,
            changes={"samples": len(rows), **{k: v for k, v in metrics.items() if k != "units"}},
        )
        stale = SuggestionRouter.objects.exclude(blob=b"").order_by("-trained_at", "-id")[KEEP_MODELS:]
        SuggestionRouter.objects.filter(pk__in=[m.pk for m in stale.only("id")]).update(blob=b"")
    return model


def suggestion_router_retrain_due(*, now: datetime.datetime | None = None) -> int:
    """The nightly job: a new model when none exists or RETRAIN_AFTER lead parts were assigned since the active one.
    Returns the number of training samples (0: nothing done, or too little to learn from yet)."""
    active = SuggestionRouter.objects.filter(is_active=True).defer("blob").first()
    if active is not None:
        fresh = UnitAssignment.objects.filter(
            is_active=True, role=UnitRole.LEAD, assigned_at__gt=active.trained_at
        ).count()
        if fresh < RETRAIN_AFTER:
            return 0
    try:
        model = suggestion_router_train(actor=None)
    except DomainError as exc:
        logger.info("suggestion router not trained: %s", exc.message)
        return 0
    return model.samples


def suggestion_router_forget() -> None:
    """Drop the model read into this process (tests)."""
    _loaded.clear()


def _active_router() -> "TextRouter | None":
    from lianxin.routing.classifier import TextRouter
    from lianxin.routing.services import libraries

    active = SuggestionRouter.objects.filter(is_active=True).defer("blob").first()
    if active is None:
        return None
    key = (active.pk, active.trained_at)
    if key not in _loaded:
        if active.libraries.get("scikit-learn") not in (None, libraries()["scikit-learn"]):
            logger.warning("建议分办模型由 scikit-learn %s 训练，当前版本不同：请重新训练", active.libraries)
            return None
        blob = SuggestionRouter.objects.filter(pk=active.pk).values_list("blob", flat=True).get()
        try:
            router = TextRouter.loads(bytes(blob))
        except Exception as exc:  # whatever unpickling raises: an emptied blob, a changed class
            logger.warning("建议分办模型无法读取：%s: %s", type(exc).__name__, exc)
            return None
        _loaded.clear()
        _loaded[key] = router
    return _loaded[key]


def _units_for(suggestion: Suggestion) -> Q:
    """Units of the congress's region, below it or above it: not another county's."""
    path = suggestion.region.path
    above = [path[: i + 1] for i, char in enumerate(path) if char == "/"]
    return Q(region__path__startswith=path) | Q(region__path__in=above)


def suggestion_units_propose(suggestion: Suggestion, *, limit: int = PROPOSALS) -> list[tuple[ResponsibleUnit, float]]:
    """The units most likely to lead `suggestion`, most likely first, with the model's probability (0-1), among the
    active units of its congress's region; empty when no model is trained (or it cannot be read here)."""
    router = _active_router()
    if router is None:
        return []
    scores = router.scores([suggestion.title], [body_of(suggestion)])[0]
    ranked = sorted(zip(router.classes_, scores, strict=True), key=lambda pair: -pair[1])
    units = ResponsibleUnit.objects.filter(
        _units_for(suggestion), is_active=True, pk__in=[int(c) for c in router.classes_]
    )
    by_id = {str(unit.pk): unit for unit in units.select_related("region")}
    return [(by_id[label], round(float(score), 4)) for label, score in ranked if label in by_id][:limit]
