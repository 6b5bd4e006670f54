"""What a published suggestion shows (公开, with the lead deputy's consent): the suggestion and the lead units'
replies with personal data removed by the cases' rules (phones, ID numbers, doors, …), and the names of the
citizens whose cases it grew from. The deputies' names stay: they sign as public office holders."""

from lianxin.cases.redaction import redact
from lianxin.suggestions.models import Suggestion, UnitRole


def redact_for(suggestion: Suggestion, text: str) -> str:
    for case in suggestion.cases.all():
        text = redact(text, case)
    return redact(text)


def public_text_of(suggestion: Suggestion) -> tuple[str, str]:
    parts = []
    if suggestion.reasons:
        parts.append(f"案由：{suggestion.reasons}")
    parts.append(f"建议：{suggestion.content}")
    for assignment in suggestion.units.filter(is_active=True, role=UnitRole.LEAD).select_related("unit"):
        if assignment.replied_at is not None:
            parts.append(f"{assignment.unit.name}答复（{assignment.reply_class}类）：{assignment.reply_text}")
    return redact_for(suggestion, suggestion.title), redact_for(suggestion, "\n\n".join(parts))
