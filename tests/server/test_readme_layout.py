"""The README's Layout section matches the tree: its package list and its route table."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import route_table  # noqa: E402  (scripts/ is not a package)


def layout_block():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Layout", 1)[1]
    return section.split("```", 2)[1]


def test_the_route_table_is_the_apps():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    written = route_table.readme_table(text)
    assert written is not None, "README.md has no generated route table under ## Layout"
    generated = route_table.markdown(route_table.routes(route_table.build_app()))
    assert written == generated, "the README's route table is stale: run scripts/route_table.py --write"


def test_every_server_package_is_in_the_layout_and_every_named_one_exists():
    block = layout_block()
    named = set()
    stack = []
    for line in block.splitlines():
        paths = re.findall(r"(?:^|\s)([a-z_]+)/(?=\s)", line + " ")
        if not paths:
            continue
        level = (len(line) - len(line.lstrip())) // 2
        del stack[level:]
        for path in paths:
            named.add("/".join(stack + [path]))
        stack.append(paths[-1])
    missing_dirs = sorted(n for n in named if not (ROOT / n).is_dir())
    assert not missing_dirs, f"the README's layout names folders that do not exist: {missing_dirs}"
    packages = {
        p.parent.relative_to(ROOT).as_posix()
        for p in (ROOT / "server").glob("*/__init__.py")
    }
    unnamed = sorted(packages - named)
    assert not unnamed, f"server packages missing from the README's layout: {unnamed}"
