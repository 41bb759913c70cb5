"""Driver of bench/captioner/run.sh: the captioner's training step, Go against PyTorch, fairly.

run.sh builds gostep twice (the default build and GOEXPERIMENT=simd) and runs
this file under /usr/bin/python3 (Debian's python3-torch). It

1. calibrates PyTorch: every combination of BLAS library (each installed
   libblas.so.3 other than the reference BLAS, chosen per process with
   LD_LIBRARY_PATH), torch threads (1, 2), BLAS threads (OPENBLAS_NUM_THREADS
   or BLIS_NUM_THREADS 1, 2) and OMP_WAIT_POLICY (unset, PASSIVE), with
   OMP_NUM_THREADS and MKL_NUM_THREADS equal to the torch threads, runs a short
   torch_step.py, CALIB_REPEATS times in alternating order, and keeps the
   setting with the lowest median; then tries that setting with each of
   CALIB_EXTRA (and a jemalloc or tcmalloc LD_PRELOAD where one is installed);
2. runs PAIRS alternating pairs (each: Go-SIMD, PyTorch at its best setting
   and Go-default, the order rotated from one pair to the next), reading the
   1-minute load before each run;
3. prints the calibration table, each pair, the median ratios Go/PyTorch with
   their range over the pairs, a markdown table for docs/benchmarks.md, and
   writes everything to OUT as JSON.

Before all that it runs one step of each side and stops unless both build the
same model (trainable parameters, vocabulary, feature size) and the SIMD
binary has the SIMD kernels.

Settings come from the environment (see bench/captioner/README.md).
"""
import argparse
import glob
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import sysconfig
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TORCH_STEP = os.path.join(HERE, "torch_step.py")

# Variables that set threads or the BLAS of the PyTorch process: removed from
# the inherited environment, so that each setting is exactly what is recorded.
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "BLIS_NUM_THREADS",
               "OMP_WAIT_POLICY", "GOMP_SPINCOUNT", "OMP_PROC_BIND", "OMP_PLACES", "LD_PRELOAD")

# gostep hyperparameters (GOSTEP_SET) that torch_step.py takes as flags, so
# both sides keep measuring the same model.
GO_TO_TORCH = {"encoder": "--encoder", "encoder_dim": "--encoder-dim", "semantic_units": "--semantic-units",
               "decoder_dim": "--decoder-dim", "dropout": "--dropout", "batch_size": "--batch"}


def env_int(name, default):
    v = os.environ.get(name, "").strip()
    return int(v) if v else default


def env_list(name, default):
    v = os.environ.get(name, "").strip()
    return v.split() if v else default


def loadavg():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def machine():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem_gb = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {"nproc": nproc, "cpu_count": os.cpu_count(), "cpu_model": model, "mem_gb": mem_gb,
            "kernel": platform.release(), "python": sys.version.split()[0], "python_exe": sys.executable}


def blas_candidates():
    """Installed BLAS libraries as (label, directory holding libblas.so.3, kind)."""
    ma = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
    dirs = sorted(os.path.dirname(p) for p in glob.glob(f"/usr/lib/{ma}/*/libblas.so.3"))
    dirs += [d for d in os.environ.get("BLAS_DIRS", "").split(":") if d]
    out, seen = [], set()
    for d in dirs:
        d = os.path.abspath(d)
        if d in seen or not os.path.exists(os.path.join(d, "libblas.so.3")):
            continue
        seen.add(d)
        label = os.path.basename(d)
        if any(label == o[0] for o in out):
            label = d
        base = os.path.basename(d)
        kind = ("openblas" if base.startswith("openblas") else "blis" if base.startswith("blis")
                else "reference" if base == "blas" else "other")
        out.append((label, d, kind))
    system = os.path.dirname(os.path.realpath(f"/usr/lib/{ma}/libblas.so.3"))
    return out, system


def select_blas():
    """The BLAS libraries to calibrate with (CALIB_BLAS); exits if only the reference BLAS is there."""
    cands, system = blas_candidates()
    which = os.environ.get("CALIB_BLAS", "").strip() or "auto"
    if which == "auto":
        chosen = [c for c in cands if c[2] != "reference"]
        if not chosen:
            ref = [c for c in cands if c[2] == "reference"]
            if os.environ.get("ALLOW_REFERENCE_BLAS") != "1" or not ref:
                sys.exit("bench/captioner: no optimised BLAS for PyTorch: only the reference BLAS "
                         f"({', '.join(c[1] for c in cands) or 'none'}) is installed, which multiplies matrices "
                         "about 16× slower than OpenBLAS (6 against 100 GFLOP/s on one core, for a product of "
                         "this step's size) and would flatter Go. Install OpenBLAS (libtorch1.13 recommends it; "
                         "--no-install-recommends leaves it out):\n"
                         "    apt-get install -y --no-install-recommends libopenblas0-pthread libopenblas0-openmp\n"
                         "or unpack those packages anywhere and set BLAS_DIRS to their openblas-* directories; "
                         "ALLOW_REFERENCE_BLAS=1 measures with the reference BLAS anyway.")
            chosen = ref
    elif which == "all":
        chosen = cands
    else:
        names = which.split(",")
        chosen = [c for c in cands if c[0] in names]
        if len(chosen) != len(names):
            sys.exit(f"bench/captioner: CALIB_BLAS={which}: installed BLAS libraries are {[c[0] for c in cands]}")
    return cands, system, chosen


def allocators():
    ma = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
    found = []
    for name in ("libjemalloc.so.2", "libtcmalloc_minimal.so.4", "libtcmalloc.so.4"):
        p = f"/usr/lib/{ma}/{name}"
        if os.path.exists(p):
            found.append({"LD_PRELOAD": p})
    return found


def describe(s):
    parts = [s["blas"], f"{s['threads']} torch thread{'s' if s['threads'] != 1 else ''}"]
    if s.get("blas_threads_var"):
        parts.append(f"{s['blas_threads_var']}={s['blas_threads']}")
    parts.append(f"OMP_WAIT_POLICY={s['wait'] or 'unset'}")
    for k, v in s.get("extra", {}).items():
        parts.append(f"{k}={os.path.basename(v) if k == 'LD_PRELOAD' else v}")
    return ", ".join(parts)


def torch_env(s):
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    t = str(s["threads"])
    env["OMP_NUM_THREADS"] = t
    env["MKL_NUM_THREADS"] = t
    if s.get("blas_threads_var"):
        env[s["blas_threads_var"]] = str(s["blas_threads"])
    if s["wait"]:
        env["OMP_WAIT_POLICY"] = s["wait"]
    env["LD_LIBRARY_PATH"] = s["blas_dir"] + (":" + os.environ["LD_LIBRARY_PATH"] if os.environ.get("LD_LIBRARY_PATH") else "")
    env.update(s.get("extra", {}))
    return env


def run_json(cmd, env):
    """Runs cmd and returns (its last JSON line, load before, wall seconds)."""
    load = loadavg()
    t0 = time.monotonic()
    p = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        sys.stderr.write(p.stdout + p.stderr)
        sys.exit(f"bench/captioner: {shlex.join(cmd)} exited {p.returncode}")
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        sys.stderr.write(p.stdout + p.stderr)
        sys.exit(f"bench/captioner: no JSON line from {shlex.join(cmd)}")
    return json.loads(lines[-1]), load, wall


def fmt_range(xs, f="{:.1f}"):
    return f"{f.format(min(xs))}–{f.format(max(xs))}"


def stats(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "values": xs}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--go-default", help="gostep built without GOEXPERIMENT")
    ap.add_argument("--go-simd", help="gostep built with GOEXPERIMENT=simd")
    ap.add_argument("--check", action="store_true", help="only check that an optimised BLAS is there")
    ap.add_argument("--load-before-build", type=float, help="1-minute load before run.sh built gostep")
    args = ap.parse_args()
    if args.check:
        select_blas()
        return
    if not args.go_default or not args.go_simd:
        ap.error("--go-default and --go-simd are required")

    steps = env_int("STEPS", 60)
    pairs = env_int("PAIRS", 5)
    encoder = os.environ.get("ENCODER", "") or "mean"
    gostep_set = os.environ.get("GOSTEP_SET", "")
    out_path = os.environ.get("OUT", "") or "/tmp/captioner-bench.json"
    calib_steps = env_int("CALIB_STEPS", 20)
    calib_warmup = env_int("CALIB_WARMUP", 3)
    calib_repeats = env_int("CALIB_REPEATS", 3)
    calib_threads = [int(x) for x in env_list("CALIB_THREADS", ["1", "2"])]
    calib_blas_threads = [int(x) for x in env_list("CALIB_BLAS_THREADS", ["1", "2"])]
    calib_wait = [None if w in ("unset", "") else w for w in env_list("CALIB_WAIT", ["unset", "PASSIVE"])]
    if pairs < 1 or steps < 1 or calib_repeats < 1:
        sys.exit("bench/captioner: PAIRS, STEPS and CALIB_REPEATS must be ≥ 1")

    # The same model on both sides: GOSTEP_SET's model settings become torch_step.py flags.
    go_set = f"encoder={encoder}" + (f";{gostep_set}" if gostep_set else "")
    torch_model_args, go_only = ["--encoder", encoder], []
    for kv in filter(None, (x.strip() for x in gostep_set.split(";"))):
        k, _, v = kv.partition("=")
        k, v = k.strip(), v.strip()
        if k in GO_TO_TORCH:
            torch_model_args += [GO_TO_TORCH[k], v]
        else:
            go_only.append(k)
    torch_model_args += shlex.split(os.environ.get("TORCH_ARGS", ""))
    if go_only:
        print(f"note: GOSTEP_SET's {', '.join(go_only)} apply to the Go side only (TORCH_ARGS passes flags to torch_step.py)")

    mach = machine()
    start_load = loadavg()
    t_start = time.monotonic()
    idle_load = args.load_before_build if args.load_before_build is not None else start_load[0]
    print(f"machine: {mach['nproc']} cores (nproc), {mach['cpu_model']}, {mach['mem_gb']} GB; 1-minute load "
          f"{idle_load:.2f} before the build, {start_load[0]:.2f} after it")
    if idle_load > 0.5:
        print(f"note: the machine is not idle (load {idle_load:.2f} before the build): the numbers are for a shared "
              "machine; run it again when nothing else runs for numbers to publish")

    cands, system_blas, chosen = select_blas()
    torch_base = [sys.executable, TORCH_STEP] + torch_model_args

    # --- preflight: both builds and PyTorch run, and measure the same model --
    pre_env = torch_env({"blas_dir": chosen[0][1], "threads": 1, "blas_threads_var": None, "wait": None})
    pre = {"go-simd": run_json([args.go_simd, "-steps", "1", "-set", go_set], None)[0],
           "go-default": run_json([args.go_default, "-steps", "1", "-set", go_set], None)[0],
           "pytorch": run_json(torch_base + ["--steps", "1", "--warmup", "0", "--threads", "1"], pre_env)[0]}
    problems = []
    gp, tp = pre["go-simd"]["trainable_params"], pre["pytorch"]["trainable_params"]
    if not gp == pre["go-default"]["trainable_params"] == tp:
        problems.append(f"trainable parameters differ: Go {gp}, PyTorch {tp} (GOSTEP_SET's model settings are "
                        f"passed on as {sorted(GO_TO_TORCH)}; TORCH_ARGS passes others to torch_step.py)")
    if pre["go-simd"]["vocab"] != pre["pytorch"]["model"]["vocab"]:
        problems.append(f"vocabulary: Go {pre['go-simd']['vocab']}, PyTorch {pre['pytorch']['model']['vocab']}")
    if pre["go-simd"]["feat_dim"] != pre["pytorch"]["model"]["feat_dim"]:
        problems.append(f"feature dimension: Go {pre['go-simd']['feat_dim']}, PyTorch {pre['pytorch']['model']['feat_dim']}")
    if platform.machine() in ("x86_64", "AMD64") and (not pre["go-simd"]["simd"] or pre["go-default"]["simd"]):
        problems.append(f"builds: the SIMD binary reports simd={pre['go-simd']['simd']}, "
                        f"the default one simd={pre['go-default']['simd']}")
    if problems:
        sys.exit("bench/captioner: not comparable: " + "; ".join(problems))
    print(f"same model on both sides: {tp} trainable parameters, vocabulary {pre['pytorch']['model']['vocab']}")

    # --- calibration -------------------------------------------------------
    grid = []
    for label, d, kind in chosen:
        bvar = {"openblas": "OPENBLAS_NUM_THREADS", "blis": "BLIS_NUM_THREADS"}.get(kind)
        for t in calib_threads:
            for bt in (calib_blas_threads if bvar else [None]):
                for w in calib_wait:
                    grid.append({"blas": label, "blas_dir": d, "blas_kind": kind, "threads": t,
                                 "blas_threads_var": bvar, "blas_threads": bt, "wait": w, "extra": {}})

    def calibrate(settings, stage):
        rows = [{"setting": s, "runs": []} for s in settings]
        n = len(rows) * calib_repeats
        i = 0
        for r in range(calib_repeats):
            for row in (rows if r % 2 == 0 else rows[::-1]):
                s = row["setting"]
                cmd = torch_base + ["--steps", str(calib_steps), "--warmup", str(calib_warmup), "--threads", str(s["threads"])]
                j, load, wall = run_json(cmd, torch_env(s))
                row["runs"].append({"median_ms": j["median_ms"], "median_cpu_ms": j["median_cpu_ms"], "load1": load[0],
                                    "wall_s": round(wall, 2), "blas_loaded": j["blas"], "env": j["env"]})
                i += 1
                print(f"  calibration {stage} {i}/{n}: {describe(s)}: {j['median_ms']:.1f} ms/step "
                      f"(CPU {j['median_cpu_ms']:.1f} ms, load {load[0]:.2f})", flush=True)
        for row in rows:
            row["median_ms"] = statistics.median(x["median_ms"] for x in row["runs"])
            row["median_cpu_ms"] = statistics.median(x["median_cpu_ms"] for x in row["runs"])
        return rows

    print(f"PyTorch calibration: {len(grid)} settings × {calib_repeats} runs of {calib_steps} steps "
          f"(after {calib_warmup} warm-up steps), alternating order")
    calib = calibrate(grid, "1")
    best_row = min(calib, key=lambda r: r["median_ms"])
    extras = allocators() + [dict(kv.split("=", 1) for kv in e.split()) for e in
                             filter(None, (x.strip() for x in os.environ.get("CALIB_EXTRA", "").split(";")))]
    calib2 = []
    if extras:
        base = best_row["setting"]
        variants = [base] + [dict(base, extra=e) for e in extras]
        print(f"PyTorch calibration, stage 2: the best setting alone and with each of {len(extras)} extra setting(s)")
        calib2 = calibrate(variants, "2")
        best_row = min(calib2, key=lambda r: r["median_ms"])
    best = best_row["setting"]

    print()
    print("PyTorch settings tried, fastest first (ms/step: median of the runs' medians; "
          "CPU: process CPU time a step, all threads):")
    print()
    print("| stage | BLAS | torch threads | BLAS threads | OMP_WAIT_POLICY | extra | ms/step | runs (ms) | CPU ms/step | 1-min load |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for stage, rows in (("1", calib), ("2", calib2)):
        for row in sorted(rows, key=lambda r: r["median_ms"]):
            st = row["setting"]
            mark = " ← best" if row is best_row else ""
            extra = ", ".join(f"{k}={os.path.basename(v) if k == 'LD_PRELOAD' else v}" for k, v in st["extra"].items()) or "–"
            bt = f"{st['blas_threads_var']}={st['blas_threads']}" if st["blas_threads_var"] else "–"
            runs_ms = ", ".join(f"{x['median_ms']:.1f}" for x in row["runs"])
            print(f"| {stage} | {st['blas']} | {st['threads']} | {bt} | {st['wait'] or 'unset'} | {extra} | "
                  f"{row['median_ms']:.1f}{mark} | {runs_ms} | {row['median_cpu_ms']:.1f} | "
                  f"{fmt_range([x['load1'] for x in row['runs']], '{:.2f}')} |")
    print()
    print(f"PyTorch's best setting: {describe(best)}")
    print()

    # --- alternating pairs -------------------------------------------------
    arms = {
        "go-simd": ([args.go_simd, "-steps", str(steps), "-set", go_set], None),
        "pytorch": (torch_base + ["--steps", str(steps), "--threads", str(best["threads"])], torch_env(best)),
        "go-default": ([args.go_default, "-steps", str(steps), "-set", go_set], None),
    }
    # Each arm goes first, second and third equally often over 3 pairs, and
    # PyTorch runs both before and after each Go build over 6.
    orders = [("go-simd", "pytorch", "go-default"), ("pytorch", "go-default", "go-simd"),
              ("go-default", "go-simd", "pytorch"), ("go-default", "pytorch", "go-simd"),
              ("go-simd", "go-default", "pytorch"), ("pytorch", "go-simd", "go-default")]
    rounds = []
    for p in range(pairs):
        order = orders[p % len(orders)]
        rnd = {"pair": p + 1, "order": list(order), "runs": {}}
        for arm in order:
            cmd, env = arms[arm]
            j, load, wall = run_json(cmd, env)
            rnd["runs"][arm] = {"median_ms": j["median_ms"], "load1": load[0], "loadavg": load,
                                "wall_s": round(wall, 2), "result": j}
            print(f"  pair {p + 1}/{pairs} {arm}: {j['median_ms']:.1f} ms/step (load {load[0]:.2f})", flush=True)
        tm = rnd["runs"]["pytorch"]["median_ms"]
        rnd["ratio_simd"] = rnd["runs"]["go-simd"]["median_ms"] / tm
        rnd["ratio_default"] = rnd["runs"]["go-default"]["median_ms"] / tm
        rounds.append(rnd)

    first = rounds[0]["runs"]
    gs, gd, tj = first["go-simd"]["result"], first["go-default"]["result"], first["pytorch"]["result"]

    # --- summary -----------------------------------------------------------
    side = {a: stats([r["runs"][a]["median_ms"] for r in rounds]) for a in arms}
    ratio_simd = stats([r["ratio_simd"] for r in rounds])
    ratio_default = stats([r["ratio_default"] for r in rounds])
    loads = [r["runs"][a]["load1"] for r in rounds for a in arms]
    calib_loads = [x["load1"] for row in calib + calib2 for x in row["runs"]]
    total_s = time.monotonic() - t_start

    print()
    print("| pair | order | Go SIMD ms | PyTorch ms | Go default ms | SIMD / PyTorch | default / PyTorch | 1-min load before each |")
    print("|---|---|---|---|---|---|---|---|")
    short = {"go-simd": "SIMD", "pytorch": "PyTorch", "go-default": "default"}
    for r in rounds:
        print(f"| {r['pair']} | {', '.join(short[a] for a in r['order'])} | {r['runs']['go-simd']['median_ms']:.1f} | "
              f"{r['runs']['pytorch']['median_ms']:.1f} | {r['runs']['go-default']['median_ms']:.1f} | "
              f"{r['ratio_simd']:.2f} | {r['ratio_default']:.2f} | "
              f"{', '.join(format(r['runs'][a]['load1'], '.2f') for a in r['order'])} |")
    print()
    print(f"SIMD / PyTorch: median {ratio_simd['median']:.2f}× (range {fmt_range(ratio_simd['values'], '{:.2f}')}×); "
          f"default / PyTorch: median {ratio_default['median']:.2f}× (range {fmt_range(ratio_default['values'], '{:.2f}')}×), "
          f"over {pairs} pairs; load {fmt_range(loads, '{:.2f}')}; {total_s:.0f} s in all")

    libs = [os.path.basename(b) for b in tj["blas"]]
    blas_lib = next((n for key in ("openblas", "blis", "mkl", "atlas", "blas") for n in libs if key in n), "?")
    go_threads = (f"GOMAXPROCS {gs['gomaxprocs']}" + (f" (GOMAXPROCS={gs['gomaxprocs_env']})" if gs["gomaxprocs_env"] else ""))
    cmd_env = []
    if pairs != 5:
        cmd_env.append(f"PAIRS={pairs}")
    if steps != 60:
        cmd_env.append(f"STEPS={steps}")
    if encoder != "mean":
        cmd_env.append(f"ENCODER={encoder}")
    if gostep_set:
        cmd_env.append(f"GOSTEP_SET={shlex.quote(gostep_set)}")
    command = " ".join(cmd_env + ["bench/captioner/run.sh"])
    enc = tj["model"]["encoder"]
    enc_name = {"mean": "mean-pooling", "gru": "GRU", "tconv": "temporal conv"}.get(enc, enc)
    md = [
        f"`{command}`: {pairs} alternating pairs (Go SIMD build, PyTorch, Go default build; the order rotated "
        f"from pair to pair); each run the median of {steps} steps; medians over the pairs, ranges min–max.",
        f"Machine: {mach['nproc']} cores (`nproc`), {mach['cpu_model']}; 1-minute load {idle_load:.2f} before the "
        f"benchmark, {fmt_range(loads, '{:.2f}')} before the runs of the pairs (calibration "
        f"{fmt_range(calib_loads, '{:.2f}')}; the benchmark's own runs count in these, up to the threads they use).",
        f"Go: {gd['go_version']}, backend `{gs['backend']}`, {go_threads}. PyTorch {tj['version']} "
        f"(`{sys.executable}`), its fastest of {len(calib) + max(0, len(calib2) - 1)} settings: "
        f"{describe(best)} (`{blas_lib}`).",
        "",
        f"| build, encoder | Go backend, ms/step | PyTorch, ms/step | ratio Go / PyTorch, median (range) |",
        "|---|---|---|---|",
        f"| SIMD (`GOEXPERIMENT=simd`), {enc_name} | {side['go-simd']['median']:.1f} ({fmt_range(side['go-simd']['values'])}) | "
        f"{side['pytorch']['median']:.1f} ({fmt_range(side['pytorch']['values'])}) | "
        f"**{ratio_simd['median']:.2f}×** ({fmt_range(ratio_simd['values'], '{:.2f}')}×) |",
        f"| default build, {enc_name} | {side['go-default']['median']:.1f} ({fmt_range(side['go-default']['values'])}) | "
        f"{side['pytorch']['median']:.1f} ({fmt_range(side['pytorch']['values'])}) | "
        f"**{ratio_default['median']:.2f}×** ({fmt_range(ratio_default['values'], '{:.2f}')}×) |",
    ]
    print()
    print("---- markdown for docs/benchmarks.md ----")
    print("\n".join(md))
    print("----")

    result = {
        "command": command, "machine": mach, "load_before_build": args.load_before_build, "load_start": start_load, "load_end": loadavg(), "total_s": round(total_s, 1),
        "settings": {"steps": steps, "pairs": pairs, "encoder": encoder, "gostep_set": gostep_set, "go_set": go_set,
                     "torch_args": torch_model_args, "calib_steps": calib_steps, "calib_warmup": calib_warmup,
                     "calib_repeats": calib_repeats, "system_blas": system_blas,
                     "blas_candidates": [{"label": c[0], "dir": c[1], "kind": c[2]} for c in cands]},
        "preflight": pre, "calibration": calib, "calibration_stage2": calib2, "torch_best": best, "torch_best_env": {
            k: v for k, v in torch_env(best).items() if k in THREAD_VARS + ("LD_LIBRARY_PATH",)},
        "go": {"simd": {k: v for k, v in gs.items() if k != "median_ms"},
               "default": {k: v for k, v in gd.items() if k != "median_ms"}},
        "pairs": rounds,
        "summary": {"go_simd_ms": side["go-simd"], "pytorch_ms": side["pytorch"], "go_default_ms": side["go-default"],
                    "ratio_simd_over_pytorch": ratio_simd, "ratio_default_over_pytorch": ratio_default,
                    "load1": {"min": min(loads), "max": max(loads)},
                    "calibration_load1": {"min": min(calib_loads), "max": max(calib_loads)}},
        "markdown": "\n".join(md),
    }
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)
    print(f"wrote {out_path}")


if __name__ == "__main__":
    main()
