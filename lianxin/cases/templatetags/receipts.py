from django import template

from lianxin.cases.receipts import receipt_display

register = template.Library()


@register.filter
def receipt(code: str) -> str:
    """A receipt code as people read it: 3F7K-92QX."""
    return receipt_display(code) if code else ""
