"""Checks on business payload fields. A failure names the field, and becomes code 1004."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from .money import parse_money

_NUMBER = re.compile(r"[A-Za-z0-9]{1,32}")  # order and transfer numbers (spec section 5)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_TEXT = 64


class InvalidField(ValueError):
    """A payload field is missing or malformed; the message names it, never echoes its value."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        super().__init__(f"{field} {reason}")


def _get(payload: Mapping[str, Any], field: str) -> Any:
    value = payload.get(field)
    if value is None:
        raise InvalidField(field, "is missing")
    return value


def number(payload: Mapping[str, Any], field: str) -> str:
    """orderNo / transferNo: 1-32 characters of [A-Za-z0-9]."""
    value = _get(payload, field)
    if not isinstance(value, str) or _NUMBER.fullmatch(value) is None:
        raise InvalidField(field, "must be 1-32 characters of [A-Za-z0-9]")
    return value


def text(payload: Mapping[str, Any], field: str, max_length: int = MAX_TEXT) -> str:
    value = _get(payload, field)
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise InvalidField(field, f"must be a non-empty string of at most {max_length} characters")
    return value


def identifier(payload: Mapping[str, Any], field: str) -> str:
    """Asset and user ids: a string or a JSON integer (never a float); kept as text."""
    value = _get(payload, field)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidField(field, "must be a string or an integer")
    if isinstance(value, int):
        if value < 0:
            raise InvalidField(field, "must not be negative")
        return str(value)
    if not value.strip() or len(value) > MAX_TEXT:
        raise InvalidField(field, f"must be a non-empty string of at most {MAX_TEXT} characters")
    return value


def positive_int(payload: Mapping[str, Any], field: str) -> int:
    value = _get(payload, field)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidField(field, "must be a positive JSON integer")
    return value


def integer(payload: Mapping[str, Any], field: str) -> int:
    value = _get(payload, field)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidField(field, "must be a JSON integer")
    return value


def money(payload: Mapping[str, Any], field: str) -> int:
    """Amount in fen from a two-decimal string."""
    value = _get(payload, field)
    try:
        return parse_money(value)
    except ValueError as exc:
        raise InvalidField(field, str(exc)) from exc


def iso_date(payload: Mapping[str, Any], field: str) -> date:
    value = _get(payload, field)
    if not isinstance(value, str) or _DATE.fullmatch(value) is None:
        raise InvalidField(field, "must be a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidField(field, "must be a valid date YYYY-MM-DD") from exc


def boolean(payload: Mapping[str, Any], field: str) -> bool:
    value = _get(payload, field)
    if not isinstance(value, bool):
        raise InvalidField(field, "must be a JSON boolean")
    return value
