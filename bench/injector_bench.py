"""Benchmark the template injector against a naive parse-and-re-serialise baseline.

    python bench/injector_bench.py [--files N] [--small-files N] [--naive-files N] [--runs N]

Builds a folder of generated VTEX legacy templates (about 40 KB each: head, scripts, comments,
controls; CRLF, ISO-8859-1 and awkward attribute values mixed in) in a temporary folder, then
prints medians of several runs: apply (read, classify, write atomically with fsync), --dry-run
(read, classify, plan), status on the injected folder, remove, and BeautifulSoup (html.parser)
parsing and re-serialising the same files, with how many files that round trip changes. apply and
remove are compared with the safe-write floor (FLOOR below: the injector's own read and write calls,
nothing examined) measured in the same runs, on that folder and on a folder of many small templates
(--small-files, about 2 KB each); the same rewrite made with Python's os calls (PLAIN_FLOOR) is
printed beside it for reference. The floor is also timed beside another process that reads and
tokenizes every file (BESIDE): on a machine whose cores the floor keeps busy, that is about as close
to the floor as any apply can come. Peak Python memory (tracemalloc) is measured for small and
large folders. Prints figures; asserts nothing.
"""
import argparse
import contextlib
import os
import random
import shutil
import stat
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from _harness import add_machine_args, check_machine  # noqa: E402
from injector import files  # noqa: E402
from injector.cli import main as injector  # noqa: E402
from injector.scan import scan  # noqa: E402
from injector.writer import Writer  # noqa: E402

try:
    from injector._fastscan import scan_exact, scan_fast
except ImportError:  # built without a C compiler: the Python tokenizers, through scan()
    scan_exact = scan_fast = None

STORE, SERVER = "bench_store", "https://connector.example.com"
TARGET_BYTES, SMALL_BYTES = 40_000, 2_000
WRITE_THREADS = 16  # the plain floor: as many writes in flight as the injector keeps
FLOOR = ("the same files rewritten safely with the injector's own read and write calls (injector.files.read,"
         " then injector.writer.Writer: a hidden temp file in the folder, its mode, fdatasync, rename, 16 at a time"
         " on _fastio's native threads where it is built), then fsync the folder once; nothing examined or"
         " planned; on a copy of the folder made before the first run, rewritten again each run as the"
         " injector rewrites its folder")
BESIDE = ("the floor again, while another process reads every file of the folder and runs the compiled"
          " tokenizer over it (the least examining an apply can do: it must find each file's real </head>"
          " and marker blocks before writing); floor alone / floor beside it is about the most apply / floor"
          " can reach on this machine, whatever the design: apply does that work and more")
PLAIN_FLOOR = ("the same rewrite with Python's os calls (open, read, mkstemp, write, fchmod, fdatasync, rename),"
               " 16 threads: each call lets go of the interpreter lock and takes it back")


def make_template(index: int, target_bytes: int = TARGET_BYTES) -> bytes:
    """One realistic legacy template of about ``target_bytes`` (40 KB by default)."""
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
    body = [f'  <body class="{kind}">', '    <vtex:template id="header" />', f"    {control}"]
    size, n = sum(len(line) + 1 for line in head + body), 0
    while size < target_bytes - 300:
        n += 1
        roll = rng.random()
        if roll < 0.05:
            push = f'dataLayer.push({{"event": "x", "i": {n}}});'
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


def make_folder(root: Path, count: int, target_bytes: int = TARGET_BYTES) -> int:
    """Write ``count`` templates into root; returns the total bytes."""
    root.mkdir(parents=True)
    total = 0
    for index in range(count):
        data = make_template(index, target_bytes)
        (root / f"template-{index:05}.html").write_bytes(data)
        total += len(data)
    return total


def run_cli(*args) -> tuple:
    """(wall seconds, CPU seconds incl. worker processes) of one in-process command line run."""
    # To /dev/null, not a StringIO: the traced heap (peak_memory) must not count the table kept here.
    start, cpu = time.perf_counter(), _cpu()
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        injector([str(a) for a in args])
    return time.perf_counter() - start, _cpu() - cpu


def _cpu():
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def settle():
    """Let the writes just made reach the disk, so the next timing does not pay for them."""
    os.sync()
    time.sleep(0.5)


def write_floor(scratch: Path) -> tuple:
    """(wall s, CPU s) of the safe-write floor over a copy of the folder: see FLOOR.

    The copy is made once and rewritten each run: deleting it after every run would have the disk
    discarding its blocks while the next command runs.
    """
    start, cpu = time.perf_counter(), _cpu()
    writer, problems = Writer(), []
    for token, path in enumerate(sorted(str(path) for path in scratch.iterdir())):
        data, signature = files.read(path, files.Selection().max_bytes)
        writer.submit(token, path, data, signature)
        problems += [problem for _token, problem in writer.finished() if problem]
    problems += [problem for _token, problem in writer.close() if problem]  # and the folder's fsync
    if problems:
        raise RuntimeError(f"the floor could not rewrite its copy: {problems[0]}")
    return time.perf_counter() - start, _cpu() - cpu


def write_plain_floor(scratch: Path) -> tuple:
    """(wall s, CPU s) of the same rewrite made with Python's os calls: see PLAIN_FLOOR."""
    def rewrite(path):
        with open(path, "rb") as source:
            mode = stat.S_IMODE(os.fstat(source.fileno()).st_mode)
            data = source.read()
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fchmod(out.fileno(), mode)
            os.fdatasync(out.fileno())
        os.replace(temp, path)

    start, cpu = time.perf_counter(), _cpu()
    with ThreadPoolExecutor(WRITE_THREADS) as pool:
        list(pool.map(rewrite, sorted(scratch.iterdir())))
    handle = os.open(scratch, os.O_RDONLY)
    os.fsync(handle)
    os.close(handle)
    return time.perf_counter() - start, _cpu() - cpu


def floor_beside_scan(scratch: Path, folder: Path) -> tuple:
    """(wall s until both are done, the floor's CPU s) of the floor over ``scratch`` while another
    process reads and tokenizes every file of ``folder``: see BESIDE. The other process is started
    and ready before the clock starts, so its interpreter's start is not timed."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from injector_bench import scan_all;"
            " print('ready', flush=True); sys.stdin.readline(); print(scan_all(sys.argv[2]))")
    with subprocess.Popen([sys.executable, "-c", code, str(REPO / "bench"), str(folder)], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True, cwd=REPO) as other:
        if other.stdout.readline().strip() != "ready":
            raise RuntimeError("the tokenizing process did not start")
        start = time.perf_counter()
        other.stdin.write("go\n")
        other.stdin.flush()
        _, cpu = write_floor(scratch)
        scanned = other.stdout.read()
        wall = time.perf_counter() - start
    if other.returncode or not scanned.strip():
        raise RuntimeError("the tokenizing process failed")
    return wall, cpu


def scan_all(folder) -> int:
    """Read every file of ``folder`` and tokenize it (compiled where built): returns the file count."""
    names = sorted(os.listdir(folder))
    for name in names:
        data, _ = files.read(os.path.join(folder, name), files.Selection().max_bytes)
        if scan_fast is None:
            scan(data)
        elif scan_fast(data) is None:
            scan_exact(data)
    return len(names)


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
        "import resource, sys, contextlib, os\n"
        "from injector.cli import main\n"
        "with open(os.devnull, 'w') as sink, contextlib.redirect_stdout(sink):\n"
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
    parser.add_argument("--small-files", type=int, default=20000, help="a folder of small templates too (0: none)")
    parser.add_argument("--naive-files", type=int, default=200, help="BeautifulSoup is slow: a sample")
    parser.add_argument("--runs", type=int, default=5)
    add_machine_args(parser)
    args = parser.parse_args(argv)
    check_machine(args)
    print(f"python {sys.version.split()[0]}; medians of {args.runs} runs; MB/s counts the folder's bytes as read")
    print(f"safe-write floor: {FLOOR}")
    print(f"floor beside a read + tokenize: {BESIDE}")
    print(f"plain floor, for reference: {PLAIN_FLOOR}")
    print(f"injector read and write calls compiled (_fastio): {files._fastio is not None};"
          f" tokenizer compiled (_fastscan): {scan_fast is not None}")
    with tempfile.TemporaryDirectory(prefix="injector-bench-") as tmp:
        report(Path(tmp), args)


def report(tmp, args):
    """Build the folders, time every command, print the figures."""
    folder, small = tmp / "templates", tmp / "small"
    large_mb = make_folder(folder, args.files) / 1e6
    print(f"\nfolder: {args.files} templates of about {TARGET_BYTES // 1000} KB, {large_mb:.1f} MB")
    wall, cpu, injected_mb, restored = time_folder(folder, tmp, args.runs, full=True)
    wall["naive"], cpu["naive"], sample_mb, damaged = time_naive(folder, args)
    sizes = {"naive": (sample_mb, args.naive_files), "dry-run injected": (injected_mb, args.files),
             "status": (injected_mb, args.files)}
    print_table(wall, cpu, sizes, (large_mb, args.files), args.naive_files)
    print("ratios (wall clock, same runs):")
    print(f"  dry-run vs naive round trip            {large_mb / wall['dry-run'] / (sample_mb / wall['naive']):8.1f}x"
          " faster")
    print(f"  apply vs dry-run                       {wall['dry-run'] / wall['apply']:8.2f}x the speed")
    print_floor_ratios(wall)
    print(f"  status vs dry-run (injected folder)    {wall['dry-run injected'] / wall['status']:8.2f}x the speed")
    print(f"naive round trip changed {damaged} of {args.naive_files} files without any edit")
    print(f"remove restored every file byte for byte: {restored}")
    if args.small_files:
        small_mb = make_folder(small, args.small_files, SMALL_BYTES) / 1e6
        print(f"\nfolder: {args.small_files} small templates of about {SMALL_BYTES // 1000} KB, {small_mb:.1f} MB")
        wall, cpu, _, restored = time_folder(small, tmp, args.runs, full=False)
        print_table(wall, cpu, {}, (small_mb, args.small_files), 0)
        print("ratios (wall clock, same runs):")
        print_floor_ratios(wall)
        print(f"remove restored every file byte for byte: {restored}")
    print_memory(tmp, folder, small, args)


def time_folder(folder, tmp, runs, full):
    """Medians (wall, CPU) per command over interleaved runs; plus the injected size and whether
    remove restored every byte."""
    pristine = {p.name: p.read_bytes() for p in folder.iterdir()}
    apply = ["apply", folder, "--store", STORE, "--server", SERVER]
    names = ["floor", "floor beside", "plain floor", "apply", "remove"]
    names += ["dry-run", "dry-run injected", "status"] if full else []
    samples = {name: [] for name in names}
    scratch = shutil.copytree(folder, tmp / "scratch")
    settle()
    for run in range(runs):
        # The floor goes before apply in even runs and before remove in odd ones: whatever the disk
        # is still doing after a burst of writes falls on each of them alike.
        if run % 2 == 0:
            samples["floor"].append(write_floor(scratch))
            settle()
            samples["plain floor"].append(write_plain_floor(scratch))
            settle()
            samples["floor beside"].append(floor_beside_scan(scratch, folder))
            settle()
        if full:
            samples["dry-run"].append(run_cli(*apply, "--dry-run"))
        samples["apply"].append(run_cli(*apply))
        injected_mb = sum(p.stat().st_size for p in folder.iterdir()) / 1e6
        settle()
        if run % 2 == 1:
            samples["plain floor"].append(write_plain_floor(scratch))
            settle()
            samples["floor"].append(write_floor(scratch))
            settle()
            samples["floor beside"].append(floor_beside_scan(scratch, folder))
            settle()
        if full:
            samples["dry-run injected"].append(run_cli(*apply, "--dry-run"))
            samples["status"].append(run_cli("status", folder))
        samples["remove"].append(run_cli("remove", folder))
        settle()
    shutil.rmtree(scratch)
    settle()
    restored = all(p.read_bytes() == pristine[p.name] for p in folder.iterdir())
    wall = {name: statistics.median(w for w, _ in values) for name, values in samples.items()}
    cpu = {name: statistics.median(c for _, c in values) for name, values in samples.items()}
    return wall, cpu, injected_mb, restored


def time_naive(folder, args):
    """(median wall s, median CPU s, MB, files changed) of the BeautifulSoup round trip on a sample."""
    sample = sorted(folder.iterdir())[: args.naive_files]
    sample_mb = sum(p.stat().st_size for p in sample) / 1e6
    runs = [naive_round_trip(sample) for _ in range(args.runs)]
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs), sample_mb, runs[0][2])


LABELS = {
    "apply": "apply (atomic writes, fsync)",
    "dry-run": "apply --dry-run (read, classify, plan)",
    "dry-run injected": "apply --dry-run on the injected folder",
    "status": "status on the injected folder",
    "remove": "remove (atomic writes, fsync)",
    "floor": "safe-write floor (see above)",
    "floor beside": "floor beside a read + tokenize (see above)",
    "plain floor": "plain floor, Python os calls (see above)",
    "naive": "naive BeautifulSoup round trip ({} files)",
}


def print_table(wall, cpu, sizes, folder_size, naive_files):
    """One line per command: wall s, MB/s, files/s, CPU s, MB per CPU second."""
    print(f"  {'':<44} {'wall s':>8} {'MB/s':>8} {'files/s':>8}   {'CPU s':>7} {'MB/CPU-s':>9}")
    for name, label in LABELS.items():
        if name not in wall:
            continue
        size, count = sizes.get(name, folder_size)
        print(f"  {label.format(naive_files):<44} {wall[name]:8.3f} {size / wall[name]:8.1f}"
              f" {count / wall[name]:8.0f}   {cpu[name]:7.3f} {size / cpu[name]:9.1f}")


def print_floor_ratios(wall):
    """apply and remove against the safe-write floor measured in the same runs (target >= 0.9)."""
    print(f"  apply vs the safe-write floor          {wall['floor'] / wall['apply']:8.2f}x the speed")
    print(f"  remove vs the safe-write floor         {wall['floor'] / wall['remove']:8.2f}x the speed")
    print(f"  apply vs the plain floor (reference)   {wall['plain floor'] / wall['apply']:8.2f}x the speed")
    print(f"  floor beside a read + tokenize         {wall['floor'] / wall['floor beside']:8.2f}x the floor's speed"
          " (about the most apply can reach)")


def print_memory(tmp, folder, small, args):
    """Peak memory of dry-run, apply and status as the folder grows (flat: the last at most 1.5x the first)."""
    base = tmp / "base"
    make_folder(base, 500, SMALL_BYTES if args.small_files else TARGET_BYTES)
    folders = [("500 files", base), (f"{args.files} files", folder)]
    if args.small_files:
        folders.append((f"{args.small_files} small", small))
    print("\npeak memory as the folder grows (traced heap: tracemalloc, --jobs 1; RSS in a fresh process):")
    heaps = {}
    for name, target in folders:
        commands = {
            "dry-run": ["apply", target, "--store", STORE, "--server", SERVER, "--dry-run"],
            "apply": ["apply", target, "--store", STORE, "--server", SERVER],
            "status": ["status", target],
        }
        heaps[name] = traced = {key: peak_memory(command) / 1e6 for key, command in commands.items()}
        run_cli("remove", target)
        rss = {key: peak_rss(command) for key, command in commands.items()}
        run_cli("remove", target)
        print(f"  {name:<12} traced heap: " + "   ".join(f"{key} {value:5.2f} MB" for key, value in traced.items()))
        print(f"  {'':<12} peak RSS, command line process / largest worker: "
              + "   ".join(f"{key} {p:5.0f}/{c:3.0f} MB" for key, (p, c) in rss.items()))
    last = folders[-1][0]
    print(f"  traced heap at {last} / at 500 files: "
          + "   ".join(f"{key} {heaps[last][key] / heaps['500 files'][key]:.2f}x" for key in heaps[last]))


if __name__ == "__main__":
    main()
