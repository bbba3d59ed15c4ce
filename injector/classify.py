"""What each template is, and which blocks each one should hold.

``examine`` reads one file's bytes into small ``Facts`` (no bytes kept). A file's plan depends on
the folder: a page's kind can come from the sub-templates it includes, and the order event must go
in only one place. ``FolderPlanner``, which runs use, decides file by file, each as soon as every
file it depends on is examined, so writing can start while the rest of the folder is still being
read; what it remembers of each file lives on disk (injector.ledger). ``plan_folder`` states
the same decisions for a whole folder at once, in memory: the planner is checked against it.
"""
import os
import re
from dataclasses import dataclass

from .edit import end_is_open, is_current
from .markers import MarkerError, find_blocks
from .scan import scan

PAGE, PRODUCT, ORDER, CATEGORY = "page", "product page", "order page", "category page"
HEAD_SUB, ORDER_SUB, FRAGMENT = "head sub-template", "order sub-template", "fragment"
SHELF, NOT_TEMPLATE, BINARY, SKIPPED = "shelf", "not a template", "binary", "skipped"
UNTOUCHED_KINDS = frozenset((SHELF, NOT_TEMPLATE, BINARY, SKIPPED))

TEMPLATE_SUFFIXES = frozenset(
    ".html .htm .xhtml .shtml .tpl .liquid .php .phtml .twig .vm .aspx .ascx .master .cshtml .jsp"
    " .erb .hbs .handlebars .mustache .njk .ejs".split()
)
PRODUCT_CONTROLS = frozenset(
    "buybutton skuselection skurichselection productname productimage buyinpage buytogether skujson".split()
)
ORDER_CONTROLS = frozenset(("closedorder",))
CATEGORY_CONTROLS = frozenset(
    "searchresult searchnavigator singledepartmentnavigator searchtitle breadcrumb".split()
)
# The checkout's order-placed page renders these; the order event goes in the first one present.
ORDER_SUBTEMPLATES = ("orderplaced-bottom", "orderplaced-footer", "orderplaced-top", "orderplaced-header")
HEAD_ONLY_TAGS = frozenset((b"meta", b"link", b"title", b"base", b"style", b"script", b"noscript"))
HEAD_HINT_TAGS = frozenset((b"meta", b"link", b"title", b"base"))

# NVelocity: $product.Name, $!product.Uri, ${product.Id}, #if (...), #foreach (...)
_VELOCITY_REFERENCE = re.compile(rb"\$!?\{?product\.[A-Za-z]")
_VELOCITY_DIRECTIVE = re.compile(rb"#(?:if|elseif|foreach|set)[ \t]*\(")


@dataclass(frozen=True, slots=True)
class Facts:
    """One file, as far as planning is concerned."""

    rel: str  # path relative to the template folder, with "/"
    kind: str
    reason: str = ""  # why the file is skipped
    problem: str = ""  # what the user must fix; the file is not written
    open_end: bool = False  # the file ends inside something left open: nothing can be appended
    head_open: bool = False
    controls: frozenset = frozenset()
    includes: tuple = ()
    pixel: bool = False  # a hand-pasted TikTok pixel (ttq.load) outside our blocks
    blocks: tuple = ()  # (name, version, store, current) per marker block
    marks: tuple = ()  # the marker Blocks themselves, offsets included
    anchors: tuple = (None, None)  # offsets of the real </head> and </body>, for the write phase
    signature: tuple = ()  # (inode, size, mtime, mode) when it was read

    @property
    def stem(self):
        """The file name without its extension, which is the VTEX template id."""
        return template_id(self.rel)

    @property
    def head_close(self):
        """True when the file has a real </head>."""
        return self.anchors[0] is not None

    @property
    def body_close(self):
        """True when the file has a real </body>."""
        return self.anchors[1] is not None


@dataclass(frozen=True, slots=True)
class Wanted:
    """The folder-level decision for one file."""

    kind: str
    names: tuple = ()  # blocks the file should hold, or None to leave it as it is
    head_at_end: bool = False  # the head block goes at the end of the file, not before </head>
    note: str = ""
    problem: str = ""


@dataclass(frozen=True, slots=True)
class Settings:
    """What the user asked for."""

    command: str  # "apply", "remove" or "status"
    platform: str = "vtex-legacy"
    head_template: str | None = None  # rel path of the shared head sub-template
    force: bool = False


def template_id(rel: str) -> str:
    """The VTEX template id of a file: its name without folder and extension."""
    return os.path.splitext(rel.rpartition("/")[2])[0]


def skipped(rel: str, kind: str, reason: str) -> Facts:
    """Facts for a file that is not examined."""
    return Facts(rel=rel, kind=kind, reason=reason)


def examine(rel: str, data: bytes, snippets: dict | None, signature=()) -> Facts:
    """Facts for one template's bytes; ``snippets`` (name -> Snippet) tells which blocks are current."""
    if b"\0" in data or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return skipped(rel, BINARY, "binary or UTF-16 content")
    found = scan(data)
    if _is_shelf(data, found):
        return skipped(rel, SHELF, "NVelocity shelf template: never touched")
    kind = PAGE if found.page else _fragment_kind(rel, data, found)
    problem, pixel, summary, blocks = "", False, (), ()
    try:
        blocks = find_blocks(data, found.comment_starts)
    except MarkerError as exc:
        problem = f"damaged marker block: {exc}"
    else:
        inside = [(block.start, block.end) for block in blocks]
        pixel = any(not any(start <= at < end for start, end in inside) for at in found.pixel_calls)
        current = (snippets or {}).get
        summary = tuple([(b.name, b.version, b.store, is_current(data, b, current(b.name))) for b in blocks])
    return Facts(
        rel=rel,
        kind=kind,
        problem=problem,
        open_end=found.body_close is None and end_is_open(data),
        head_open=found.head_open,
        controls=found.controls,
        includes=found.includes,
        pixel=pixel,
        blocks=summary,
        marks=tuple(blocks),
        anchors=(found.head_close, found.body_close),
        signature=signature,
    )


def _is_shelf(data, found):
    """A fragment with NVelocity in it. A page with a real <head>...</head> is a page whatever
    Velocity-looking text it holds ($product.Name in a hidden input): it needs the head snippet."""
    if found.head_open and found.head_close is not None:
        return False
    return bool(_VELOCITY_REFERENCE.search(data) or _VELOCITY_DIRECTIVE.search(data))


def _fragment_kind(rel, data, found):
    if found.page:
        return PAGE
    if template_id(rel).lower() in ORDER_SUBTEMPLATES:
        return ORDER_SUB
    names = scan(data, tag_names=True).tag_names
    plain = {name for name in names if b":" not in name}
    if plain <= HEAD_ONLY_TAGS and (plain & HEAD_HINT_TAGS or "metatags" in found.controls):
        return HEAD_SUB
    return FRAGMENT


@dataclass(frozen=True, slots=True)
class _Folder:
    by_stem: object  # lowercased template id -> [Facts] (anything with .get(stem, default))
    order_sub: Facts | None  # the one orderplaced-* sub-template that gets the order event
    head_stem: str | None  # template id of --head-template


def plan_folder(all_facts, settings: Settings) -> dict:
    """rel -> Wanted for every file, deciding the folder as a whole."""
    by_stem = {}
    for facts in all_facts:
        by_stem.setdefault(facts.stem.lower(), []).append(facts)
    head_stem = settings.head_template and template_id(settings.head_template).lower()
    folder = _Folder(by_stem, _order_subtemplate(all_facts), head_stem)
    return {facts.rel: _wanted(facts, settings, folder) for facts in all_facts}


class FolderPlanner:
    """plan_folder's decisions, one file at a time, each as soon as it cannot change any more.

    A file waits while a sub-template it includes (transitively) is still unexamined, and an
    order sub-template waits for every orderplaced-* file (the order event goes in one of them).
    What it remembers of each file is kept by ``records``, the run's on-disk ledger
    (injector.ledger.Ledger), which hands the files out in the order they are to be added.
    """

    def __init__(self, settings: Settings, records):
        self.settings = settings
        self.records = records
        self.order_left = sum(self.records.unexamined(name) for name in ORDER_SUBTEMPLATES)
        self.order_candidates = []  # only orderplaced-* files: a few at most
        head_stem = settings.head_template and template_id(settings.head_template).lower()
        self.folder = _Folder(self.records, None, head_stem)

    def add(self, facts: Facts) -> list:
        """Take one examined file; returns [(Facts, Wanted)] for every file now decided."""
        stem = facts.stem.lower()
        released = [facts]
        if not self.records.examined(facts, stem):
            released += self.records.release(stem)
        if stem in ORDER_SUBTEMPLATES:
            if facts.kind == ORDER_SUB and not facts.problem:
                self.order_candidates.append(facts)
            self.order_left -= 1
            if not self.order_left:
                order_sub = _order_subtemplate(self.order_candidates)
                self.folder = _Folder(self.records, order_sub, self.folder.head_stem)
                released += self.records.release(None)
        return [(ready, _wanted(ready, self.settings, self.folder)) for ready in released if self._ready(ready)]

    def waiting(self) -> int:
        """How many files are still waiting for another one."""
        return self.records.waiting()

    def _ready(self, facts):
        """True when nothing still unexamined can change this file's decision; else it waits."""
        if facts.kind in UNTOUCHED_KINDS:
            return True
        if facts.kind == ORDER_SUB and self.order_left:
            self.records.park(None, facts)
            return False
        seen, todo = set(), list(facts.includes)
        while todo:
            ident = todo.pop().lower()
            if ident in seen:
                continue
            seen.add(ident)
            if self.records.unexamined(ident):
                self.records.park(ident, facts)
                return False
            for included in self.records.get(ident, ()):
                todo.extend(included.includes)
        return True


def _wanted(facts, settings, folder):
    if facts.kind in UNTOUCHED_KINDS:
        return Wanted(kind=facts.kind, names=None, note=facts.reason)
    kind = _page_kind(_reachable_controls(facts, folder.by_stem)) if facts.kind == PAGE else facts.kind
    if facts.problem:
        return Wanted(kind=kind, names=None, problem=facts.problem)
    if settings.command == "remove":
        return Wanted(kind=kind, names=())
    if facts.pixel and not settings.force:
        problem = "a hand-pasted TikTok pixel (ttq.load) is already here; not doubled (--force adds ours)"
        return Wanted(kind=kind, names=None, problem=problem)
    head, head_note, problem = _head_block(facts, kind, settings, folder)
    events, event_note = _event_blocks(facts, kind, settings, folder)
    names = tuple(dict.fromkeys(head + events))
    head_at_end = (head == ["head"] and not facts.head_close) or _is_order_sub(facts, folder)
    note = "hand-pasted TikTok pixel kept (--force)" if facts.pixel else head_note or event_note
    appends = (head_at_end and "head" in names) or (not facts.body_close and bool(events))
    if appends and facts.open_end and not problem:
        problem = "ends inside an unclosed tag, comment or script: nothing appended"
    if problem:
        return Wanted(kind=kind, names=None, problem=problem)
    return Wanted(kind=kind, names=names, head_at_end=head_at_end, note=note)


def _head_block(facts, kind, settings, folder):
    """(["head"] or [], note, problem) for the head snippet."""
    if settings.head_template == facts.rel:
        return ["head"], "shared head sub-template", ""
    if kind not in (PAGE, PRODUCT, ORDER, CATEGORY):
        return [], "", ""
    if settings.head_template:
        if _includes(facts, folder.head_stem, folder.by_stem):
            return [], "", ""
        return [], f"does not include {settings.head_template}: no pixel unless a sub-template does", ""
    if facts.head_close:
        return ["head"], "", ""
    if facts.head_open:
        return [], "", "has <head> but no </head>: not guessed at"
    return [], "", "no </head> for the head snippet: name the shared head sub-template with --head-template"


def _event_blocks(facts, kind, settings, folder):
    """(event block names, note): generic platforms get none, their snippets need filling in."""
    if settings.platform != "vtex-legacy":
        return [], ""
    if kind == PRODUCT:
        return ["view-content", "add-to-cart"], ""
    if kind == ORDER:
        return ["order"], ""
    if _is_order_sub(facts, folder):
        # The checkout renders this page without the store's page templates: bring the head.
        return ["head", "order"], ""
    if kind == ORDER_SUB:
        return [], f"the order event goes in {folder.order_sub.rel} only"
    return [], ""


def _is_order_sub(facts, folder):
    """True for the one orderplaced-* sub-template that gets the order event (a file parked on disk
    comes back as a copy, so it is known by its path)."""
    return folder.order_sub is not None and facts.rel == folder.order_sub.rel


def _page_kind(controls):
    if controls & ORDER_CONTROLS:
        return ORDER
    if controls & PRODUCT_CONTROLS:
        return PRODUCT
    if controls & CATEGORY_CONTROLS:
        return CATEGORY
    return PAGE


def _reachable_controls(facts, by_stem):
    """The page's own controls plus those of every sub-template it includes, transitively."""
    controls, seen, todo = set(facts.controls), {facts.stem.lower()}, list(facts.includes)
    while todo:
        ident = todo.pop().lower()
        if ident in seen:
            continue
        seen.add(ident)
        for included in by_stem.get(ident, ()):
            if included.kind not in UNTOUCHED_KINDS and included.kind != PAGE:
                controls |= included.controls
                todo.extend(included.includes)
    return controls


def _includes(facts, stem, by_stem):
    seen, todo = set(), list(facts.includes)
    while todo:
        ident = todo.pop().lower()
        if ident == stem:
            return True
        if ident not in seen:
            seen.add(ident)
            for included in by_stem.get(ident, ()):
                todo.extend(included.includes)
    return False


def _order_subtemplate(all_facts):
    candidates = [f for f in all_facts if f.kind == ORDER_SUB and not f.problem]
    for name in ORDER_SUBTEMPLATES:
        for facts in sorted(candidates, key=lambda f: f.rel):
            if facts.stem.lower() == name:
                return facts
    return None
