"""The Catalog page as a new user sees it in Chromium, at desktop and phone widths: state chips
without stray bullets, a search box as large as its neighbours and level with them, a Re-sync
button on one line."""
import pytest

from server.catalog import service
from server.extensions import db
from tests.accounts import PASSWORD, add_to_store, cheap_hashing, make_user  # noqa: F401
from tests.catalog.helpers import item
from tests.factories import make_store

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

LAYOUT = """() => {
  const chips = [...document.querySelectorAll('#state-counts > li')];
  const box = document.getElementById('f-search').getBoundingClientRect();
  const select = document.getElementById('f-state').getBoundingClientRect();
  const button = document.querySelector('#products button');
  const style = getComputedStyle(button);
  const inside = button.getBoundingClientRect().height - ['paddingTop', 'paddingBottom', 'borderTopWidth',
    'borderBottomWidth'].reduce((sum, name) => sum + parseFloat(style[name]), 0);
  return {
    markers: chips.map(li => getComputedStyle(li).listStyleType),
    chipsLeft: document.getElementById('state-counts').getBoundingClientRect().left,
    cardLeft: document.getElementById('catalog-title').getBoundingClientRect().left,
    box: {width: box.width, height: box.height, bottom: box.bottom},
    select: {width: select.width, height: select.height, bottom: select.bottom},
    buttonLines: inside / parseFloat(style.lineHeight),
    buttonText: button.innerText.trim(),
  };
}"""


@pytest.mark.parametrize("width", list(WIDTHS))
def test_chips_search_box_and_resync_button(live_server, page, tmp_path, width):
    with live_server.app.app_context():
        store = make_store()
        add_to_store(store, make_user(), "owner")
        service.push_products(db.session, store,
                              [item(f"SKU-{n}") for n in range(3)] + [item("BAD", price="0")])
        key = store.public_key
    page.set_viewport_size(WIDTHS[width])
    page.goto(live_server("/signin"))
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/stores")
    page.goto(live_server(f"/stores/{key}/catalog"))
    page.screenshot(path=str(tmp_path / f"catalog-{width}.png"), full_page=True)

    layout = page.evaluate(LAYOUT)
    assert set(layout["markers"]) == {"none"}  # no bullets before or after the chips
    assert layout["chipsLeft"] - layout["cardLeft"] < 4  # not indented like a bulleted list
    assert layout["box"]["width"] >= 200 and abs(layout["box"]["height"] - layout["select"]["height"]) < 3
    if width == "desktop":  # side by side: their bottoms line up
        assert abs(layout["box"]["bottom"] - layout["select"]["bottom"]) < 3
    assert layout["buttonText"].startswith("Re-sync") and layout["buttonLines"] < 1.5  # one line
    assert page.console_errors == []
