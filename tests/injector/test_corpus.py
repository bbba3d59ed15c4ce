"""Real templates from public repositories (see fixtures/corpus/NOTICE.md)."""
import shutil

from .conftest import CORPUS, SERVER, STORE, cli, read_tree


def test_real_templates_are_classified_and_round_trip(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    before = read_tree(folder)
    done = cli("apply", "--store", STORE, "--server", SERVER, folder, check_code=1)
    table = done.stdout.decode()
    expected = {
        "JonatasRicardo__vtex-dev__src__html__templates__VTEXDEV-product.html": "product page",
        "JonatasRicardo__vtex-dev__src__html__templates__subtemplates__VTEXDEV-import-head.html": "head sub-template",
        "JonatasRicardo__vtex-dev__src__checkout__html__checkout-header.html": "fragment",
        "Shopify__Timber__layout__theme.liquid": "page",
        "Shopify__Timber__templates__product.liquid": "fragment",
        "osCommerce__oscommerce2__catalog__checkout_success.php": "fragment",
        "osCommerce__oscommerce2__catalog__includes__OSC__Sites__Shop__Templates__Sail__template_top.php": "page",
        "NOTICE.md": "not a template",
    }
    for name, kind in expected.items():
        line = next(line for line in table.splitlines() if line.startswith(name + " "))
        assert line[len(name):].split("  ")[1:] and kind in line, line
    after = read_tree(folder)
    timber = after["Shopify__Timber__layout__theme.liquid"]
    # The conditional comments' <html> tags are not a document: one head snippet, before </head>.
    assert timber.count(b"tiktok-connector:head v1") == 1
    assert timber.index(b"<!-- /tiktok-connector:head -->") < timber.index(b"</head>")
    cli("remove", folder, check_code=1)
    assert read_tree(folder) == before
