"""The numbers of a congress (SuggestionRules, else the defaults) and the deadlines they make.

Statutory limits run in calendar months from the assignment (办理期限三个月, at most six with an extension); a limit
that ends on a rest day moves to the next working day (lianxin.workdays). The window in which a unit may ask to be
re-assigned is counted in working days.
"""

import calendar
import datetime
from dataclasses import dataclass

from lianxin.deputies.models import MandateLevel
from lianxin.suggestions.models import Suggestion, SuggestionRules
from lianxin.workdays.calendar import add_workdays

# The Organic Law of local people's congresses: a bill needs ten or more deputies at county level and above, five
# or more at township level (the lead deputy counts).
BILL_MIN_SIGNERS = {MandateLevel.TOWNSHIP: 5}
BILL_MIN_SIGNERS_DEFAULT = 10


@dataclass(frozen=True)
class Rules:
    bill_min_co_signers: int
    reply_months: int = 3
    max_extension_months: int = 6
    reassign_workdays: int = 5
    co_opinion_months: int = 1
    rehandle_months: int = 1
    remind_days: int = 10
    key_per_year: int = 10


def rules_for(suggestion: Suggestion) -> Rules:
    return rules_of(region_id=suggestion.region_id, level=suggestion.session.level)


def rules_of(*, region_id: int, level: str) -> Rules:
    row = SuggestionRules.objects.filter(region_id=region_id, level=level).first()
    if row is None:
        return Rules(bill_min_co_signers=BILL_MIN_SIGNERS.get(MandateLevel(level), BILL_MIN_SIGNERS_DEFAULT))
    return Rules(
        bill_min_co_signers=row.bill_min_co_signers,
        reply_months=row.reply_months,
        max_extension_months=row.max_extension_months,
        reassign_workdays=row.reassign_workdays,
        co_opinion_months=row.co_opinion_months,
        rehandle_months=row.rehandle_months,
        remind_days=row.remind_days,
        key_per_year=row.key_per_year,
    )


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later; the month's last day when it has no such day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_due(start: datetime.date, months: int) -> datetime.date:
    """A limit of `months` calendar months from `start`, on a working day (the next one if it falls on a rest day)."""
    return add_workdays(add_months(start, months), 0)


def reassign_until(start: datetime.date, rules: Rules) -> datetime.date:
    return add_workdays(start, rules.reassign_workdays)
