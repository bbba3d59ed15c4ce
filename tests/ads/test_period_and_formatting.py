"""Periods a merchant can pick and how money and numbers read on the page."""
import datetime as dt
from decimal import Decimal

import pytest

from server.ads.errors import InvalidPeriod
from server.ads.formatting import format_money, format_number, format_ratio
from server.ads.period import parse_period

TODAY = dt.date(2026, 3, 31)


@pytest.mark.parametrize("query, start, days", [({}, "2026-03-25", 7), ({"period": "30"}, "2026-03-02", 30),
                                                ({"period": "90"}, "2026-01-01", 90)])
def test_the_last_n_days_end_today(query, start, days):
    period = parse_period(query, TODAY)
    assert (period.start.isoformat(), period.end, period.days) == (start, TODAY, days)
    assert period.query() == {"period": str(days)}


def test_a_custom_period_keeps_its_dates():
    period = parse_period({"period": "custom", "start": "2025-12-30", "end": "2026-01-02"}, TODAY)
    assert period.days == 4 and period.label == "30 Dec 2025 – 2 Jan 2026"
    assert parse_period(period.query(), TODAY) == period


@pytest.mark.parametrize("query, field", [
    ({"period": "14"}, "period"), ({"period": "custom", "start": "2026-03-01"}, "end"),
    ({"period": "custom", "start": "yesterday", "end": "2026-03-02"}, "start"),
    ({"period": "custom", "start": "2026-03-05", "end": "2026-03-02"}, "start"),
    ({"period": "custom", "start": "2026-03-05", "end": "2026-04-02"}, "end"),
    ({"period": "custom", "start": "2024-01-01", "end": "2026-03-02"}, "start"),
])
def test_periods_that_cannot_be_shown_say_which_field_is_wrong(query, field):
    with pytest.raises(InvalidPeriod) as caught:
        parse_period(query, TODAY)
    assert field in caught.value.fields


@pytest.mark.parametrize("amount, currency, text", [
    ("1234.5", "USD", "$1,234.50"), ("89.9", "BRL", "R$ 89.90"), ("1500", "JPY", "¥1,500"),
    ("0.005", "EUR", "€0.01"), ("-3", "GBP", "-£3.00"), ("12", "CHF", "CHF 12.00"), (None, "USD", "—"),
])
def test_money(amount, currency, text):
    assert format_money(None if amount is None else Decimal(amount), currency) == text


def test_numbers_and_ratios():
    assert format_number(1234567) == "1,234,567"
    assert format_ratio(Decimal("3.214")) == "3.21×"
    assert format_ratio(None) == "—"
