"""What the benchmarks share: free ports, waiting for a server, gunicorn started as deploy/gunicorn.conf.py
says, wrk runs (optionally with a Lua script) read into figures, medians over interleaved runs, ratios
taken run by run, the server's CPU time per request, tables, and the machine's state: a benchmark
refuses to report figures when another job is using the machine."""
import atexit
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]

# Another job is running when the cores were more than this busy, on average, just before the start
# (the 1-minute load average lags by a minute, so it is printed but the decision reads /proc/stat).
BUSY_FRACTION = 0.25
SETTLE_SECONDS = 90  # how long to wait for the previous benchmark's processes to go


def add_machine_args(parser):
    """The flag that lets a benchmark run on a busy machine (its figures are then marked busy)."""
    parser.add_argument("--allow-busy", action="store_true",
                        help="measure even when another job is running (figures marked busy, ratios not comparable)")


def cpu_busy(seconds=3.0):
    """Fraction of all cores busy over ``seconds`` (from /proc/stat; iowait counts as idle)."""
    def sample():
        with open("/proc/stat") as stat:
            values = [int(v) for v in stat.readline().split()[1:]]
        return sum(values), values[3] + values[4]
    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def machine_line(when, busy=None):
    """'machine at start: 2 cores, load average 0.03 0.10 0.05[, cores 2% busy]'."""
    loads = " ".join(f"{v:.2f}" for v in os.getloadavg())
    extra = f", cores {busy:.0%} busy over 3 s" if busy is not None else ""
    return f"machine at {when}: {os.cpu_count()} cores, load average {loads}{extra}"


def check_machine(args):
    """Print the machine's state; refuse (exit 3) when another job is running, unless --allow-busy.
    The state at the end is printed when the benchmark exits."""
    deadline = time.time() + SETTLE_SECONDS
    busy = cpu_busy()
    while busy > BUSY_FRACTION and time.time() < deadline:
        busy = cpu_busy()
    print(machine_line("start", busy), flush=True)
    atexit.register(lambda: print(machine_line("end"), flush=True))
    if busy > BUSY_FRACTION:
        if not getattr(args, "allow_busy", False):
            print(f"refused: another job is using the machine ({busy:.0%} of the cores busy before the start); "
                  "figures and ratios would not be comparable. Run on a quiet machine, or pass --allow-busy.",
                  flush=True)
            sys.exit(3)
        print("BUSY MACHINE: another job was running at the start; these figures are not comparable.", flush=True)
    return busy


def free_port():
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url, timeout=30):
    """GET ``url`` until it answers (2xx); returns the body."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s")


class Run(NamedTuple):
    """One wrk run: requests/s, p50 and p99 latency (ms), answers not 2xx/3xx, requests made."""

    rps: float
    p50: float
    p99: float
    bad: int
    requests: int


def wrk(url, duration, connections, headers=(), script=None, threads=2):
    """Run wrk; returns a Run."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url]
    for header in headers:
        command += ["-H", header]
    if script:
        command += ["-s", str(script)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return Run(rps, _ms(latency["50"]), _ms(latency["99"]), int(errors.group(1)) if errors else 0, requests)


def _processes():
    """{pid: (parent pid, CPU clock ticks used)} for every live process, from /proc."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        table[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    return table


def process_tree(pid, table=None):
    """``pid`` and every live process descended from it."""
    table = _processes() if table is None else table
    tree, grew = {pid}, True
    while grew:
        grew = False
        for child, (parent, _) in table.items():
            if parent in tree and child not in tree:
                tree.add(child)
                grew = True
    return tree


def tree_cpu_seconds(pid):
    """CPU time (user + system, seconds) used so far by the live processes of the tree rooted at ``pid``
    (a server's master and its workers)."""
    table = _processes()
    return sum(table[member][1] for member in process_tree(pid, table) if member in table) / os.sysconf("SC_CLK_TCK")


def _ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def measure(cases, args, server_pid=None):
    """Run each case (name -> (url, headers) or (url, headers, lua script)) args.runs times,
    interleaved, and return medians per case, with each run's requests/s kept (``runs``) so that
    ratios can be taken run by run (``paired``). With ``server_pid``, the CPU time the server's
    process tree used during each run is read too: ``cpu_us``, microseconds per request (median)."""
    samples = {name: [] for name in cases}
    cpu = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, (url, headers, *script) in cases.items():
            before = tree_cpu_seconds(server_pid) if server_pid else None
            run = wrk(url, args.duration, args.connections, headers, *script)
            if server_pid:
                cpu[name].append(1e6 * (tree_cpu_seconds(server_pid) - before) / max(1, run.requests))
            samples[name].append(run)
    result = {}
    for name, runs in samples.items():
        result[name] = {
            "rps": statistics.median(r.rps for r in runs),
            "p50": statistics.median(r.p50 for r in runs),
            "p99": statistics.median(r.p99 for r in runs),
            "bad": sum(r.bad for r in runs),
            "runs": [r.rps for r in runs],
            "cpu_us": statistics.median(cpu[name]) if cpu[name] else None,
        }
    return result


def paired(result, case, baseline):
    """``case`` against ``baseline`` run by run (each run's requests/s over the baseline's in the same
    round of the interleaving): (median, lowest, highest). The machine drifts between rounds (two
    cores shared by server and load generator); a ratio taken within a round cancels most of it."""
    ratios = [a / b for a, b in zip(result[case]["runs"], result[baseline]["runs"], strict=True)]
    return statistics.median(ratios), min(ratios), max(ratios)


def ratio_line(result, case, baseline, label, target=None):
    """'label = 0.91 run by run (0.84-0.97; ratio of medians 0.90), 0.93 by the server's CPU per request':
    the last is the baseline's CPU time per request over the case's, the ratio the two would reach if
    the server's CPU alone bounded them."""
    middle, low, high = paired(result, case, baseline)
    line = (f"{label} = {middle:.2f} run by run ({low:.2f}-{high:.2f}; "
            f"ratio of medians {result[case]['rps'] / result[baseline]['rps']:.2f})")
    if result[case]["cpu_us"] and result[baseline]["cpu_us"]:
        line += f", {result[baseline]['cpu_us'] / result[case]['cpu_us']:.2f} by the server's CPU per request"
    if target is not None:
        line += f" (target >= {target})"
    return line


def print_table(title, result):
    """Print medians per case (and the server's CPU per request when measured)."""
    print(f"\n{title}")
    with_cpu = any(row.get("cpu_us") for row in result.values())
    cpu_head = f"{'server CPU us/req':>19}" if with_cpu else ""
    print(f"  {'case':<40}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx/3xx':>13}{cpu_head}")
    for name, row in result.items():
        cpu = f"{row['cpu_us']:>19.1f}" if with_cpu and row.get("cpu_us") else (f"{'-':>19}" if with_cpu else "")
        print(f"  {name:<40}{row['rps']:>10.0f}{row['p50']:>10.2f}{row['p99']:>10.2f}{row['bad']:>13}{cpu}")


def setup_store(instance, env=None):
    """Create a store in a fresh instance folder; returns (store key, environment for the app)."""
    env = dict(env or os.environ, TTC_INSTANCE_PATH=str(instance))
    out = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "store", "create", "--name", "Bench",
                          "--domain", "shop.example.com", "--country", "US", "--currency", "USD",
                          "--platform", "vtex-legacy", "--pixel-code", "C9Q2MJ3C77U4P674RPG0"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    return out.strip().splitlines()[-1], env


def start_gunicorn(env, port, app="pixel_bench_app:app"):
    """gunicorn with deploy/gunicorn.conf.py on 127.0.0.1:``port``, in its own process group."""
    command = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "deploy/gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}", "--pythonpath", f"{ROOT},{ROOT / 'bench'}", app]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def stop(process):
    """Stop a process group started here: SIGTERM, then SIGKILL after 15 s."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)
