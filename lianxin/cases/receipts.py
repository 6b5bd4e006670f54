"""Receipt codes (查询码): what a person is given when their opinion is received, to track it and rate the answer.

Eight characters of a 31-letter alphabet without look-alikes (no 0/O, 1/I/L), shown in two groups of four —
`3F7K-92QX` — so that an older person can read it out on the phone and type it on a keypad. 31⁸ ≈ 8.5 × 10¹¹
codes (~40 bits): with a county's 100,000 cases a guess hits one in 8.5 million, and every lookup by code is
rate-limited per client address (publicweb.abuse `track_ip`, 120 an hour), so guessing is not a way in.
Codes handed out before (12 characters) still work: a code is stored and looked up without its grouping."""

import secrets

from lianxin.core.codes import ALPHABET

RECEIPT_LENGTH = 8
GROUP = 4
# Full-width digits and dashes as typed on a Chinese keyboard, and the separators people put between the groups.
_TYPED = str.maketrans("０１２３４５６７８９", "0123456789", " -—－　")


def new_receipt_code() -> str:
    """A new code, stored without its hyphen (display it with `receipt_display`).

    One draw from the OS's generator, spelled in base 31 (redrawn when above 31**8, so every code is equally
    likely), instead of eight: on a busy server each draw is a system call."""
    space = len(ALPHABET) ** RECEIPT_LENGTH
    number = secrets.randbits(space.bit_length())
    while number >= space:
        number = secrets.randbits(space.bit_length())
    letters = []
    for _ in range(RECEIPT_LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[digit])
    return "".join(letters).upper()


def normalize_receipt(code: str | None) -> str:
    """A receipt code as typed or read out ("3f7k 92qx", "3F7K-92QX", full-width) in the form it is stored."""
    return (code or "").strip().upper().translate(_TYPED)


def receipt_display(code: str) -> str:
    """The code in groups of four for people: 3F7K-92QX (a 12-character code of before: ABCD-EFGH-JKMN)."""
    code = normalize_receipt(code)
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
