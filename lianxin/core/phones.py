"""One spelling of a Chinese phone number, whatever channel or spreadsheet it came from.

A mobile number is its 11 digits (`13812345678`); a landline is area code, hyphen, local number
(`0572-8012345`, `010-62345678`), with `-` and an extension when one was given. Full-width digits, spaces, dashes
of any kind, brackets and a +86/0086 prefix are read and dropped, so that `+86 138 1234 5678`, `１３８１２３４５６７８`
and `138-1234-5678` are one number for the per-phone rate limit, the masking and the search."""

import re
import unicodedata

MOBILE_RE = re.compile(r"1[3-9]\d{9}")
# An area code is 0 and 2 or 3 digits: 010 and 020–029 are the three-digit ones (the national numbering plan).
_LANDLINE_RE = re.compile(r"(0\d{2,3})-?([1-9]\d{6,7})(?:(?:-|转)(\d{1,6}))?")
_DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "‐": "-", "(": "", ")": "-", "（": "", "）": "-"})
PHONE_EXAMPLES = "如 13812345678、0572-8012345"


class PhoneInvalid(ValueError):
    pass


def phone_normalize(value: str, *, mobile_only: bool = False) -> str:
    """The number in its one stored spelling; "" for an empty value; PhoneInvalid (with a Chinese reason) for
    anything else."""
    text = "".join(unicodedata.normalize("NFKC", value or "").split()).translate(_DASHES)
    if not text:
        return ""
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :].lstrip("-")
    compact = text.replace("-", "")
    if compact.startswith("86") and MOBILE_RE.fullmatch(compact[2:]):
        compact = compact[2:]
    if MOBILE_RE.fullmatch(compact):
        return compact
    if not mobile_only:
        landline = _landline(text.replace("--", "-"))
        if landline:
            return landline
    if mobile_only:
        raise PhoneInvalid("不是有效的手机号（应为11位，以13-19开头）")
    raise PhoneInvalid(f"不是有效的手机号或固定电话（{PHONE_EXAMPLES}）")


def _landline(text: str) -> str:
    match = _LANDLINE_RE.fullmatch(text)
    if match is None:
        return ""
    area, local, extension = match.groups()
    if "-" not in text[: len(area) + 1]:
        # Typed without a hyphen: the numbering plan decides where the area code ends.
        digits = area + local
        cut = 3 if digits.startswith(("01", "02")) else 4
        area, local = digits[:cut], digits[cut:]
        if not (7 <= len(local) <= 8 and local[0] != "0"):
            return ""
    return f"{area}-{local}" + (f"-{extension}" if extension else "")
