"""HJS order and transfer numbers, derived from zw ids.

Why derived: a retry after a lost response must carry the *same* number, so that HJS (idempotent on
the number) and invest.query / transfer.query recognise it. A number that is a pure function of the
zw id gives that for free, across task retries, reruns and backfills, with nothing to store.

Format: a 3-letter prefix naming the kind of id, then the id as exactly 16 decimal digits
(zero-padded): "ZWI0000000000012345". Ids are positive integers below 10^16 (database serials start
at 1; 10^16 is far beyond any id zw will issue). The result is always 19 characters of [A-Za-z0-9],
inside the spec's 32-character alphanumeric limit. This module is the only place that derives them:
the client, the pipelines and the demo data all call it.

Injective: the prefix is fixed per kind and the padding width is fixed, so two different ids give two
different strings; the parse_* functions are the exact inverses, which the tests check. Invest and
transfer numbers never collide with each other because their prefixes differ.
"""

from __future__ import annotations

import re

INVEST_PREFIX = "ZWI"
TRANSFER_PREFIX = "ZWT"
ID_DIGITS = 16
MIN_ID = 1
MAX_ID = 10**ID_DIGITS - 1
MAX_NUMBER_LENGTH = 32  # spec section 5: at most 32 characters of [A-Za-z0-9]
NUMBER_PATTERN = re.compile(r"[A-Za-z0-9]{1,32}")


def _as_id(value: int | str, what: str) -> int:
    """Accept a positive int, or a string of ASCII digits holding one (ids may come as text)."""
    if isinstance(value, bool):  # bool is an int subclass; True must not become order 1
        raise TypeError(f"{what} must be an integer id, not a bool")
    if isinstance(value, str):
        if not value.isascii() or not value.isdigit():
            raise ValueError(f"{what} must be a positive integer id, got a non-numeric string")
        value = int(value)
    if not isinstance(value, int):
        raise TypeError(f"{what} must be an int or a digit string, not {type(value).__name__}")
    if not MIN_ID <= value <= MAX_ID:
        raise ValueError(f"{what} must be between {MIN_ID} and {MAX_ID}")
    return value


def _number(prefix: str, value: int | str, what: str) -> str:
    return f"{prefix}{_as_id(value, what):0{ID_DIGITS}d}"


def _parse(prefix: str, number: str, what: str) -> int:
    digits = number[len(prefix) :]
    if not number.startswith(prefix) or len(digits) != ID_DIGITS or not digits.isascii() or not digits.isdigit():
        raise ValueError(f"{number!r} is not a zw {what} number ({prefix} + {ID_DIGITS} digits)")
    return int(digits)


def invest_order_no(asset_id: int | str) -> str:
    """HJS order number of the subscription of zw asset `asset_id`: "ZWI" + 16-digit id."""
    return _number(INVEST_PREFIX, asset_id, "asset id")


def transfer_no(liquidate_id: int | str) -> str:
    """HJS transfer number of zw liquidation `liquidate_id`: "ZWT" + 16-digit id."""
    return _number(TRANSFER_PREFIX, liquidate_id, "liquidate id")


def asset_id_from_order_no(order_no: str) -> int:
    """Inverse of invest_order_no (ValueError for a number zw did not make)."""
    return _parse(INVEST_PREFIX, order_no, "invest order")


def liquidate_id_from_transfer_no(number: str) -> int:
    """Inverse of transfer_no (ValueError for a number zw did not make)."""
    return _parse(TRANSFER_PREFIX, number, "transfer")


def is_valid_number(number: str) -> bool:
    """Whether `number` fits the spec's order/transfer number rule (1-32 of [A-Za-z0-9])."""
    return isinstance(number, str) and NUMBER_PATTERN.fullmatch(number) is not None
