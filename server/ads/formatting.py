"""Money and numbers as the Ads page shows them: "$1,234.50", "R$ 89.90", "12,345", "3.21×"."""
from decimal import ROUND_HALF_UP, Decimal

DASH = "—"
SYMBOLS = {
    "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "CNY": "CN¥", "KRW": "₩", "INR": "₹", "BRL": "R$ ",
    "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "MXN": "MX$", "HKD": "HK$", "SGD": "S$", "TWD": "NT$",
    "ILS": "₪", "VND": "₫", "PHP": "₱", "THB": "฿", "TRY": "₺", "NGN": "₦", "PLN": "zł ",
}
# Currencies TikTok bills in whole units.
NO_DECIMALS = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "HUF", "IDR", "COP", "PYG", "UGX"})


def _grouped(amount, places):
    quantum = Decimal(1).scaleb(-places)
    return f"{Decimal(amount).quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"


def currency_places(currency):
    """How many decimals a currency shows."""
    return 0 if (currency or "").upper() in NO_DECIMALS else 2


def format_money(amount, currency):
    """An amount in a currency, with its symbol when it has a well-known one; "—" for None."""
    if amount is None:
        return DASH
    code = (currency or "").upper()
    amount = Decimal(str(amount))
    sign = "-" if amount < 0 else ""
    text = _grouped(abs(amount), currency_places(code))
    symbol = SYMBOLS.get(code)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{code} {text}".strip()


def format_number(value):
    """A count with thousands separators; "—" for None."""
    return DASH if value is None else f"{int(value):,}"


def format_ratio(value):
    """A return on ad spend, e.g. "3.21×"; "—" for None."""
    return DASH if value is None else f"{_grouped(value, 2)}×"


def format_amount(value, currency):
    """An amount without a symbol ("75.00"), as the audit log keeps it; None for None."""
    return None if value is None else f"{Decimal(str(value)).quantize(Decimal(1).scaleb(-currency_places(currency)))}"
