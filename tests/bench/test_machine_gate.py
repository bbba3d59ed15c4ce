"""The benchmarks refuse to report figures when another job is using the machine."""
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_gate(*flags, busy_fraction):
    """Run the harness gate in a child process whose /proc/stat reading is replaced by a fixed figure."""
    script = textwrap.dedent(f"""
        import argparse, sys
        sys.path.insert(0, {str(ROOT / 'bench')!r})
        import _harness
        _harness.cpu_busy = lambda seconds=3.0: {busy_fraction}
        _harness.SETTLE_SECONDS = 0
        parser = argparse.ArgumentParser()
        _harness.add_machine_args(parser)
        _harness.check_machine(parser.parse_args({list(flags)!r}))
        print("measuring")
    """)
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)


def test_a_busy_machine_is_refused_and_says_why():
    result = run_gate(busy_fraction=0.9)
    assert result.returncode == 3
    assert "refused: another job is using the machine (90% of the cores busy" in result.stdout
    assert "measuring" not in result.stdout
    assert "machine at start:" in result.stdout and "load average" in result.stdout


def test_allow_busy_measures_and_marks_the_figures():
    result = run_gate("--allow-busy", busy_fraction=0.9)
    assert result.returncode == 0
    assert "BUSY MACHINE" in result.stdout and "measuring" in result.stdout


def test_a_quiet_machine_measures_and_prints_its_state_at_both_ends():
    result = run_gate(busy_fraction=0.02)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("machine at start:") and "cores 2% busy" in lines[0]
    assert lines[1] == "measuring"
    assert lines[2].startswith("machine at end:")


def test_cpu_busy_reads_the_real_counters():
    sys.path.insert(0, str(ROOT / "bench"))
    import _harness
    fraction = _harness.cpu_busy(0.2)
    assert 0.0 <= fraction <= 1.0
