"""Strict reading of HJS payload fields, and formatting of the fields we send.

HJS's answers are signed, so they come from HJS, but they are still parsed strictly: money moves on
these numbers, and a field that is missing, of the wrong JSON type or not in the spec's format is a
protocol error naming the call, the record and the field - never a guess, never a float. Errors
describe what is wrong with a value, not the value itself (it may be personal data).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..protocol.errors import HjsProtocolError

# Spec section 1: money is a JSON string with exactly two decimals. No sign, exponent or spaces.
_MONEY = re.compile(r"(0|[1-9][0-9]*)\.[0-9]{2}")
_RATE = re.compile(r"(0|[1-9][0-9]*)(\.[0-9]+)?")  # "0.0450"; a bare "0" or "5" is a decimal too
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
CENT = Decimal("0.01")


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


class FieldReader:
    """Reads one JSON object (an answer payload or one record of it) for one call.

    `where` says which object this is in error messages: "answer", "product P1 page 2 record ZWI..".
    """

    def __init__(self, data: object, *, service: str, where: str) -> None:
        self.service = service
        self.where = where
        if not isinstance(data, Mapping):
            raise self.error(f"is {_json_type(data)}, not a JSON object")
        self.data: Mapping[str, Any] = data

    def error(self, problem: str, name: str | None = None) -> HjsProtocolError:
        subject = f"{self.where} field {name!r}" if name else self.where
        return HjsProtocolError(f"{subject} {problem}", service=self.service)

    def _get(self, name: str) -> Any:
        if name not in self.data or self.data[name] is None:
            raise self.error("is missing", name)
        return self.data[name]

    def text(self, name: str) -> str:
        value = self._get(name)
        if not isinstance(value, str) or not value:
            raise self.error(f"is {_json_type(value)}, expected a non-empty string", name)
        return value

    def identifier(self, name: str) -> str:
        """An id: a non-empty string or a JSON integer (ids are never floats), returned as text."""
        value = self._get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str) and value:
            return value
        raise self.error(f"is {_json_type(value)}, expected an id (string or integer)", name)

    def integer(self, name: str) -> int:
        value = self._get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.error(f"is {_json_type(value)}, expected a JSON integer", name)
        return value

    def boolean(self, name: str) -> bool:
        value = self._get(name)
        if not isinstance(value, bool):
            raise self.error(f"is {_json_type(value)}, expected a JSON boolean", name)
        return value

    def money(self, name: str) -> Decimal:
        """A 2-decimal money string ("5000.00") as an exact Decimal. A JSON number is refused."""
        value = self._get(name)
        if not isinstance(value, str):
            raise self.error(f"is {_json_type(value)}, expected a money string with two decimals", name)
        if not _MONEY.fullmatch(value):
            raise self.error("is not a money string with exactly two decimals", name)
        return Decimal(value)

    def rate(self, name: str) -> Decimal:
        value = self._get(name)
        if not isinstance(value, str) or not _RATE.fullmatch(value):
            raise self.error("is not a decimal string", name)
        return Decimal(value)

    def day(self, name: str) -> date:
        value = self._get(name)
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            raise self.error("is not a YYYY-MM-DD date", name)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.error("is not a valid calendar date", name) from None

    def instant(self, name: str) -> datetime:
        """An ISO-8601 instant; the offset is required (a naive time is ambiguous across zones)."""
        value = self._get(name)
        if not isinstance(value, str):
            raise self.error(f"is {_json_type(value)}, expected an ISO-8601 instant", name)
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise self.error("is not an ISO-8601 instant", name) from None
        if parsed.tzinfo is None:
            raise self.error("has no UTC offset", name)
        return parsed

    def array(self, name: str) -> list[Any]:
        value = self._get(name)
        if not isinstance(value, list):
            raise self.error(f"is {_json_type(value)}, expected an array", name)
        return value

    def expect(self, name: str, wanted: object, actual: object) -> None:
        """The answer must echo what we asked (HJS answering another order is a protocol failure)."""
        if str(actual) != str(wanted):
            raise self.error("does not match the request", name)


def format_money(value: Decimal | int, what: str) -> str:
    """Our side of the money rule: an exact Decimal (or whole int) as "1234.50".

    A float is refused (it cannot hold money exactly), and so is a value with more than two decimals:
    rounding money silently is how fen go missing.
    """
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{what} must be a Decimal (or int), not {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0:
        raise ValueError(f"{what} must be a finite, non-negative amount")
    try:
        exact = amount.quantize(CENT)
    except InvalidOperation:
        raise ValueError(f"{what} is too large") from None
    if exact != amount:
        raise ValueError(f"{what} has more than two decimals; round it explicitly before sending")
    return f"{exact:f}"
