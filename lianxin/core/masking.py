"""Masking of personal data in what is kept for a long time or read by many: audit rows and logs (PIPL art. 51).

Not the redaction of published text (that is `lianxin.cases.redaction`, which must be thorough about what the
public reads); this keeps enough of a value for staff to recognise which one it was — 139****5678,
3305**********123X, 永安街*** — and nothing that lets a reader call, visit or impersonate the person.
"""

import re
from typing import Any

# Keys whose values are personal wherever they appear (model fields, import rows, API payloads).
PHONE_KEYS = ("phone", "mobile")
ID_KEYS = ("id_number", "idcard", "id_card")
ADDRESS_KEYS = ("address",)

# In free text: an 18-character ID number, a mainland mobile number (optionally +86/86 and spaced), a landline.
_ID_IN_TEXT = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:\s?[0-9]){11}\s?[0-9Xx](?![0-9])")
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])(?:\+?86[\s-]?)?1[3-9][0-9](?:[\s-]?[0-9]){8}(?![0-9])")
_LANDLINE_IN_TEXT = re.compile(r"(?<![0-9])0[1-9][0-9]{1,2}-?[0-9]{7,8}(?![0-9])")


# Full-width digits, signs and X read as their ASCII forms, and nothing else changed (NFKC would also turn
# Chinese punctuation into ASCII).
_HALF_WIDTH = str.maketrans("０１２３４５６７８９＋－Ｘｘ\u3000", "0123456789+-Xx ")


def mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value.translate(_HALF_WIDTH))
    if not digits:
        return value
    if len(digits) >= 11:
        return f"{digits[-11:-8]}****{digits[-4:]}"
    return f"{'*' * max(len(digits) - 4, 1)}{digits[-4:]}"


def mask_id_number(value: str) -> str:
    text = re.sub(r"\s", "", value.translate(_HALF_WIDTH))
    if len(text) <= 8:
        return "*" * len(text)
    return f"{text[:4]}{'*' * (len(text) - 8)}{text[-4:]}"


def mask_address(value: str) -> str:
    """Up to the first digit (the street, not the house number), at most ten characters."""
    if not value:
        return value
    head = re.split(r"[0-9０-９]", value, maxsplit=1)[0][:10]
    return f"{head}***"


def mask_recipient(value: str) -> str:
    """A notification's recipient: a phone number, an email address or an account name (kept)."""
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if sum(ch.isdigit() for ch in value) >= 7:
        return mask_phone(value)
    return value


def mask_text(value: str) -> str:
    """ID numbers and phone numbers inside free text (full-width digits are read as digits first)."""
    if not any(ch.isdigit() for ch in value):
        return value
    text = value.translate(_HALF_WIDTH)
    text = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group()), text)
    text = _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group()), text)
    return _LANDLINE_IN_TEXT.sub(lambda m: mask_phone(m.group()), text)


def _masker_for(key: str) -> Any:
    name = key.lower()
    if any(part in name for part in ID_KEYS):
        return mask_id_number
    if name == "tel" or any(part in name for part in PHONE_KEYS):
        return mask_phone
    if any(part in name for part in ADDRESS_KEYS):
        return mask_address
    return None


def mask_personal(value: Any, *, key: str = "") -> Any:
    """A copy of a JSON-like value with personal fields masked by their key (at any depth, including the
    `[old, new]` pairs of audit changes) and ID and phone numbers masked inside any other text."""
    masker = _masker_for(key) if key else None
    if isinstance(value, dict):
        return {k: mask_personal(v, key=str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_personal(item, key=key) for item in value]
    if isinstance(value, str):
        return masker(value) if masker else mask_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and masker is not None:
        return masker(str(value))
    return value
