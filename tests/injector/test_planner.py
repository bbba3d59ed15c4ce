"""Planning file by file (apply, remove) decides exactly what planning the whole folder decides."""
import random

import pytest

from injector.classify import FolderPlanner, Settings, examine, plan_folder
from injector.files import Entry
from injector.ledger import Ledger

from .conftest import SERVER, STORE, TEMPLATES, cli, fixture_files

APPLY = ("apply", "--store", STORE, "--server", SERVER)


def fixture_facts(snippets):
    """Facts for every fixture template, as the runner examines them."""
    return [examine(path.name, path.read_bytes(), snippets) for path in fixture_files(TEMPLATES)]


def plan_one_by_one(all_facts, settings):
    """rel -> Wanted from FolderPlanner as a run uses it: the files go to an on-disk ledger in the
    order given (a walk's, which is any order), and are planned in the order of its table."""
    with Ledger() as ledger:
        ledger.add_entries(Entry(facts.rel, facts.rel) for facts in all_facts)
        by_rel = {facts.rel: facts for facts in all_facts}
        planner = FolderPlanner(settings, ledger)
        decided = {}
        for _n, entry in ledger.entries():
            for ready, wanted in planner.add(by_rel[entry.rel]):
                assert ready.rel not in decided, ready.rel
                decided[ready.rel] = wanted
        assert planner.waiting() == 0
        return decided


@pytest.mark.parametrize("command", ["apply", "remove"])
@pytest.mark.parametrize("seed", [None, 1, 2, 3])
def test_each_file_is_decided_once_and_as_the_whole_folder_decides(snippets, command, seed):
    all_facts = fixture_facts(snippets)
    if seed is not None:  # whatever order the walk finds the files in
        random.Random(seed).shuffle(all_facts)
    settings = Settings(command=command)
    assert plan_one_by_one(all_facts, settings) == plan_folder(all_facts, settings)


def test_the_shared_head_template_setting_is_planned_alike(snippets):
    all_facts = fixture_facts(snippets)[::-1]
    settings = Settings(command="apply", head_template="head-common.html")
    assert plan_one_by_one(all_facts, settings) == plan_folder(all_facts, settings)


def test_a_page_waits_for_the_sub_templates_it_includes_listed_after_it(tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    (folder / "a-page.html").write_bytes(
        b'<html>\n<head>\n  <title>a</title>\n</head>\n<body>\n  <vtex:template id="z-buy" />\n</body>\n</html>\n'
    )
    (folder / "z-buy.html").write_bytes(b'<div class="buy"><vtex.cmc:BuyButton /></div>\n')
    (folder / "orderplaced-header.html").write_bytes(b'<div class="orderplaced-header">\n</div>\n')
    (folder / "orderplaced-top.html").write_bytes(b'<div class="orderplaced-top">\n</div>\n')
    planned = cli(*APPLY, "--dry-run", folder, check_code=1)
    done = cli(*APPLY, folder, check_code=1)
    assert done.stdout == planned.stdout
    lines = {line.split()[0]: line for line in done.stdout.decode().splitlines()}
    assert "product page" in lines["a-page.html"] and "+view-content +add-to-cart" in lines["a-page.html"]
    assert "+head +order" in lines["orderplaced-top.html"]
    assert "+order" not in lines["orderplaced-header.html"]
    assert b"tiktok-connector:view-content" in (folder / "a-page.html").read_bytes()
    assert b"tiktok-connector:order" in (folder / "orderplaced-top.html").read_bytes()
    assert b"tiktok-connector" not in (folder / "orderplaced-header.html").read_bytes()
