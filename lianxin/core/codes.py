"""Unguessable public codes for QR codes: 10 characters of a 31-letter alphabet (~49 bits).

No 0/o, 1/l/i: people sometimes type a code from a printed poster.
"""

import secrets

ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
LENGTH = 10


def new_public_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
