"""The server-side SVG chart: one bar per day, axes that fit the figures, a description for screen
readers, and text that cannot break out of the markup."""
import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from server.ads.chart import nice_scale, spend_chart
from server.ads.report import DailyPoint

SVG = "{http://www.w3.org/2000/svg}"


def _points(spends, conversions=None):
    start = dt.date(2026, 3, 1)
    conversions = conversions or [0] * len(spends)
    return [DailyPoint(start + dt.timedelta(days=n), Decimal(s), c)
            for n, (s, c) in enumerate(zip(spends, conversions, strict=True))]


def _tree(markup):
    return ET.fromstring(str(markup))


def test_a_bar_per_day_whose_height_follows_spend():
    svg = _tree(spend_chart(_points(["10", "40", "20"], [1, 5, 2]), "USD"))
    bars = [r for r in svg.iter(SVG + "rect") if r.find(SVG + "title") is not None]
    heights = [float(r.get("height")) for r in bars]
    assert len(bars) == 3
    assert heights[1] == pytest.approx(heights[0] * 4, rel=0.01)
    assert heights[2] == pytest.approx(heights[0] * 2, rel=0.01)
    assert bars[1].find(SVG + "title").text == "2 Mar 2026: $40.00 spent, 5 conversions"
    line = svg.find(f".//{SVG}polyline")
    assert len(line.get("points").split()) == 3


def test_the_title_and_description_name_the_chart_for_screen_readers():
    svg = _tree(spend_chart(_points(["12.5", "80"], [3, 9]), "BRL", title="Spend & conversions <daily>"))
    assert svg.get("role") == "img"
    title, desc = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title
    assert svg.find(f"{SVG}title").text == "Spend & conversions <daily>"  # escaped in the markup
    description = svg.find(f"{SVG}desc").text
    assert svg.find(f"{SVG}desc").get("id") == desc
    assert "R$ 92.50 spent and 12 conversions" in description
    assert "Highest spend on 2 Mar: R$ 80.00" in description


def test_axis_labels_are_round_and_cover_the_highest_day():
    svg = _tree(spend_chart(_points(["0", "1234.56"], [0, 7]), "EUR"))
    labels = [t.text for t in svg.iter(SVG + "text")]
    assert {"€0", "€500", "€1,000", "€1,500", "€2,000"} <= set(labels)
    assert all("style" not in element.attrib for element in svg.iter())  # the CSP allows no inline style


def test_a_period_without_spend_still_draws():
    svg = _tree(spend_chart(_points(["0"] * 90), "USD"))
    assert len([r for r in svg.iter(SVG + "rect") if r.find(SVG + "title") is not None]) == 90
    assert not list(svg.iter(SVG + "circle"))[3:]  # no dots beyond the legend's for 90 days
    dates = [t.text for t in svg.iter(SVG + "text") if t.get("text-anchor") == "middle"]
    assert 2 <= len(dates) <= 8


@pytest.mark.parametrize("peak, top, step", [(0, 4, 1), (7, 8, 2), (95, 100, 25), (1234.56, 2000, 500),
                                             (0.3, 0.4, 0.1)])
def test_nice_scale(peak, top, step):
    assert nice_scale(peak) == (pytest.approx(top), pytest.approx(step))
