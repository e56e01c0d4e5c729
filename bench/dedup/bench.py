"""Runs Rumbo, Splink and recordlinkage on the same files, one after another, and prints a table.

    python bench.py RUMBO_BINARY FILE.csv [FILE.csv ...]

Environment: DEDUP_TOOLS (default "rumbo,splink,recordlinkage") picks the tools; DEDUP_LIMIT
(seconds, default 1800) stops a tool that runs longer, which is then reported as not finished;
DEDUP_MAX_GB (default: no limit) stops a tool whose process tree holds more memory than that, so
that a peer cannot take a shared machine's memory from everyone else.

Each tool is its own process, started under /usr/bin/time; peak memory is the larger of the
maximum resident set /usr/bin/time reports and the resident set of the whole process tree polled
every 50 ms. Wall time is measured here around the process. The Python peers also report their
own time from reading the file to writing the clusters (imports excluded); the speed ratio uses
that, which favours the peers — Rumbo's figure is its whole process.
"""

import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import psutil

from evaluate import pairs, score

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = sys.executable


def tree_rss(proc):
    total = 0
    try:
        for p in [proc] + proc.children(recursive=True):
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return total


MAX_BYTES = float(os.environ.get("DEDUP_MAX_GB", "0")) * 2**30


def measure(cmd, log, limit):
    """Runs cmd; returns (status, wall seconds, peak bytes, last stdout line)."""
    timing = log + ".time"
    start = time.perf_counter()
    with open(log, "w") as err, open(log + ".out", "w") as out:
        child = subprocess.Popen(["/usr/bin/time", "-f", "%e %M", "-o", timing] + cmd, stdout=out, stderr=err,
                                 cwd=HERE, start_new_session=True)
        proc, peak, status = psutil.Process(child.pid), 0, "ok"
        while child.poll() is None:
            peak = max(peak, tree_rss(proc))
            if time.perf_counter() - start > limit:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
                status = "limit"
                break
            if MAX_BYTES and peak > MAX_BYTES:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
                status = "memory"
                break
            time.sleep(0.05)
    wall = time.perf_counter() - start
    if status == "ok" and child.returncode != 0:
        status = "failed"
    try:
        peak = max(peak, int(open(timing).read().split()[-1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    lines = open(log + ".out").read().strip().splitlines()
    return status, wall, peak, lines[-1] if lines else ""


def rumbo_has_dedup(binary):
    try:
        return subprocess.run([binary, "dedup", "--help"], capture_output=True, timeout=60).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def run_tool(tool, binary, path, work, limit):
    clusters = f"{work}/{tool}-clusters.csv"
    if tool == "rumbo":
        if not rumbo_has_dedup(binary):
            return dict(tool="Rumbo", status="unavailable",
                        note=f"{binary} has no `dedup` command (build the `link` branch's engine first)")
        cmd = [binary, "dedup", "--input", path, "--pairs-out", f"{work}/rumbo-pairs.csv", "--clusters-out", clusters]
    else:
        cmd = [PYTHON, f"peer_{tool}.py", path, clusters]
    if os.path.exists(clusters):
        os.remove(clusters)
    status, wall, peak, last = measure(cmd, f"{work}/{tool}.log", limit)
    result = dict(tool="Rumbo" if tool == "rumbo" else tool, status=status, wall=wall, peak=peak, seconds=wall)
    if tool == "rumbo":
        result["log"] = open(f"{work}/rumbo.log").read().strip()
    if tool != "rumbo" and status == "ok":
        reported = json.loads(last)
        result.update(tool=reported["tool"], seconds=reported["seconds"], pairs=reported["pairs"])
    if status == "ok":
        result.update(score(path, clusters))
    elif status == "limit":
        result["note"] = f"did not finish in {limit:.0f} s"
    elif status == "memory":
        result["note"] = f"stopped after {wall:.0f} s: over DEDUP_MAX_GB={MAX_BYTES / 2**30:g} GB of memory"
    else:
        result["note"] = f"failed; see {work}/{tool}.log"
    return result


def table(name, results):
    print(f"\n{name}")
    print(f"{'tool':<22}{'F1':>8}{'precision':>11}{'recall':>8}{'seconds':>10}{'process s':>11}{'peak MB':>9}")
    for r in results:
        if r["status"] != "ok":
            print(f"{r['tool']:<22}  {r['note']}")
            continue
        print(f"{r['tool']:<22}{r['f1']:>8.4f}{r['precision']:>11.4f}{r['recall']:>8.4f}{r['seconds']:>10.2f}"
              f"{r['wall']:>11.2f}{r['peak'] / 2**20:>9,.0f}")
        if r["missing"]:
            print(f"  ({r['missing']:,} records absent from {r['tool']}'s clusters, counted as persons of their own)")
    for r in results:
        if r["tool"] == "Rumbo" and r.get("log"):
            print("Rumbo's own report: " + " | ".join(r["log"].splitlines()[-8:]))
    by = {r["tool"].split()[0].lower(): r for r in results if r["status"] == "ok"}
    if "rumbo" in by:
        for peer in ("splink", "recordlinkage"):
            if peer in by:
                r, p = by["rumbo"], by[peer]
                print(f"Rumbo vs {p['tool']}: {p['seconds'] / r['seconds']:.1f}x faster, "
                      f"{p['peak'] / r['peak']:.1f}x less peak memory, F1 {r['f1']:.4f} vs {p['f1']:.4f}")


def main():
    binary, files = os.path.abspath(sys.argv[1]), sys.argv[2:]
    tools = os.environ.get("DEDUP_TOOLS", "rumbo,splink,recordlinkage").split(",")
    limit = float(os.environ.get("DEDUP_LIMIT", "1800"))
    load = open("/proc/loadavg").read().split()[0]
    print(f"machine: {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GB, load average {load} at the start")
    for path in files:
        path = os.path.abspath(path)
        name = os.path.splitext(os.path.basename(path))[0]
        work = os.path.join(os.path.dirname(path), f"run-{name}")
        os.makedirs(work, exist_ok=True)
        results = [run_tool(tool, binary, path, work, limit) for tool in tools]
        json.dump(results, open(f"{work}/results.json", "w"), indent=1)
        person = pd.read_csv(path, dtype=str, usecols=["person"])["person"]
        counts = person.value_counts()
        table(f"{name}: {len(person):,} records, {len(counts):,} persons, {(counts > 1).sum():,} registered more than once, "
              f"{pairs(counts):,} true pairs", results)


if __name__ == "__main__":
    main()
