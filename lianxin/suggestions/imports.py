"""A session's suggestions from a spreadsheet: what came on paper (the session's registration forms), entered at once.

Columns (SUGGESTION_COLUMNS): 编号 (optional, the paper form's number), 类型 (建议/议案), 标题, 领衔代表, 附议代表
(、-separated), 领域, 案由, 建议内容, 议案草案 (bills). A deputy is written by name, or as 姓名（代表编号） where two
serving deputies share a name. All-or-nothing: every bad cell of the file is reported with its row and column, and
nothing is written (lianxin.core.tabular). Each row becomes a submitted suggestion the way staff enter one by hand:
`suggestion_draft_create`, then the workflow's invite (the co-signers recorded as signed on paper) and submit, as the
staff member who imports; the session's numbers are given when staff accept them, as for any suggestion.
"""

import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction

from lianxin.accounts.actors import is_user
from lianxin.accounts.permissions import may
from lianxin.accounts.roles import Perm
from lianxin.core.errors import DomainError, PermissionDenied
from lianxin.core.tabular import (
    Choice,
    Column,
    ImportResult,
    Integer,
    ListOf,
    Progress,
    Row,
    Sheet,
    Text,
    read_sheet,
)
from lianxin.deputies.models import SERVING_STATUSES, Deputy, Mandate, MandateLevel
from lianxin.suggestions.models import Field, Kind, Session, Status, Suggestion
from lianxin.suggestions.rules import rules_of
from lianxin.suggestions.services import suggestion_draft_create
from lianxin.suggestions.workflow import suggestion_transition

SUGGESTION_COLUMNS = [
    Column("编号", "number", parse=Integer(min_value=1, max_value=99_999), default=None),
    Column("类型", "kind", parse=Choice(Kind, aliases={"代表建议": Kind.SUGGESTION, "代表议案": Kind.BILL}),
           default=Kind.SUGGESTION),
    Column("标题", "title", required=True, parse=Text(max_length=120), aliases=("案题", "建议标题")),
    Column("领衔代表", "lead", required=True, parse=Text(max_length=60), aliases=("提出人", "领衔人")),
    Column("附议代表", "co_signers", parse=ListOf(Text(max_length=60)), default=list, aliases=("联名代表", "附议人")),
    Column("领域", "field", parse=Choice(Field), default=Field.OTHER, aliases=("类别",)),
    Column("案由", "reasons", parse=Text(max_length=20_000), width=40),
    Column("建议内容", "content", required=True, parse=Text(max_length=20_000), aliases=("内容",), width=60),
    Column("议案草案", "draft_resolution", parse=Text(max_length=50_000), aliases=("决议草案",), width=40),
]  # fmt: skip

# 王芳（12）: a name with the deputy's number, for two serving deputies of the same name.
NAME_WITH_ID = re.compile(r"^(.+?)\s*[（(]\s*(\d+)\s*[)）]$")

# Where a service's refusal lands in the sheet (its `field` → a column key).
FIELD_COLUMN = {
    "title": "title",
    "content": "content",
    "reasons": "reasons",
    "kind": "kind",
    "field": "field",
    "lead_deputy": "lead",
    "deputies": "co_signers",
    "co_signers": "co_signers",
    "draft_resolution": "draft_resolution",
}


class _Roll:
    """The deputies of the session's congress, to resolve the names of a sheet with a few queries."""

    def __init__(self, session: Session, names: set[str]) -> None:
        self.session = session
        serving_ids = set(
            Mandate.objects.filter(
                congress_region_id=session.congress_region_id,
                level=session.level,
                term=session.term,
                status__in=SERVING_STATUSES,
            ).values_list("deputy_id", flat=True)
        )
        self.by_name: dict[str, list[Deputy]] = {}
        self.by_id: dict[int, Deputy] = {}
        for deputy in Deputy.objects.filter(name__in=names).order_by("pk"):
            self.by_name.setdefault(deputy.name, []).append(deputy)
            self.by_id[deputy.pk] = deputy
        self.serving = serving_ids
        self.congress = f"{session.congress_region.name}第{session.term}届{MandateLevel(session.level).label}人大"

    def find(self, text: str) -> tuple[Deputy | None, str]:
        """The serving deputy a cell names, or None and what is wrong."""
        match = NAME_WITH_ID.match(text)
        name, wanted = (match.group(1), int(match.group(2))) if match else (text, None)
        everyone = self.by_name.get(name, [])
        if not everyone:
            return None, f"没有名为“{name}”的代表，请核对姓名"
        if wanted is not None:
            chosen = [d for d in everyone if d.pk == wanted]
            if not chosen:
                return None, f"代表编号 {wanted} 不是“{name}”"
            everyone = chosen
        serving = [d for d in everyone if d.pk in self.serving]
        if not serving:
            return None, f"{name} 不是{self.congress}的在任代表"
        if len(serving) > 1:
            numbers = "、".join(str(d.pk) for d in serving)
            return None, f"本届有{len(serving)}位代表名为“{name}”，请写成“{name}（代表编号）”，代表编号为 {numbers}"
        return serving[0], ""

    @staticmethod
    def names_of(sheet: Sheet) -> set[str]:
        out: set[str] = set()
        for row in sheet.rows:
            for text in [row.get("lead") or "", *(row.get("co_signers") or [])]:
                match = NAME_WITH_ID.match(text)
                out.add(match.group(1) if match else text)
        return out


@dataclass
class _Plan:
    row: Row
    lead: Deputy
    co_signers: list[Deputy] = field(default_factory=list)


def _key(session: Session, kind: str, number: int | None) -> str:
    """The paper form's number as the draft's client key: the same form imported again is recognised."""
    return f"import:{session.pk}:{kind}:{number}" if number else ""


def _check_rows(sheet: Sheet, session: Session) -> list[_Plan]:
    roll = _Roll(session, _Roll.names_of(sheet))
    min_signers = rules_of(region_id=session.congress_region_id, level=session.level).bill_min_co_signers
    titles = {
        title: (number, status)
        for title, number, status in Suggestion.objects.filter(session=session)
        .exclude(status=Status.WITHDRAWN)
        .values_list("title", "number", "status")
    }
    keys = set(
        Suggestion.objects.filter(session=session, client_key__startswith="import:").values_list(
            "client_key", flat=True
        )
    )
    seen_titles: dict[str, int] = {}
    seen_numbers: dict[tuple[str, int], int] = {}
    plans = []
    for row in sheet.rows:
        kind = row.get("kind") or Kind.SUGGESTION
        title = row.get("title") or ""
        if title and row.ok("title"):
            if title in seen_titles:
                sheet.error(row, "title", f"与第{seen_titles[title]}行的标题相同")
            elif title in titles:
                number, status = titles[title]
                label = f"第{number}号，" if number else ""
                sheet.error(row, "title", f"本次会议已有同一标题的建议（{label}{Status(status).label}），请勿重复导入")
            seen_titles.setdefault(title, row.number)
        number = row.get("number")
        if number and row.ok("number", "kind"):
            kind_label = Kind(kind).label
            if (kind, number) in seen_numbers:
                sheet.error(row, "number", f"与第{seen_numbers[(kind, number)]}行的{kind_label}编号相同")
            elif _key(session, kind, number) in keys:
                sheet.error(row, "number", f"编号 {number} 的{kind_label}已导入过，请勿重复导入")
            seen_numbers.setdefault((kind, number), row.number)
        lead = None
        if row.ok("lead") and row.get("lead"):
            lead, problem = roll.find(row["lead"])
            if problem:
                sheet.error(row, "lead", problem)
        co_signers: list[Deputy] = []
        if row.ok("co_signers"):
            for text in row.get("co_signers") or []:
                deputy, problem = roll.find(text)
                if problem:
                    sheet.error(row, "co_signers", problem)
                elif deputy is not None and lead is not None and deputy.pk == lead.pk:
                    sheet.error(row, "co_signers", f"“{text}”是领衔代表，不必再列为附议代表")
                elif deputy is not None and deputy not in co_signers:
                    co_signers.append(deputy)
        if kind == Kind.BILL and row.ok("kind"):
            if not row.get("draft_resolution"):
                sheet.error(row, "draft_resolution", "议案须附草案或决议建议稿")
            signers = 1 + len(co_signers)
            if row.ok("lead", "co_signers") and lead is not None and signers < min_signers:
                sheet.error(
                    row,
                    "co_signers",
                    f"议案须有 {min_signers} 名以上代表联名（含领衔代表），本行只有 {signers} 名",
                )
        if lead is not None:
            plans.append(_Plan(row=row, lead=lead, co_signers=co_signers))
    return plans


def session_for_import(*, actor: Any, session_id: Any) -> Session:
    """The session a staff member may import into: of a congress of their region, still taking suggestions."""
    session = None
    if str(session_id or "").strip().isdigit():
        session = Session.objects.select_related("congress_region").filter(pk=int(str(session_id).strip())).first()
    if session is None or not is_user(actor) or not may(actor, Perm.MANAGE_SUGGESTIONS, session.congress_region.path):
        raise DomainError("field_invalid", "会议: 没有这次会议，或不在您的管辖范围内", field="session")
    if not session.is_open:
        raise DomainError("session_closed", f"会议: {session.name} 已停止接收建议", field="session")
    return session


def suggestions_import(
    *,
    actor: Any,
    session: Session,
    file: IO[bytes] | bytes,
    filename: str,
    progress: Progress | None = None,
) -> ImportResult:
    """Every row as a submitted suggestion of `session`, entered by `actor` (congress staff of its congress), or
    nothing at all: ImportRejected lists every bad cell."""
    if not is_user(actor) or not may(actor, Perm.MANAGE_SUGGESTIONS, session.congress_region.path):
        raise PermissionDenied("只有该次会议所属人大的工作人员可以导入建议")
    sheet = read_sheet(file=file, filename=filename, columns=SUGGESTION_COLUMNS)
    plans = _check_rows(sheet, session)
    sheet.raise_if_errors()
    total = len(plans)
    with transaction.atomic():
        for index, plan in enumerate(plans):
            if progress is not None:
                progress(index, total, f"正在写入第{index + 1}件（共{total}件）")
            try:
                with transaction.atomic():
                    _write(actor, session, plan, filename)
            except DomainError as exc:
                # What the checks above did not foresee (a rule of the workflow): the row's error, nothing written.
                sheet.error(plan.row, FIELD_COLUMN.get(exc.field or "", "title"), exc.message)
        sheet.raise_if_errors()
        if progress is not None:
            progress(total, total, "导入完成")
    return ImportResult(created=total, updated=0)


def _write(actor: Any, session: Session, plan: _Plan, filename: str) -> Suggestion:
    row = plan.row
    kind = row.get("kind") or Kind.SUGGESTION
    suggestion = suggestion_draft_create(
        actor=actor,
        session=session,
        title=row["title"],
        content=row.get("content") or "",
        reasons=row.get("reasons") or "",
        kind=kind,
        field=row.get("field") or Field.OTHER,
        draft_resolution=(row.get("draft_resolution") or "") if kind == Kind.BILL else "",
        lead_deputy=plan.lead,
        client_key=_key(session, kind, row.get("number")),
    )
    source = f"由“{filename}”第{row.number}行导入" + (f"（原编号{row['number']}）" if row.get("number") else "")
    if plan.co_signers:
        suggestion_transition(
            suggestion=suggestion,
            action="invite",
            actor=actor,
            note="纸质建议上的联名",
            params={"deputies": [d.pk for d in plan.co_signers], "signed_on_paper": True},
        )
    return suggestion_transition(suggestion=suggestion, action="submit", actor=actor, note=source)
