"""Daily spend (bars, left axis) and conversions (line, right axis) as an inline SVG, drawn on the
server: no script, no external file, readable by screen readers through its title and description.

Only presentation attributes are used (no ``style``), so the admin's strict CSP allows it.
"""
import math
from decimal import Decimal

from markupsafe import Markup, escape

from server.ads.formatting import SYMBOLS, format_money, format_number

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 76, 56, 40, 46
SPEND_COLOUR, CONVERSIONS_COLOUR = "#e11d48", "#0e7490"
GRID, TEXT = "#e2e5eb", "#586070"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12"'
MAX_X_LABELS = 8
MAX_DOTS = 31  # beyond a month the dots would merge into the line


def nice_scale(peak, ticks=4):
    """``(top, step)``: a round axis maximum at or above ``peak`` split into ``ticks`` round steps."""
    peak = float(peak)
    if peak <= 0:
        return ticks, 1.0
    raw = peak / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return step * ticks, step


def _money_tick(value, currency):
    if value >= 100_000:
        symbol = SYMBOLS.get((currency or "").upper(), "")
        short = f"{value / 1_000_000:.1f}M" if value >= 1_000_000 else f"{value / 1000:.0f}k"
        return f"{symbol}{short.replace('.0M', 'M')}".strip() if symbol else f"{short} {currency}"
    places = 0 if float(value).is_integer() else 2
    return format_money(Decimal(str(round(value, places))), currency).replace(".00", "")


def _day(day):
    return f"{day.day} {day:%b}"


def describe(points, currency):
    """The chart's description for screen readers: the period, the totals and the busiest day."""
    if not points:
        return "No data for this period."
    spend = sum((p.spend for p in points), Decimal(0))
    conversions = sum(p.conversions for p in points)
    text = (f"Daily spend in {currency} as bars against the left axis and conversions as a line against the right "
            f"axis, {_day(points[0].date)} {points[0].date.year} to {_day(points[-1].date)} {points[-1].date.year}: "
            f"{format_money(spend, currency)} spent and {format_number(conversions)} conversions in total.")
    busiest = max(points, key=lambda p: (p.spend, p.date))
    if busiest.spend > 0:
        text += f" Highest spend on {_day(busiest.date)}: {format_money(busiest.spend, currency)}."
    return text


def spend_chart(points, currency, *, title="Daily spend and conversions", ids="ads-chart"):
    """The SVG for ``points`` (DailyPoint: date, spend, conversions) as Markup."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    spend_top, spend_step = nice_scale(max((p.spend for p in points), default=0))
    conv_top, conv_step = nice_scale(max((p.conversions for p in points), default=0))
    conv_step = max(1.0, conv_step)
    conv_top = max(conv_top, conv_step * 4)
    slot = plot_w / max(1, len(points))
    base = TOP + plot_h

    def y_spend(value):
        return base - plot_h * float(value) / spend_top

    def y_conv(value):
        return base - plot_h * float(value) / conv_top

    parts = [f'<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{ids}-title {ids}-desc">',
             f'<title id="{ids}-title">{escape(title)}</title>',
             f'<desc id="{ids}-desc">{escape(describe(points, currency))}</desc>',
             f'<g {FONT} fill="{TEXT}">']
    for n in range(5):  # grid and both axes' labels
        y = base - plot_h * n / 4
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{escape(_money_tick(spend_step * n, currency))}</text>')
        parts.append(f'<text x="{LEFT + plot_w + 8}" y="{y + 4:.1f}">{format_number(conv_step * n)}</text>')
    every = max(1, math.ceil(len(points) / MAX_X_LABELS))
    for index, point in enumerate(points):
        x = LEFT + slot * index
        height = base - y_spend(point.spend)
        tip = (f"{_day(point.date)} {point.date.year}: {format_money(point.spend, currency)} spent, "
               f"{format_number(point.conversions)} conversions")
        parts.append(f'<rect x="{x + slot * 0.15:.1f}" y="{base - height:.1f}" width="{max(1.0, slot * 0.7):.1f}" '
                     f'height="{height:.1f}" fill="{SPEND_COLOUR}" fill-opacity="0.78">'
                     f'<title>{escape(tip)}</title></rect>')
        if index % every == 0:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{base + 18}" text-anchor="middle">{_day(point.date)}</text>')
    line = " ".join(f"{LEFT + slot * (i + 0.5):.1f},{y_conv(p.conversions):.1f}" for i, p in enumerate(points))
    if points:
        parts.append(f'<polyline points="{line}" fill="none" stroke="{CONVERSIONS_COLOUR}" stroke-width="2.2" '
                     f'stroke-linejoin="round" stroke-linecap="round"/>')
    if len(points) <= MAX_DOTS:
        parts += [f'<circle cx="{LEFT + slot * (i + 0.5):.1f}" cy="{y_conv(p.conversions):.1f}" r="3" '
                  f'fill="#fff" stroke="{CONVERSIONS_COLOUR}" stroke-width="2"/>' for i, p in enumerate(points)]
    parts.append(f'<line x1="{LEFT}" y1="{base}" x2="{LEFT + plot_w}" y2="{base}" stroke="#9aa1ae"/>')
    parts += _legend(currency)
    parts.append("</g></svg>")
    return Markup("".join(parts))


def _legend(currency):
    y = 16
    return [f'<rect x="{LEFT}" y="{y - 10}" width="14" height="12" rx="2" fill="{SPEND_COLOUR}" fill-opacity="0.78"/>',
            f'<text x="{LEFT + 20}" y="{y}" fill="#16181d">Spend ({escape(currency)}, left axis)</text>',
            f'<line x1="{LEFT + 190}" y1="{y - 4}" x2="{LEFT + 212}" y2="{y - 4}" stroke="{CONVERSIONS_COLOUR}" '
            f'stroke-width="2.2"/>',
            f'<circle cx="{LEFT + 201}" cy="{y - 4}" r="3" fill="#fff" stroke="{CONVERSIONS_COLOUR}" '
            f'stroke-width="2"/>',
            f'<text x="{LEFT + 220}" y="{y}" fill="#16181d">Conversions (right axis)</text>']
