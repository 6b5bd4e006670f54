"""API intake: accept a submission with one durable write, register it in the worker.

Why (docs/decisions/0001-asynchronous-api-intake.md): registering a case costs ~7 statements and ~15 ms of CPU,
an order of magnitude more than the server's cheapest request, so a burst of submissions (a city system
replaying a day of 12345 orders, a campaign) would queue and time out. Accepting costs one INSERT: the request
checks everything a registration checks (case_check, against cached reference data), stores the checked
payload with the receipt code the person is given at once, and answers 202. The worker turns queued submissions
into cases through the same case_register every other channel uses, in arrival order.
"""

import contextlib
import datetime
import functools
import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from lianxin.accounts.models import User
from lianxin.cases import permissions as p
from lianxin.cases.intake.check import case_check
from lianxin.cases.intake.draft import draft_from_payload
from lianxin.cases.models import Submission, SubmissionStatus
from lianxin.cases.receipts import new_receipt_code, normalize_receipt
from lianxin.cases.services import case_register
from lianxin.core.audit import audit_record
from lianxin.core.errors import DomainError, PermissionDenied

logger = logging.getLogger("lianxin.worker")

# The person's details in a payload (PIPL: kept no longer and no wider than needed). An anonymous submission's
# name and phone are not stored at all; once registered, the case holds them (where contact visibility and the
# retention rules apply) and the queue row keeps only the rest (docs/privacy.md).
PERSONAL_FIELDS = ("person_name", "person_phone", "address", "lat", "lng")


def payload_without_personal(payload: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in payload.items() if name not in PERSONAL_FIELDS}


def _minimal(payload: dict[str, Any]) -> dict[str, Any]:
    if payload.get("is_anonymous") and (payload.get("person_name") or payload.get("person_phone")):
        return {**payload, "person_name": "", "person_phone": ""}
    return payload


@dataclass(frozen=True)
class Acceptance:
    submission: Submission
    created: bool


class IdempotencyKeyReused(DomainError):
    """The key names an earlier submission with another body. Replaying the earlier answer would tell this
    client "done" while someone else's text was stored; the IETF Idempotency-Key draft answers 422."""

    status = 422

    def __init__(self) -> None:
        super().__init__(
            "idempotency_key_reused",
            "Idempotency-Key: 该幂等键已用于内容不同的另一次提交；新的提交请使用新的幂等键",
            field="Idempotency-Key",
        )


def payload_fingerprint(payload: dict[str, Any]) -> str:
    """SHA-256 of a payload in one canonical spelling (keys sorted), so a retry that orders its fields
    differently is still the same body."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def submission_accept(*, actor: User, payload: dict[str, Any], idempotency_key: str | None = None) -> Acceptance:
    """Check a registration as case_register would, then queue its draft in the draft's serialised form
    (`CaseDraft.to_payload`): one INSERT, committed.

    `payload` names the draft's fields, references as codes and ids (the API's CaseIn, JSON-ready). With an
    `idempotency_key` a retry with the same payload answers the first submission (whatever became of it) instead
    of queueing a second one; that holds even when the retry itself would now be refused (say, its reception has
    closed). Another payload under a used key raises IdempotencyKeyReused (the payload itself is not kept whole
    after registration, so the comparison is with its fingerprint)."""
    fingerprint = payload_fingerprint(_minimal(payload))
    try:
        draft = draft_from_payload(actor=actor, payload=payload)
        checked = case_check(actor=actor, draft=draft)
        submission = Submission(
            receipt_code=new_receipt_code(),
            idempotency_key=idempotency_key or None,
            fingerprint=fingerprint,
            submitted_by=actor,
            payload=_minimal(draft.to_payload()),
            region=checked["region"],
            received_at=timezone.now(),
        )
        _insert(submission)
    except (DomainError, IntegrityError):
        # Refused, or the key is taken: a retry answers what the first attempt got; anything else is an error.
        earlier = submission_get_by_idempotency_key(key=idempotency_key) if idempotency_key else None
        if earlier is None:
            raise
        # Rows stored before the fingerprint column have their payload to compare with.
        if (earlier.fingerprint or payload_fingerprint(earlier.payload)) != fingerprint:
            raise IdempotencyKeyReused() from None
        return Acceptance(earlier, created=False)
    return Acceptance(submission, created=True)


# What a new submission has; the other columns take their database defaults (queued, no case, no error).
_INSERTED = ("receipt_code", "idempotency_key", "fingerprint", "submitted_by", "payload", "region", "received_at")


@functools.cache
def _insert_sql() -> str:
    qn = connection.ops.quote_name
    fields = {field.name: field for field in Submission._meta.concrete_fields}
    columns = ", ".join(qn(str(fields[name].column)) for name in _INSERTED)
    placeholders = ", ".join(["%s"] * len(_INSERTED))
    returning = " RETURNING id" if connection.features.can_return_columns_from_insert else ""
    return f"INSERT INTO {qn(Submission._meta.db_table)} ({columns}) VALUES ({placeholders}){returning}"


def _insert(submission: Submission) -> None:
    """Submission.save(), written out: the ORM spends ~0.5 ms preparing an INSERT of every column, a third of
    what accepting a submission may cost (bench/README.md). In autocommit (a request) it is one statement with
    no BEGIN/COMMIT around it, committed before the 202 goes out; inside a caller's transaction, a savepoint,
    so that a duplicate idempotency key leaves that transaction usable. On PostgreSQL the statement is
    prepared once per connection (`_prepared_cursor`)."""
    meta = Submission._meta
    values = [
        submission.receipt_code,
        submission.idempotency_key,
        submission.fingerprint,
        submission.submitted_by_id,
        meta.get_field("payload").get_db_prep_save(submission.payload, connection),
        submission.region_id,
        meta.get_field("received_at").get_db_prep_save(submission.received_at, connection),
    ]
    savepoint = transaction.atomic() if not connection.get_autocommit() else contextlib.nullcontext()
    with savepoint, _prepared_cursor() as cursor:
        cursor.execute(_insert_sql(), values)
        returned = cursor.fetchone() if connection.features.can_return_columns_from_insert else None
        submission.pk = returned[0] if returned else cursor.lastrowid
    submission._state.adding = False


class _PreparingCursor(psycopg.Cursor):  # type: ignore[type-arg]
    """Binds on the server and prepares every statement it executes."""

    def execute(self, query: Any, params: Any = None, *, prepare: bool | None = None, binary: Any = None) -> Any:
        return super().execute(query, params, prepare=True, binary=binary)

    def _send_query_prepared(self, name: bytes, pgq: Any, *, binary: bool | None = None) -> None:
        # psycopg leaves the cursor's `_query` unset when it runs a prepared statement, and Django's query log
        # (DEBUG, CaptureQueriesContext) reads the statement from there: without this it would log None.
        self._query = pgq
        super()._send_query_prepared(name, pgq, binary=binary)


def _prepared_cursor() -> Any:
    """A cursor (Django's wrapper: its execute wrappers, error translation and query log apply) whose statements
    PostgreSQL parses and plans once per connection and then only executes: about a quarter of the database's
    CPU for accepting a submission (bench/README.md). Django's own cursors bind on the client and never prepare.
    Prepared statements need a session per connection: behind PgBouncer, use its session pooling mode (or
    PgBouncer ≥ 1.21, which tracks protocol-level prepared statements in transaction mode)."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    # _prepare_cursor is what connection.cursor() wraps a new cursor with (the debug wrapper when queries are logged).
    return connection._prepare_cursor(_PreparingCursor(connection.connection))  # type: ignore[attr-defined]


def submission_get_by_idempotency_key(*, key: str) -> Submission | None:
    try:
        return Submission.objects.get(idempotency_key=key)
    except Submission.DoesNotExist:
        return None


def submission_get_for(*, user: Any, receipt_code: str) -> Submission | None:
    """The caller's own submission by its receipt code (anyone else's answers None, as a missing one does)."""
    code = normalize_receipt(receipt_code)
    return Submission.objects.select_related("case").filter(receipt_code=code, submitted_by=user).first()


def _register(submission: Submission, actor: User) -> None:
    payload = submission.payload
    draft = draft_from_payload(actor=actor, payload=payload, received_at=submission.received_at)
    draft = draft.with_changes(
        registered_at=draft.registered_at or submission.received_at, idempotency_key=submission.idempotency_key
    )
    registration = case_register(actor=actor, draft=draft, receipt_code=submission.receipt_code)
    submission.case = registration.case
    submission.status = SubmissionStatus.REGISTERED
    submission.payload = payload_without_personal(payload)


def submissions_register_queued(*, now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Register up to `limit` queued submissions, oldest first; returns how many were handled.

    Each submission is registered (or rejected with its reason) in its own transaction together with its
    status change, so a crash leaves it queued, never half-done. Several workers may run: on PostgreSQL each
    claims rows with SKIP LOCKED; elsewhere the status compare-and-swap keeps a row from being handled twice.
    An unexpected error in one submission marks it failed and the round goes on (one bad row once stopped the
    whole queue); only a lost database connection stops the round and leaves the row queued for the next."""
    handled = 0
    # The submitters, read once per batch (with their grants): a role lost since acceptance is seen here.
    submitters: dict[int, Any] = {}
    queued = Submission.objects.filter(status=SubmissionStatus.QUEUED).order_by("id")
    after = 0  # never the same row twice in one call (one another worker took on SQLite, say)
    for _ in range(limit):
        with transaction.atomic():
            claim = queued.filter(id__gt=after)
            if connection.features.has_select_for_update_skip_locked:
                # The oldest row no other worker holds: several workers each take the next free row instead of
                # all reading the same batch of ids and waiting on one another's locks.
                claim = claim.select_for_update(skip_locked=True, of=("self",))
            submission = claim.first()
            if submission is None:
                break
            pk = after = submission.pk
            _register_or_record(submission, submitters)
            submission.processed_at = timezone.now()
            changed = Submission.objects.filter(pk=pk, status=SubmissionStatus.QUEUED).update(
                status=submission.status,
                case=submission.case,
                payload=submission.payload,
                error_code=submission.error_code,
                error_message=submission.error_message,
                error_field=submission.error_field,
                processed_at=submission.processed_at,
            )
            if changed != 1:  # another worker (SQLite) got there first: undo this registration
                transaction.set_rollback(True)
                continue
        handled += 1
    return handled


def _register_or_record(submission: Submission, submitters: dict[int, Any]) -> None:
    """Register one claimed submission, or record on it why not: rejected (a refusal, with its reason) or
    failed (anything unexpected, with the error for staff). Everything it writes is in a savepoint, so a
    failure leaves the caller's transaction usable for the status change."""
    try:
        with transaction.atomic():
            actor = submitters.get(submission.submitted_by_id)
            if actor is None:
                actor = User.objects.filter(pk=submission.submitted_by_id).first()
                if actor is None:  # no foreign key guards it (models.Submission says why)
                    raise DomainError("submitter_missing", "提交人账号不存在，无法登记")
                submitters[submission.submitted_by_id] = actor
            _register(submission, actor)
    except DomainError as error:
        submission.status = SubmissionStatus.REJECTED
        submission.error_code = error.code
        submission.error_message = str(error.message)[:500]
        submission.error_field = error.field or ""
    except (OperationalError, InterfaceError):
        raise  # the database went away: nothing is wrong with this submission
    except Exception as error:
        logger.exception("submission %s failed to register", submission.receipt_code)
        submission.case = None
        submission.status = SubmissionStatus.FAILED
        submission.error_code = "registration_failed"
        submission.error_message = f"{type(error).__name__}: {error}"[:500]
        submission.error_field = ""


def submission_requeue(*, actor: User, submission: Submission) -> bool:
    """Put a failed submission back in the queue (staff, once the cause is fixed); the worker registers it in
    its next round. Returns False when it was no longer failed (requeued by someone else meanwhile)."""
    if not p.can_handle_in(actor, submission.region):
        raise PermissionDenied("您不能重新登记该区划的提交")
    with transaction.atomic():
        changed = Submission.objects.filter(pk=submission.pk, status=SubmissionStatus.FAILED).update(
            status=SubmissionStatus.QUEUED, error_code="", error_message="", error_field="", processed_at=None
        )
        if changed != 1:
            return False
        audit_record(
            actor=actor,
            action="submission.requeue",
            obj=submission,
            changes={
                "status": [SubmissionStatus.FAILED.value, SubmissionStatus.QUEUED.value],
                "error_message": [submission.error_message, ""],
            },
            region_path=submission.region.path,
        )
    return True


def submission_get_pending_by_receipt(*, receipt_code: str) -> Submission | None:
    """A submission the person holds a receipt code for but that is not (yet) a case: still queued, or rejected.
    The receipt code is the key, as for the person's case (lianxin.portal's tracking page)."""
    return Submission.objects.filter(receipt_code=normalize_receipt(receipt_code), case__isnull=True).first()
