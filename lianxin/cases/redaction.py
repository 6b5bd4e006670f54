"""Remove personal data before a case is published (公开): the person's name and any phone number, ID number or
e-mail address in the text. What remains describes the problem, not the people."""

import re

from lianxin.cases.models import Case

PATTERNS = [
    (re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"), "[身份证号已隐去]"),
    (re.compile(r"(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)"), "[电话已隐去]"),
    (re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"), "[电话已隐去]"),
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[邮箱已隐去]"),
]


def redact(text: str, case: Case | None = None) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    if case is not None and len(case.person_name.strip()) >= 2:
        text = text.replace(case.person_name.strip(), "反映人")
    return text
