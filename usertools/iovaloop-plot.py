#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
Turn iovaloop's JSON reports (iovaloop ... -- --json FILE) and the CSV of
bench/verify_speed.sh into PNG figures:

  PREFIXlatency.png   the latency distribution (the reports' histogram
                      buckets): share of frames per bucket, and the share
                      of frames slower than a latency (log scales)
  PREFIXtimeline.png  RX Mpps over the run, one point per --stats-period
                      (the report's timeline), and errors so far if any
  PREFIXqueues.png    RX Mpps and frames verified per port and queue
  PREFIXsweep.png     the verify-speed sweep (--sweep): Gb/s (L2) per frame
                      size and program, and the ratio to memcpy

Several reports are overlaid on one figure, with their file names in the
legend. Needs python3 and python3-matplotlib (Debian's); draws with the
Agg backend, no display. Exit status: 0 figures written, 2 bad options
or bad input (one line naming the file and what is wrong), 3 matplotlib
missing.
"""

import argparse
import csv
import json
import math
import os
import sys

PROG = os.path.basename(sys.argv[0])
FORMAT = "iovaloop-report"
FORMAT_VERSION = 2
FIGURES = ("latency", "timeline", "queues", "sweep")
# Columns of bench/verify_speed.sh's CSV the sweep needs (others are read
# when present: mpps, ratio_memcpy, inflight, status, payload_variant).
SWEEP_COLUMNS = ("size", "program", "gbps_l2")
PROGRAM_NAMES = {
    "memcpy": "glibc memcpy",
    "iovaloop-full": "iovaloop --verify full",
    "iovaloop-header": "iovaloop --verify header",
    "iovaloop-none": "iovaloop --verify none",
    "testpmd-io": "testpmd io",
    "testpmd-macswap": "testpmd macswap",
}


class BadInput(Exception):
    """One line: what is wrong with the file (the caller names it)."""


def fail(path, what):
    print(f"{PROG}: {path}: {what}", file=sys.stderr)
    sys.exit(2)


def note(msg):
    print(f"{PROG}: {msg}", file=sys.stderr)


def is_num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def check_type(value, kind, where):
    ok = {
        "object": isinstance(value, dict),
        "array": isinstance(value, list),
        "number": is_num(value),
        "integer": isinstance(value, int) and not isinstance(value, bool),
    }[kind]
    if not ok:
        raise BadInput(f"malformed iovaloop report: {where} is not {'an' if kind[0] in 'aeiou' else 'a'} {kind}")
    return value


def check_latency(lat, where):
    check_type(lat, "object", where)
    buckets = check_type(lat.get("buckets"), "array", where + ".buckets")
    for i, b in enumerate(buckets):
        w = f"{where}.buckets[{i}]"
        if not (isinstance(b, list) and len(b) == 3 and all(is_num(x) for x in b)):
            raise BadInput(f"malformed iovaloop report: {w} is not [low_ns, high_ns, count]")
        if b[1] < b[0] or b[2] < 0:
            raise BadInput(f"malformed iovaloop report: {w} is not [low_ns, high_ns, count]")


def load_report(path):
    """The report of PATH, checked for what the figures read."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise BadInput(f"cannot read: {e.strerror}")
    except UnicodeDecodeError:
        raise BadInput("not JSON: not UTF-8 text")
    try:
        r = json.loads(text)
    except json.JSONDecodeError as e:
        raise BadInput(f"not JSON: {e.msg} at line {e.lineno} column {e.colno}")
    if not isinstance(r, dict):
        raise BadInput(f"not an iovaloop report: a JSON {type(r).__name__.replace('list', 'array')}, not an object")
    if "format" not in r:
        if all(k in r for k in ("config", "ports", "totals")):
            raise BadInput("a report from an older iovaloop (format 1): it has no "
                           "\"format\"; re-run it with this iovaloop")
        raise BadInput("not an iovaloop report: no \"format\" field")
    if r["format"] != FORMAT:
        raise BadInput(f"not an iovaloop report: format {json.dumps(r['format'])}, not \"{FORMAT}\"")
    if r.get("format_version") != FORMAT_VERSION:
        raise BadInput(f"iovaloop report of format version {json.dumps(r.get('format_version'))}; "
                       f"{PROG} reads version {FORMAT_VERSION}")
    check_type(r.get("config"), "object", "config")
    check_latency(r.get("latency_ns"), "latency_ns")
    timeline = r.get("timeline", [])
    check_type(timeline, "array", "timeline")
    for i, s in enumerate(timeline):
        check_type(s, "object", f"timeline[{i}]")
        for k in ("t", "rx_mpps"):
            check_type(s.get(k), "number", f"timeline[{i}].{k}")
    for i, p in enumerate(check_type(r.get("ports"), "array", "ports")):
        check_type(p, "object", f"ports[{i}]")
        check_type(p.get("port"), "integer", f"ports[{i}].port")
        for j, q in enumerate(check_type(p.get("queues"), "array", f"ports[{i}].queues")):
            w = f"ports[{i}].queues[{j}]"
            check_type(q, "object", w)
            check_type(q.get("queue"), "integer", w + ".queue")
            check_type(q.get("rx_mpps"), "number", w + ".rx_mpps")
            check_type(q.get("verified"), "integer", w + ".verified")
    return r


def load_sweep(path):
    """Rows of bench/verify_speed.sh's CSV: size, program, gbps_l2, ..."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
            fields = rows[0].keys() if rows else []
    except OSError as e:
        raise BadInput(f"cannot read: {e.strerror}")
    except (UnicodeDecodeError, csv.Error) as e:
        raise BadInput(f"not CSV: {e}")
    if not rows:
        raise BadInput("no rows: not a verify-speed CSV (bench/verify_speed.sh)")
    missing = [c for c in SWEEP_COLUMNS if c not in fields]
    if missing:
        raise BadInput(f"not a verify-speed CSV (bench/verify_speed.sh): no column {', '.join(missing)}")
    out = []
    for n, row in enumerate(rows, start=2):
        try:
            size = int(row["size"])
            gbps = float(row["gbps_l2"]) if row["gbps_l2"] else None
            ratio = float(row["ratio_memcpy"]) if row.get("ratio_memcpy") else None
            mpps = float(row["mpps"]) if row.get("mpps") else None
        except (TypeError, ValueError):
            raise BadInput(f"line {n}: size, gbps_l2, mpps and ratio_memcpy must be numbers")
        if size <= 0 or not row["program"]:
            raise BadInput(f"line {n}: no program or a size that is not positive")
        out.append({"size": size, "program": row["program"], "gbps_l2": gbps,
                    "mpps": mpps, "ratio_memcpy": ratio})
    return out


def labels(paths):
    """File names for the legend; whole paths where two names are the same."""
    names = [os.path.basename(p) for p in paths]
    return [p if names.count(n) > 1 else n for p, n in zip(paths, names)]


def describe(r):
    c = r["config"]
    bits = []
    if "pkt_size" in c:
        bits.append(f"{c['pkt_size']} B")
    if "verify" in c:
        bits.append(f"verify {c['verify']}")
    if c.get("payload_variant") and c.get("verify") == "full":
        bits.append(c["payload_variant"])
    return ", ".join(str(b) for b in bits)


def fig_latency(plt, reports):
    drawn = 0
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2))
    for label, r in reports:
        lat = r["latency_ns"]
        buckets = lat["buckets"]
        total = sum(b[2] for b in buckets)
        if total == 0:
            note(f"{label}: no latency samples (--verify none?): not in the latency figure")
            continue
        edges, shares = [buckets[0][0]], []
        for low, high, count in buckets:
            if low > edges[-1]:           # empty buckets between: a gap at 0
                shares.append(0.0)
                edges.append(low)
            shares.append(100.0 * count / total)
            edges.append(max(high, low))
        name = f"{label} ({describe(r)})"
        if is_num(lat.get("p50")) and is_num(lat.get("p99")):
            name += f": p50 {lat['p50']:.0f}, p99 {lat['p99']:.0f} ns"
        line = ax1.stairs(shares, edges, label=name, linewidth=1.3)
        # Share of frames slower than each bucket's top edge.
        xs, ys, above = [], [], total
        for low, high, count in buckets:
            above -= count
            if above > 0:
                xs.append(high)
                ys.append(100.0 * above / total)
        ax2.step([buckets[0][0]] + xs, [100.0] + ys, where="post",
                 color=line.get_edgecolor(), linewidth=1.3)
        drawn += 1
    if not drawn:
        plt.close(fig)
        return 0
    ax1.set_xscale("log")
    ax1.set_xlabel("latency, TX stamp to reception (ns)")
    ax1.set_ylabel("frames in the bucket (%)")
    ax1.set_title("latency distribution")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("latency (ns)")
    ax2.set_ylabel("frames slower (%)")
    ax2.set_title("tail: frames slower than x")
    for ax in (ax1, ax2):
        ax.grid(True, which="major", alpha=0.3)
    fig.legend(loc="lower center", ncol=1, fontsize="small", frameon=False)
    fig.tight_layout(rect=(0, 0.045 * (drawn + 1), 1, 1))
    return fig


def fig_timeline(plt, reports):
    series = []
    for label, r in reports:
        tl = r.get("timeline") or []
        if not tl:
            note(f"{label}: no timeline (--stats-period 0?): not in the timeline figure")
            continue
        series.append((label, r, tl))
    if not series:
        return 0
    with_errors = any(s.get("errors", 0) for _, _, tl in series for s in tl)
    fig, axes = plt.subplots(2 if with_errors else 1, 1, figsize=(8, 5.2 if with_errors else 4),
                             sharex=True, squeeze=False)
    ax = axes[0][0]
    for label, r, tl in series:
        ax.plot([s["t"] for s in tl], [s["rx_mpps"] for s in tl], marker="o", markersize=3,
                linewidth=1.3, label=f"{label} ({describe(r)})")
        if with_errors:
            axes[1][0].plot([s["t"] for s in tl], [s.get("errors", 0) for s in tl],
                            linewidth=1.3)
    ax.set_ylabel("RX Mpps (all ports)")
    ax.set_ylim(bottom=0)
    ax.set_title("throughput over the run")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    if with_errors:
        axes[1][0].set_ylabel("errors so far")
        axes[1][0].grid(True, alpha=0.3)
    axes[-1][0].set_xlabel("time since the start (s)")
    fig.tight_layout()
    return fig


def fig_queues(plt, reports):
    keys = []
    for _, r in reports:
        for p in r["ports"]:
            for q in p["queues"]:
                if (p["port"], q["queue"]) not in keys:
                    keys.append((p["port"], q["queue"]))
    if not keys:
        for label, _ in reports:
            note(f"{label}: no port queues: no queue figure")
        return 0
    keys.sort()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    n = len(reports)
    width = 0.8 / n
    for i, (label, r) in enumerate(reports):
        by_key = {(p["port"], q["queue"]): q for p in r["ports"] for q in p["queues"]}
        xs = [k + (i - (n - 1) / 2) * width for k in range(len(keys))]
        mpps = [by_key[k]["rx_mpps"] if k in by_key else 0 for k in keys]
        verified = [by_key[k]["verified"] / 1e6 if k in by_key else 0 for k in keys]
        ax1.bar(xs, mpps, width, label=f"{label} ({describe(r)})")
        ax2.bar(xs, verified, width)
    names = [f"port {p}\nqueue {q}" for p, q in keys]
    for ax, title, ylabel in ((ax1, "RX per queue", "RX Mpps"),
                              (ax2, "verified per queue", "frames verified (millions)")):
        ax.set_xticks(range(len(keys)))
        ax.set_xticklabels(names, fontsize="small")
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.grid(True, axis="y", alpha=0.3)
    fig.legend(loc="lower center", fontsize="small", frameon=False)
    fig.tight_layout(rect=(0, 0.045 * (n + 1), 1, 1))
    return fig


def fig_sweep(plt, sweeps):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2))
    styles = ["-", "--", ":", "-."]
    programs = []
    for _, rows in sweeps:
        for row in rows:
            if row["program"] not in programs:
                programs.append(row["program"])
    colors = {p: f"C{i % 10}" for i, p in enumerate(programs)}
    sizes = sorted({row["size"] for _, rows in sweeps for row in rows})
    for n, (label, rows) in enumerate(sweeps):
        for prog in programs:
            pts = sorted((row["size"], row["gbps_l2"], row["ratio_memcpy"])
                         for row in rows if row["program"] == prog and row["gbps_l2"] is not None)
            if not pts:
                continue
            name = PROGRAM_NAMES.get(prog, prog) + (f" ({label})" if len(sweeps) > 1 else "")
            style = dict(color=colors[prog], linestyle=styles[n % len(styles)], marker="o",
                         markersize=4, linewidth=1.3)
            ax1.plot([p[0] for p in pts], [p[1] for p in pts], label=name, **style)
            rpts = [(p[0], p[2]) for p in pts if p[2] is not None]
            if rpts and prog != "memcpy":
                ax2.plot([p[0] for p in rpts], [p[1] for p in rpts], **style)
    ax2.axhline(1.0, color="grey", linewidth=0.8)
    ax2.axhline(0.8, color="grey", linewidth=0.8, linestyle="--")
    ax2.annotate("goal at 1514 B: 0.8x", (sizes[0], 0.8), fontsize="x-small",
                 color="grey", va="bottom")
    for ax in (ax1, ax2):
        ax.set_xscale("log", base=2)
        ax.set_xticks(sizes)
        ax.set_xticklabels([str(s) for s in sizes], fontsize="small")
        ax.set_xlabel("frame size (bytes, without FCS)")
        ax.grid(True, alpha=0.3)
    ax1.set_yscale("log")
    ax1.set_ylabel("Gb/s (L2), one core")
    ax1.set_title("verification at memory speed")
    ax2.set_ylabel("ratio to glibc memcpy (frames/s)")
    ax2.set_title("against memcpy of the same bytes")
    # Ratios run from a tenth (full, small frames) to tens (header, jumbo):
    # on a linear axis the 0.8x goal would sit in the first pixels.
    ax2.set_yscale("log")
    fig.legend(loc="lower center", ncol=3, fontsize="small", frameon=False)
    rows_of_legend = math.ceil(len(programs) * len(sweeps) / 3)
    fig.tight_layout(rect=(0, 0.045 * (rows_of_legend + 1), 1, 1))
    return fig


def main():
    ap = argparse.ArgumentParser(
        prog=PROG,
        description="Draw iovaloop's JSON reports (iovaloop ... -- --json FILE) and\n"
                    "bench/verify_speed.sh's CSV as PNG figures in DIR: PREFIXlatency.png\n"
                    "(latency distribution), PREFIXtimeline.png (Mpps over the run),\n"
                    "PREFIXqueues.png (per-queue bars), PREFIXsweep.png (the verify-speed\n"
                    "sweep). Several reports are overlaid, their file names in the legend.",
        epilog="examples:\n"
               "  %(prog)s --json report.json -o plots\n"
               "  %(prog)s --json full.json --json header.json --only latency\n"
               "  %(prog)s --sweep build/bench/verify_speed.csv -o build/bench\n"
               "exit status: 0 figures written, 2 bad options or input, 3 matplotlib missing",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", metavar="FILE", action="append", default=[],
                    help="an iovaloop JSON report (format version 2); repeat to overlay")
    ap.add_argument("--sweep", metavar="FILE.csv", action="append", default=[],
                    help="bench/verify_speed.sh's CSV (verify_speed.csv); repeat to overlay")
    ap.add_argument("-o", "--output-dir", metavar="DIR", default=".",
                    help="where the PNG files go, made if missing (default: .)")
    ap.add_argument("--prefix", default="iovaloop-",
                    help="file name prefix of the figures (default: iovaloop-)")
    ap.add_argument("--only", metavar="FIGURE", action="append", choices=FIGURES,
                    help=f"draw only this figure ({', '.join(FIGURES)}); repeatable")
    ap.add_argument("--dpi", type=int, default=100, help="resolution (default: 100)")
    args = ap.parse_args()
    if not args.json and not args.sweep:
        ap.error("nothing to draw: give --json FILE and/or --sweep FILE.csv")
    if not 20 <= args.dpi <= 600:
        ap.error("--dpi: 20 to 600")
    wanted = args.only or FIGURES
    if any(f in wanted for f in ("latency", "timeline", "queues")) and not args.json:
        if args.only:
            ap.error("--only latency, timeline and queues need --json FILE")
    if "sweep" in wanted and not args.sweep and args.only:
        ap.error("--only sweep needs --sweep FILE.csv")

    # Every input is read and checked before anything is drawn.
    reports, sweeps = [], []
    for path, label in zip(args.json, labels(args.json)):
        try:
            reports.append((label, load_report(path)))
        except BadInput as e:
            fail(path, e)
    for path, label in zip(args.sweep, labels(args.sweep)):
        try:
            sweeps.append((label, load_sweep(path)))
        except BadInput as e:
            fail(path, e)

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        print(f"{PROG}: matplotlib is missing ({e}): apt-get install python3-matplotlib "
              f"(setup.sh installs it)", file=sys.stderr)
        sys.exit(3)
    try:
        os.makedirs(args.output_dir, exist_ok=True)
    except OSError as e:
        fail(args.output_dir, f"cannot make the output directory: {e.strerror}")

    plt.rcParams.update({"figure.dpi": args.dpi, "savefig.dpi": args.dpi, "font.size": 9})
    jobs = []
    if reports:
        jobs += [("latency", fig_latency, reports), ("timeline", fig_timeline, reports),
                 ("queues", fig_queues, reports)]
    if sweeps:
        jobs.append(("sweep", fig_sweep, sweeps))
    written = 0
    for name, draw, inputs in jobs:
        if name not in wanted:
            continue
        fig = draw(plt, inputs)
        if not fig:
            note(f"no {name} figure: no input has its data")
            continue
        out = os.path.join(args.output_dir, f"{args.prefix}{name}.png")
        try:
            fig.savefig(out, metadata={"Software": "iovaloop-plot.py"})
        except OSError as e:
            fail(out, f"cannot write: {e.strerror}")
        plt.close(fig)
        n = len(inputs)
        print(f"wrote {out} ({n} {'report' if name != 'sweep' else 'sweep'}{'s' if n > 1 else ''})")
        written += 1
    return 0 if written else 2


if __name__ == "__main__":
    sys.exit(main())
