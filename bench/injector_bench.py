"""Benchmark the template injector against a naive parse-and-re-serialise baseline.

    python bench/injector_bench.py [--files N] [--naive-files N] [--runs N]

Builds a folder of generated VTEX legacy templates (about 40 KB each: head, scripts, comments,
controls; CRLF, ISO-8859-1 and awkward attribute values mixed in) in a temporary folder, then
prints medians of several runs: apply (read, classify, write atomically with fsync), --dry-run
(read, classify, plan), status on the injected folder, and BeautifulSoup (html.parser) parsing and
re-serialising the same files, with how many files that round trip changes. Peak Python memory
(tracemalloc) is measured for a small and a large folder. Prints figures; asserts nothing.
"""
import argparse
import contextlib
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _harness import add_machine_args, check_machine  # noqa: E402
from injector.cli import main as injector  # noqa: E402

STORE, SERVER = "bench_store", "https://connector.example.com"
TARGET_BYTES = 40_000


def make_template(index: int) -> bytes:
    """One realistic legacy template of about 40 KB."""
    rng = random.Random(index)
    kind = ("product", "category", "home", "institutional")[index % 4]
    control = {
        "product": "<vtex.cmc:BuyButton />",
        "category": "<vtex.cmc:searchResult layout=\"x\" itemCount=\"12\" />",
        "home": "<vtex:contentPlaceHolder id=\"banners\" />",
        "institutional": "<vtex.cmc:breadCrumb />",
    }[kind]
    head = [
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">',
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:vtex="http://www.vtex.com.br/2009/vtex-common"'
        ' xmlns:vtex.cmc="http://www.vtex.com.br/2009/vtex-commerce">',
        "  <head>",
        "    <vtex:metaTags />",
        "    <title><vtex.cmc:productPageTitle /></title>",
        '    <vtex:template id="head-common" />',
        *(f'    <link rel="stylesheet" href="/arquivos/style-{k}.css?v={rng.randrange(10**6)}" />' for k in range(8)),
        '    <script type="text/javascript">var s = "</head>"; if (a < b && c > d) { run(); }</script>',
        "    <!-- <vtex.cmc:BuyButton/> </head> -->",
        "  </head>",
    ]
    if index % 20 == 7:  # an attribute value holding markup: the exact tokenizer's case
        head.insert(4, '    <meta name="description" content="a > b <b>bold</b>" />')
    body = ['  <body class="%s">' % kind, '    <vtex:template id="header" />', f"    {control}"]
    size, n = sum(len(line) + 1 for line in head + body), 0
    while size < TARGET_BYTES - 300:
        n += 1
        roll = rng.random()
        if roll < 0.05:
            push = 'dataLayer.push({"event": "x", "i": %d});' % n
            line = f"    <script>window.dataLayer = window.dataLayer || []; {push}</script>"
        elif roll < 0.1:
            line = f'    <!-- section {n}: <div class="old">removed</div> -->'
        elif roll < 0.15:
            line = '    <div class="vtex__control"><vtex.cmc:skuPrice /></div>'
        else:
            line = (f'    <div class="row item-{n}" data-id="{n}"><a href="/p/{n}?a=1&amp;b=2" title="Item {n}">'
                    f'Produto {n} a\u00e7\u00e3o</a><span class="price">R$ {n},90</span></div>')
        body.append(line)
        size += len(line) + 1
    body += ['    <vtex:template id="footer" />', "  </body>", "</html>", ""]
    newline = "\r\n" if index % 3 == 1 else "\n"
    encoding = "iso-8859-1" if index % 10 == 3 else "utf-8"
    return newline.join(head + body).encode(encoding)


def make_folder(root: Path, count: int) -> int:
    """Write ``count`` templates into root; returns the total bytes."""
    root.mkdir(parents=True)
    total = 0
    for index in range(count):
        data = make_template(index)
        (root / f"template-{index:05}.html").write_bytes(data)
        total += len(data)
    return total


def run_cli(*args) -> tuple:
    """(wall seconds, CPU seconds incl. worker processes) of one in-process command line run."""
    start, cpu = time.perf_counter(), _cpu()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        injector([str(a) for a in args])
    return time.perf_counter() - start, _cpu() - cpu


def _cpu():
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def settle():
    """Let the writes just made reach the disk, so the next timing does not pay for them."""
    os.sync()
    time.sleep(0.5)


def write_floor(paths, scratch: Path) -> tuple:
    """(wall s, CPU s) to write the same bytes safely (temp file, fdatasync, rename; 16 threads)."""
    from concurrent.futures import ThreadPoolExecutor

    scratch.mkdir(exist_ok=True)

    def write(path):
        data = path.read_bytes()
        handle, temp = tempfile.mkstemp(dir=scratch, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fdatasync(out.fileno())
        os.replace(temp, scratch / path.name)

    start, cpu = time.perf_counter(), _cpu()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(write, paths))
    seconds = time.perf_counter() - start, _cpu() - cpu
    shutil.rmtree(scratch)
    return seconds


def naive_round_trip(paths) -> tuple:
    """(wall s, CPU s, files changed) for BeautifulSoup(html.parser) parse and re-serialise."""
    from bs4 import BeautifulSoup

    start, cpu, damaged = time.perf_counter(), _cpu(), 0
    for path in paths:
        data = path.read_bytes()
        soup = BeautifulSoup(data, "html.parser")
        encoding = soup.original_encoding or "utf-8"
        if soup.encode(encoding) != data:
            damaged += 1
    return time.perf_counter() - start, _cpu() - cpu, damaged


def peak_memory(command: list) -> int:
    """Peak traced Python memory in bytes for one in-process run (one process: --jobs 1)."""
    tracemalloc.start()
    run_cli(*command, "--jobs", "1")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def peak_rss(command: list) -> tuple:
    """(command line process, largest worker) peak resident memory in MB, in a fresh process.

    VmHWM is read from /proc because ru_maxrss would carry over this process's own size across
    the exec of the child.
    """
    code = (
        "import resource, sys, contextlib, io\n"
        "from injector.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(sys.argv[1:])\n"
        "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1]\n"
        "print(hwm, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run([sys.executable, "-c", code, *map(str, command)], capture_output=True, text=True,
                          cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)), check=True)
    parent, child = done.stdout.split()
    return int(parent) / 1024, int(child) / 1024


def main(argv=None):
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--naive-files", type=int, default=200, help="BeautifulSoup is slow: a sample")
    parser.add_argument("--runs", type=int, default=3)
    add_machine_args(parser)
    args = parser.parse_args(argv)
    check_machine(args)
    with tempfile.TemporaryDirectory(prefix="injector-bench-") as tmp:
        report(Path(tmp), args)


def report(tmp, args):
    """Build the folders, time every command, print the figures."""
    folder = tmp / "templates"
    total = make_folder(folder, args.files)
    mb = total / 1e6
    pristine = {p.name: p.read_bytes() for p in folder.iterdir()}
    apply = ["apply", folder, "--store", STORE, "--server", SERVER]
    print(f"folder: {args.files} templates, {mb:.1f} MB (MB/s counts the folder's bytes as read);"
          f" median of {args.runs} runs; python {sys.version.split()[0]};"
          f" {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start")

    runs = {"apply": [], "dry-run": [], "dry-run injected": [], "status": [], "remove": [], "floor": []}
    for _ in range(args.runs):
        runs["floor"].append(write_floor(sorted(folder.iterdir()), tmp / "scratch"))
        settle()
        runs["dry-run"].append(run_cli(*apply, "--dry-run"))
        runs["apply"].append(run_cli(*apply))
        injected_mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        settle()
        runs["dry-run injected"].append(run_cli(*apply, "--dry-run"))
        runs["status"].append(run_cli("status", folder))
        runs["remove"].append(run_cli("remove", folder))
        settle()
    restored = all(p.read_bytes() == pristine[p.name] for p in folder.iterdir())
    del pristine

    sample = sorted(folder.iterdir())[: args.naive_files]
    sample_mb = sum(p.stat().st_size for p in sample) / 1e6
    naive_runs = [naive_round_trip(sample) for _ in range(args.runs)]
    runs["naive"] = [(wall, cpu) for wall, cpu, _ in naive_runs]
    damaged = naive_runs[0][2]
    wall = {name: statistics.median(w for w, _ in values) for name, values in runs.items()}
    cpu = {name: statistics.median(c for _, c in values) for name, values in runs.items()}

    print(f"  {'':<44} {'wall s':>8} {'MB/s':>8} {'files/s':>8}   {'CPU s':>7} {'MB/CPU-s':>9}")
    labels = {
        "apply": "apply (atomic writes, fsync)",
        "dry-run": "apply --dry-run (read, classify, plan)",
        "dry-run injected": "apply --dry-run on the injected folder",
        "status": "status on the injected folder",
        "remove": "remove (atomic writes, fsync)",
        "floor": "baseline: same bytes, temp+fdatasync+rename",
        "naive": f"naive BeautifulSoup round trip ({len(sample)} files)",
    }
    for name, label in labels.items():
        size, count = {"naive": (sample_mb, len(sample)), "dry-run injected": (injected_mb, args.files),
                       "status": (injected_mb, args.files)}.get(name, (mb, args.files))
        print(f"  {label:<44} {wall[name]:8.3f} {size / wall[name]:8.1f} {count / wall[name]:8.0f}"
              f"   {cpu[name]:7.3f} {size / cpu[name]:9.1f}")
    naive_rate = sample_mb / wall["naive"]
    print("ratios (wall clock, same run):")
    print(f"  dry-run vs naive round trip            {mb / wall['dry-run'] / naive_rate:8.1f}x faster")
    print(f"  apply vs dry-run                       {wall['dry-run'] / wall['apply']:8.2f}x the speed")
    print(f"  apply vs the safe-write floor          {wall['floor'] / wall['apply']:8.2f}x the speed")
    print(f"  status vs dry-run (injected folder)    {wall['dry-run injected'] / wall['status']:8.2f}x the speed")
    print(f"naive round trip changed {damaged} of {len(sample)} files without any edit")
    print(f"remove restored every file byte for byte: {restored}")

    small = tmp / "small"
    small_count = max(1, args.files // 4)
    make_folder(small, small_count)
    print("peak memory, small vs large folder:")
    for name, target in ((f"{small_count} files", small), (f"{args.files} files", folder)):
        commands = {
            "dry-run": ["apply", target, "--store", STORE, "--server", SERVER, "--dry-run"],
            "apply": ["apply", target, "--store", STORE, "--server", SERVER],
            "status": ["status", target],
        }
        traced = {key: peak_memory(command) / 1e6 for key, command in commands.items()}
        run_cli("remove", target)
        rss = {key: peak_rss(command) for key, command in commands.items()}
        run_cli("remove", target)
        print(f"  {name:<12} traced Python heap (tracemalloc, --jobs 1): "
              + "   ".join(f"{key} {value:5.1f} MB" for key, value in traced.items()))
        print(f"  {'':<12} peak RSS, command line process / largest worker: "
              + "   ".join(f"{key} {p:5.0f}/{c:3.0f} MB" for key, (p, c) in rss.items()))
    shutil.rmtree(small)
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
