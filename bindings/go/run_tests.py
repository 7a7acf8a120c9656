#!/usr/bin/env python3
"""Run the Go binding's tests and write a JUnit XML file.

    run_tests.py --junit OUT.xml --go /path/to/go [--race] [-- extra go test args]
    run_tests.py --junit OUT.xml --skip REASON

Runs `go test -count=1 -json [-race] ./...` in this folder, prints the
tests' output as it comes (like `go test -v`), turns the test2json events
into one <testcase> per test (subtests included; a parent with subtests is
counted only if it failed on its own), and exits with go test's status,
or 1 if no test ran.  --race is dropped (with a note) when GOFLAGS asks for
-asan or -msan, which the race detector cannot be combined with
(scripts/test-sanitizers runs this suite with GOFLAGS=-asan).  A
package-level failure (a build error, TestMain failing to start the
servers, a panic) that no test case shows is written as a failed case
named "(package)".  With --skip it exits 77 (Meson's
"skipped") and says why.
"""
import argparse
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("--junit", required=True)
    ap.add_argument("--go")
    ap.add_argument("--race", action="store_true")
    ap.add_argument("--skip")
    ap.add_argument("extra", nargs="*")
    return ap.parse_args()


def environment(junit):
    env = dict(os.environ)
    flags = env.get("GOFLAGS", "")
    if "-mod=" not in flags:
        env["GOFLAGS"] = (flags + " -mod=mod").strip()
    env.setdefault("GOTOOLCHAIN", "local")  # never download a toolchain
    env["CGO_ENABLED"] = "1"
    if not env.get("HOME") and not env.get("GOCACHE"):
        env["GOCACHE"] = os.path.join(os.path.dirname(os.path.abspath(junit)), "go-cache")
    return env


class Case:
    def __init__(self, pkg, name):
        self.pkg, self.name = pkg, name
        self.result = None  # pass / fail / skip, None if it never finished
        self.elapsed = 0.0
        self.output = []


def main():
    args = parse_args()
    if args.skip:
        print(f"go binding tests skipped: {args.skip}")
        return 77
    if not args.go:
        print("run_tests.py: --go is required", file=sys.stderr)
        return 2
    env = environment(args.junit)

    # Static checks first, each reported as one test case.
    checks = []
    gofmt = os.path.join(os.path.dirname(args.go), "gofmt")
    for name, check in (("go vet", [args.go, "vet", "./..."]),
                        ("gofmt", [gofmt if os.path.exists(gofmt) else "gofmt", "-l", "."])):
        print("run_tests.py:", " ".join(check), flush=True)
        try:
            res = subprocess.run(check, cwd=HERE, env=env, capture_output=True, text=True,
                                 errors="replace", timeout=900)
            out = res.stdout + res.stderr
            ok = res.returncode == 0
            if name == "gofmt" and res.stdout.strip():
                ok = False
                out = "files not gofmt-formatted:\n" + out
        except (OSError, subprocess.TimeoutExpired) as e:
            out, ok = str(e), False
        if out:
            sys.stdout.write(out)
        c = Case("static", name)
        c.result = "pass" if ok else "fail"
        c.output = [out]
        checks.append(c)

    cmd = [args.go, "test", "-count=1", "-json", "-timeout", "25m"]
    sanitizer = next((f for f in env["GOFLAGS"].split() if f in ("-asan", "-msan")), None)
    if args.race and sanitizer:
        # go: "-race and -asan flags are mutually exclusive" (likewise -msan).
        print(f"run_tests.py: GOFLAGS has {sanitizer}: running without -race", flush=True)
    elif args.race:
        cmd.append("-race")
    cmd += args.extra or ["./..."]
    print("run_tests.py:", " ".join(cmd), flush=True)

    cases = {}   # (pkg, test) -> Case, in start order
    pkg_out = {}  # pkg -> output lines outside tests
    pkg_result = {}
    proc = subprocess.Popen(cmd, cwd=HERE, env=env,
                            stdout=subprocess.PIPE, text=True, errors="replace")
    for line in proc.stdout:
        try:
            ev = json.loads(line)
        except ValueError:
            sys.stdout.write(line)
            continue
        if not isinstance(ev, dict):
            sys.stdout.write(line)
            continue
        action = ev.get("Action")
        pkg = ev.get("Package") or ev.get("ImportPath") or "?"
        test = ev.get("Test")
        out = ev.get("Output")
        if out is not None:
            sys.stdout.write(out)
            sys.stdout.flush()
        if test:
            case = cases.get((pkg, test))
            if case is None:
                case = cases[(pkg, test)] = Case(pkg, test)
            if out is not None:
                case.output.append(out)
            if action in ("pass", "fail", "skip"):
                case.result = action
                case.elapsed = ev.get("Elapsed", 0.0) or 0.0
        else:
            if out is not None:
                pkg_out.setdefault(pkg, []).append(out)
            if action in ("pass", "fail", "skip"):
                pkg_result[pkg] = (action, ev.get("Elapsed", 0.0) or 0.0)
    rc = proc.wait()

    # One testcase per test: leaves, plus parents that failed on their own.
    selected = []
    for c in cases.values():
        children = [o for o in cases.values() if o.pkg == c.pkg and o.name.startswith(c.name + "/")]
        if not children:
            selected.append(c)
        elif c.result in ("fail", None) and not any(o.result in ("fail", None) for o in children):
            selected.append(c)

    root = ET.Element("testsuites", name="go")
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    pkgs = sorted({c.pkg for c in cases.values()} | set(pkg_result))
    for pkg in pkgs:
        mine = [c for c in selected if c.pkg == pkg]
        result, elapsed = pkg_result.get(pkg, (None, 0.0))
        failed_cases = [c for c in mine if c.result in ("fail", None)]
        extra = None
        if not failed_cases and (result == "fail" or (result is None and rc != 0)):
            extra = Case(pkg, "(package)")
            extra.result = "fail"
            extra.output = pkg_out.get(pkg, []) or ["go test failed for this package\n"]
        suite = ET.SubElement(root, "testsuite", name=pkg, time=f"{elapsed:.3f}")
        n = f = s = 0
        for c in mine + ([extra] if extra else []):
            tc = ET.SubElement(suite, "testcase", classname=pkg, name=c.name, time=f"{c.elapsed:.3f}")
            text = "".join(c.output)[-20000:]
            n += 1
            if c.result == "pass":
                counts["passed"] += 1
            elif c.result == "skip":
                s += 1
                counts["skipped"] += 1
                reason = next((l.strip() for l in reversed(c.output) if "_test.go" in l), "skipped")
                ET.SubElement(tc, "skipped", message=reason[:500]).text = text
            else:
                f += 1
                counts["failed"] += 1
                msg = "failed" if c.result == "fail" else "did not finish (crash or timeout)"
                ET.SubElement(tc, "failure", message=msg).text = text
        suite.set("tests", str(n))
        suite.set("failures", str(f))
        suite.set("skipped", str(s))
        suite.set("errors", "0")
    suite = ET.SubElement(root, "testsuite", name="static", tests=str(len(checks)),
                          failures=str(sum(c.result != "pass" for c in checks)), skipped="0", errors="0")
    for c in checks:
        tc = ET.SubElement(suite, "testcase", classname="static", name=c.name, time="0")
        if c.result == "pass":
            counts["passed"] += 1
        else:
            counts["failed"] += 1
            ET.SubElement(tc, "failure", message=f"{c.name} failed").text = "".join(c.output)
    if not pkgs and rc != 0:
        suite = ET.SubElement(root, "testsuite", name="go", tests="1", failures="1", skipped="0", errors="0")
        tc = ET.SubElement(suite, "testcase", classname="go", name="(go test)")
        ET.SubElement(tc, "failure", message=f"go test exited with status {rc}").text = ""
        counts["failed"] += 1

    ET.ElementTree(root).write(args.junit, encoding="utf-8", xml_declaration=True)
    go_cases = sum(1 for c in selected if c.result in ("pass", "fail", "skip", None))
    total = sum(counts.values())
    print(f"run_tests.py: wrote {args.junit} ({total} test cases)")
    print(f"go: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    if rc != 0:
        return rc
    if not any(c.result == "pass" for c in selected):
        print(f"run_tests.py: no Go test passed ({go_cases} ran)", file=sys.stderr)
        return 1
    if counts["failed"]:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
