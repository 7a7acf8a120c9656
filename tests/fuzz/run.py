#!/usr/bin/env python3
"""Build and run ftpkit's libFuzzer targets (tests/fuzz/*.cpp).

Each target is compiled straight from the parser sources, without Meson:

    clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined \
        -I cpp cpp/parse.cpp cpp/reply.cpp tests/fuzz/<target>.cpp

into a temporary directory, then run for --seconds on a copy of its seed
corpus (tests/fuzz/corpus/<target>/; new inputs go to the copy, never to
the repository).  Any crash, sanitizer report, guarantee violation
(__builtin_trap in the target), timeout or out-of-memory fails the run.

Prints one line per target and, last, the summary line
    fuzz: 8 targets, 12345678 executions, 0 crashes
Exit status: 0 when every target ran clean, 1 when any failed, 2 on a usage
or build error (no clang++, a target that does not compile).

Usage:
    tests/fuzz/run.py                    # every target, 60 s each
    tests/fuzz/run.py --seconds 10 --target parse_229
    tests/fuzz/run.py --seconds 0        # only replay the seed corpus once
Options: --jobs N (targets run side by side; default: the CPU count),
--workdir DIR (keep binaries, corpora and logs there), --keep, --cxx PATH
(default $FUZZ_CXX or clang++).  See tests/fuzz/README.md.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORE_SOURCES = [ROOT / "cpp" / "parse.cpp", ROOT / "cpp" / "reply.cpp"]
CXXFLAGS = [
    "-std=c++17", "-g", "-O1", "-fno-omit-frame-pointer",
    # UBSan findings abort (so libFuzzer records them) instead of printing
    # and going on.
    "-fno-sanitize-recover=all",
    "-Wall", "-Wextra",
    "-I", str(ROOT / "cpp"), "-I", str(HERE),
]
SANITIZE_OBJ = "-fsanitize=fuzzer-no-link,address,undefined"
SANITIZE_EXE = "-fsanitize=fuzzer,address,undefined"
# Per-input limits: a parser call that takes 25 s or 2 GiB is a finding.
LIBFUZZER_FLAGS = ["-timeout=25", "-rss_limit_mb=2048", "-max_len=4096",
                   "-print_final_stats=1"]


def log(msg: str) -> None:
    print(f"fuzz: {msg}", flush=True)


def discover_targets() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.cpp")
                  if "LLVMFuzzerTestOneInput" in p.read_text(errors="replace"))


def run_quiet(cmd: list[str]) -> tuple[int, str]:
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, errors="replace")
    return p.returncode, p.stdout


def build(cxx: str, targets: list[str], work: Path, jobs: int) -> dict[str, Path]:
    """Compile the core parsers once, then link one binary per target."""
    objdir = work / "obj"
    objdir.mkdir(parents=True, exist_ok=True)

    def compile_core(src: Path) -> Path:
        obj = objdir / (src.stem + ".o")
        rc, out = run_quiet([cxx, *CXXFLAGS, SANITIZE_OBJ, "-c", str(src), "-o", str(obj)])
        if rc != 0:
            raise RuntimeError(f"compiling {src.relative_to(ROOT)} failed:\n{out}")
        return obj

    def link(target: str, objs: list[Path]) -> Path:
        exe = work / "bin" / target
        exe.parent.mkdir(exist_ok=True)
        rc, out = run_quiet([cxx, *CXXFLAGS, SANITIZE_EXE, str(HERE / f"{target}.cpp"),
                             *map(str, objs), "-o", str(exe)])
        if rc != 0:
            raise RuntimeError(f"building target {target} failed:\n{out}")
        if out.strip():  # warnings: show them, they do not fail the run
            print(out, end="", flush=True)
        return exe

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        objs = list(pool.map(compile_core, CORE_SOURCES))
        exes = list(pool.map(lambda t: link(t, objs), targets))
    return dict(zip(targets, exes))


def fuzz_env() -> dict[str, str]:
    env = dict(os.environ)
    # The sanitizer runtimes are linked in; a preloaded gcc runtime (as
    # scripts/test-sanitizers sets for Python) would clash with them.
    env.pop("LD_PRELOAD", None)
    env.pop("ASAN_OPTIONS", None)
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
    return env


class Result:
    def __init__(self, target: str):
        self.target = target
        self.executions = 0
        self.seconds = 0.0
        self.seeds = 0
        self.corpus_after = 0
        self.failed = False
        self.reason = ""
        self.artifacts: list[Path] = []
        self.log: Path | None = None


def count_files(d: Path) -> int:
    return sum(1 for p in d.iterdir() if p.is_file()) if d.is_dir() else 0


def run_target(target: str, exe: Path, seconds: int, work: Path) -> Result:
    res = Result(target)
    seeds = HERE / "corpus" / target
    corpus = work / "corpus" / target
    crashes = work / "artifacts" / target
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.parent.mkdir(parents=True, exist_ok=True)
    if seeds.is_dir():
        shutil.copytree(seeds, corpus)
    else:
        corpus.mkdir()
    crashes.mkdir(parents=True, exist_ok=True)
    res.seeds = count_files(corpus)
    res.log = work / f"{target}.log"

    if seconds > 0:
        cmd = [str(exe), *LIBFUZZER_FLAGS, f"-max_total_time={seconds}",
               f"-artifact_prefix={crashes}/", str(corpus)]
        guard = seconds + 300  # corpus loading + a slow machine
    else:
        # Replay: every seed once, each file as its own run.
        files = sorted(str(p) for p in corpus.iterdir() if p.is_file())
        if not files:
            res.log.write_text("no seed inputs\n")
            return res
        cmd = [str(exe), *LIBFUZZER_FLAGS, f"-artifact_prefix={crashes}/", *files]
        guard = 600
    start = time.monotonic()
    with open(res.log, "w") as out:
        out.write("$ " + " ".join(cmd) + "\n")
        out.flush()
        try:
            rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=fuzz_env(),
                                timeout=guard).returncode
        except subprocess.TimeoutExpired:
            rc = None
    res.seconds = time.monotonic() - start
    text = res.log.read_text(errors="replace")

    m = re.findall(r"stat::number_of_executed_units:\s*(\d+)", text)
    if m:
        res.executions = int(m[-1])
    elif seconds == 0:
        res.executions = len(re.findall(r"^Executed .* in \d+ ms", text, re.M))
    else:  # crashed before the final stats: the last "#N" status line
        m = re.findall(r"^#(\d+)\s", text, re.M)
        res.executions = int(m[-1]) if m else 0
    res.corpus_after = count_files(corpus)
    res.artifacts = sorted(p for p in crashes.iterdir() if p.is_file())

    if rc is None:
        res.failed, res.reason = True, f"did not finish within {guard} s"
    elif rc != 0:
        res.failed, res.reason = True, f"exit status {rc}"
    elif res.artifacts:
        res.failed, res.reason = True, "left crash artifacts"
    elif re.search(r"ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:", text):
        res.failed, res.reason = True, "sanitizer report in the log"
    return res


def report_failure(res: Result, exe: Path) -> None:
    log(f"{res.target}: FAILED ({res.reason}); log: {res.log}")
    text = res.log.read_text(errors="replace").splitlines()
    interesting = [i for i, l in enumerate(text)
                   if re.search(r"==ERROR|runtime error|guarantee violated|deadly signal", l)]
    start = max(0, (interesting[0] if interesting else len(text)) - 5)
    for line in text[start:start + 60]:
        print(f"    {line}")
    for a in res.artifacts:
        data = a.read_bytes()
        shown = data[:256].hex() + ("..." if len(data) > 256 else "")
        log(f"{res.target}: crashing input {a} ({len(data)} bytes): {shown}")
        log(f"{res.target}: reproduce: {exe} {a}")
        log(f"{res.target}: keep it as a regression seed: "
            f"cp {a} {HERE / 'corpus' / res.target}/regress-<name>")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=int, default=60,
                    help="fuzzing time per target (0: replay the seeds once); default 60")
    ap.add_argument("--target", action="append", default=[],
                    help="run only this target (repeatable)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="targets fuzzed at the same time (default: CPU count)")
    ap.add_argument("--workdir", type=Path, help="keep binaries, corpora and logs here")
    ap.add_argument("--keep", action="store_true", help="do not delete the temporary workdir")
    ap.add_argument("--cxx", default=os.environ.get("FUZZ_CXX", "clang++"))
    args = ap.parse_args()
    if args.seconds < 0 or args.jobs < 1:
        ap.error("--seconds must be >= 0 and --jobs >= 1")

    all_targets = discover_targets()
    targets = args.target or all_targets
    unknown = sorted(set(targets) - set(all_targets))
    if unknown:
        ap.error(f"unknown target(s) {', '.join(unknown)}; known: {', '.join(all_targets)}")
    if not targets:
        log("no targets found")
        return 2
    if shutil.which(args.cxx) is None:
        log(f"{args.cxx} not found: install clang (apt-get install -y clang)")
        return 2

    work = args.workdir.resolve() if args.workdir else Path(tempfile.mkdtemp(prefix="ftpkit-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    log(f"building {len(targets)} targets with {args.cxx} in {work}")
    try:
        exes = build(args.cxx, targets, work, args.jobs)
    except RuntimeError as e:
        print(e, file=sys.stderr)
        log("build failed")
        return 2
    mode = f"{args.seconds} s each" if args.seconds else "replaying the seed corpus"
    log(f"built in {time.monotonic() - t0:.0f} s; fuzzing: {mode}, {args.jobs} at a time")

    results: list[Result] = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(run_target, t, exes[t], args.seconds, work): t for t in targets}
        for fut in concurrent.futures.as_completed(futures):
            res = fut.result()
            results.append(res)
            rate = res.executions / res.seconds if res.seconds else 0
            status = "FAILED" if res.failed else "ok"
            log(f"{res.target}: {res.executions} executions in {res.seconds:.0f} s "
                f"({rate:.0f}/s), corpus {res.seeds} -> {res.corpus_after} inputs, {status}")
            if res.failed:
                report_failure(res, exes[res.target])

    results.sort(key=lambda r: r.target)
    crashes = sum(1 for r in results if r.failed)
    total = sum(r.executions for r in results)
    if crashes or args.keep or args.workdir:
        log(f"binaries, corpora and logs kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    log(f"finished in {time.monotonic() - t0:.0f} s")
    log(f"{len(results)} targets, {total} executions, {crashes} crashes")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
