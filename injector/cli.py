"""``python -m injector`` / ``tiktok-injector``: apply, remove or show the TikTok pixel snippets.

Exit codes: 0 nothing changed, 1 something changed (or would, under --check/--dry-run/--diff;
for status: something is missing or out of date), 2 an error (nothing was done), 3 the run went
through but some files have a problem and were left as they are.
"""
import argparse
import logging
import os
import sys

from .classify import TEMPLATE_SUFFIXES, Settings
from .errors import InjectorError, UsageError
from .files import Selection
from .report import Progress, unified_diff, write_table
from .runner import Options, run

EXIT_UNCHANGED, EXIT_CHANGED, EXIT_ERROR, EXIT_PROBLEM = 0, 1, 2, 3
DEFAULT_MAX_BYTES = 2 * 1024 * 1024

log = logging.getLogger("injector")

EPILOG = """\
Where the blocks go (each between marker comments carrying the snippet version):
  head          before the first real </head> of every page template, on its own lines and
                indented like the line above; with --head-template, once at the end of that
                shared head sub-template instead (pages must include it)
  view-content, add-to-cart
                product pages (live BuyButton, skuSelection, productName... in the page or in a
                sub-template it includes): just before the last real </body>, else at the end
  order         order-placed pages (<vtex.cmc:closedOrder/>), and the first of orderplaced-bottom,
                -footer, -top, -header (with its own head block: the checkout renders that page)
--platform generic injects the head snippet only: its event snippets hold placeholders a
developer fills in, so paste those by hand. Shelf templates (NVelocity) are never touched.
Markers look like <!-- tiktok-connector:head v1 store=KEY --> ... <!-- /tiktok-connector:head -->.
Files with a problem (no </head> to anchor on, a hand-pasted ttq.load pixel, damaged markers, a
file ending inside an unclosed tag) are listed and left exactly as they are.

Exit codes: 0 nothing changed; 1 something changed (or would, with --dry-run, --diff or --check;
for status: something is missing or out of date); 2 an error: bad arguments, an unreadable
folder, nothing done; 3 done, but some files have a problem (listed) and were left as they are.
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for the three commands."""
    parser = argparse.ArgumentParser(
        prog="tiktok-injector",
        description="Embed the TikTok pixel snippets in a folder of legacy CMS templates.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    described = {"epilog": EPILOG, "formatter_class": argparse.RawDescriptionHelpFormatter}
    apply = commands.add_parser("apply", help="insert or update the snippets", **described)
    remove = commands.add_parser("remove", help="remove every block the injector added (any version)", **described)
    status = commands.add_parser("status", help="show what is installed and whether it is current", **described)
    for sub in (apply, remove, status):
        sub.add_argument("template_dir", metavar="TEMPLATE_DIR")
        sub.add_argument("--include", action="append", default=[], metavar="GLOB",
                         help="only files whose path or name matches (repeatable; any extension)")
        sub.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                         help="leave out files whose path or name matches (repeatable)")
        sub.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N",
                         help=f"skip files larger than this (default {DEFAULT_MAX_BYTES})")
        sub.add_argument("--quiet", "-q", action="store_true", help="list only changed files and problems")
        sub.add_argument("--jobs", type=int, metavar="N",
                         help="processes examining files (default: one per CPU, up to 4, for 256+ files"
                              " when nothing is written; one when apply or remove writes)")
    for sub in (apply, remove):
        sub.add_argument("--dry-run", action="store_true", help="plan and report, write nothing")
        sub.add_argument("--diff", action="store_true", help="show a unified diff, write nothing")
        sub.add_argument("--check", action="store_true", help="write nothing; exit 1 if anything would change")
        sub.add_argument("--backup", metavar="DIR", help="copy each file to DIR before changing it")
    for sub in (apply, status):
        sub.add_argument("--store", metavar="KEY", required=sub is apply, help="the store's public key")
        sub.add_argument("--server", metavar="URL", required=sub is apply, help="the connector's base URL")
        sub.add_argument("--platform", choices=("vtex-legacy", "generic"), default="vtex-legacy")
        sub.add_argument("--head-template", metavar="FILE",
                         help="put the head snippet once at the end of this shared head sub-template")
    apply.add_argument("--force", action="store_true", help="add our pixel even where ttq.load is already pasted")
    return parser


def main(argv=None) -> int:
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        progress = Progress(sys.stderr)
        options = _options(args, progress)
        try:
            outcome = run(options)
        finally:
            progress.close()
    except InjectorError as exc:
        print(f"tiktok-injector: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception:  # the outer edge: say what was being done, then fail with code 2
        log.exception("tiktok-injector %s %s failed", args.command, args.template_dir)
        return EXIT_ERROR
    out = sys.stderr if getattr(args, "diff", False) else sys.stdout
    try:
        write_table(out, outcome, args.command, show_all=not args.quiet)
        out.flush()
    finally:
        outcome.close()
    if outcome.problems:
        return EXIT_PROBLEM
    return EXIT_CHANGED if outcome.changed else EXIT_UNCHANGED


def _options(args, progress):
    root = args.template_dir
    if not os.path.isdir(root):
        raise UsageError(f"{root} is not a folder")
    write = args.command != "status" and not (args.dry_run or args.diff or args.check)
    backup = getattr(args, "backup", None)
    skip_dirs = (os.path.realpath(backup),) if backup else ()
    head_template = getattr(args, "head_template", None)
    settings = Settings(
        command=args.command,
        platform=getattr(args, "platform", "vtex-legacy"),
        head_template=_relative(root, head_template) if head_template else None,
        force=getattr(args, "force", False),
    )
    selection = Selection(
        include=tuple(args.include),
        exclude=tuple(args.exclude),
        suffixes=TEMPLATE_SUFFIXES,
        max_bytes=args.max_bytes,
        skip_dirs=skip_dirs,
    )
    return Options(
        root=root,
        settings=settings,
        store=getattr(args, "store", None),
        server=getattr(args, "server", None),
        write=write,
        selection=selection,
        backup=backup if write else None,
        on_diff=_show_diff if getattr(args, "diff", False) else None,
        on_progress=progress,
        jobs=args.jobs,
    )


def _show_diff(rel, old, new):
    """--diff: write one file's diff to stdout, its bytes as they are."""
    sys.stdout.buffer.write(unified_diff(rel, old, new))
    sys.stdout.flush()


def _relative(root, name):
    """``name`` (relative to the template folder or to the current folder) as a path inside root."""
    real_root = os.path.realpath(root)
    for candidate in ([name] if os.path.isabs(name) else [os.path.join(root, name), name]):
        if os.path.isfile(candidate):
            real = os.path.realpath(candidate)
            if os.path.commonpath([real_root, real]) == real_root:
                return os.path.relpath(real, real_root).replace(os.sep, "/")
    raise UsageError(f"--head-template {name}: not a file inside {root}")
