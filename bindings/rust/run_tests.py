#!/usr/bin/env python3
"""Run the Rust binding's checks for `meson test` and write JUnit XML.

Steps, in the workspace given by --workspace:
  1. cargo clippy --workspace --all-targets --locked -- -D warnings
  2. cargo test --workspace --locked --no-fail-fast
Both stream their output.  libtest prints one line per test
("test NAME ... ok|FAILED|ignored[, reason]"); those lines, with the
"---- NAME stdout ----" sections of failures, become one <testcase> each in
the --junit file (clippy is one more case).  CARGO_TARGET_DIR is the
--target-dir, so the source tree stays clean.

Exit status: 0 only when clippy passed, cargo test passed, no test line
said FAILED and at least one test ran; 77 (skipped) with --skip REASON.
"""
import argparse
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

RUNNING = re.compile(r'^\s+Running (?:unittests )?(\S+) \((.+)\)\s*$')
DOCTESTS = re.compile(r'^\s+Doc-tests (\S+)\s*$')
RESULT = re.compile(r'^test (.+?) \.\.\. (ok|FAILED|ignored)(?:, (.*))?$')
FINISHED = re.compile(r'^test result: .* finished in ([0-9.]+)s')
FAIL_HEADER = re.compile(r'^---- (.+?) stdout ----$')


def suite_name(source, binary):
    """'ftpkit.unittests' for a crate's src/ tests, 'tests.integration' for
    tests/integration/main.rs, from cargo's "Running" line."""
    base = re.sub(r'-[0-9a-f]{16}$', '', os.path.basename(binary))
    if source.startswith('src/'):
        return base.replace('-', '_') + '.unittests'
    return 'tests.' + base


def run(cmd, env, on_line):
    """Run cmd, echo every output line, hand it to on_line; return status."""
    print('+', ' '.join(cmd), flush=True)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            errors='replace', bufsize=1)
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        on_line(line.rstrip('\n'))
    return proc.wait()


class Collector:
    """Turns cargo test output into test cases."""

    def __init__(self):
        self.suite = 'cargo'
        self.cases = []          # [suite, name, outcome, reason]
        self.output = {}         # (suite, name) -> captured failure text
        self.times = {}          # suite -> seconds
        self._capture = None     # (suite, name) being collected
        self._lines = []

    def _flush(self):
        if self._capture is not None:
            self.output[self._capture] = '\n'.join(self._lines).strip()
        self._capture, self._lines = None, []

    def line(self, text):
        m = RUNNING.match(text)
        if m:
            self._flush()
            self.suite = suite_name(m.group(1), m.group(2))
            return
        m = DOCTESTS.match(text)
        if m:
            self._flush()
            self.suite = m.group(1).replace('-', '_') + '.doctests'
            return
        m = FAIL_HEADER.match(text)
        if m:
            self._flush()
            self._capture = (self.suite, m.group(1))
            return
        if self._capture is not None:
            if text in ('failures:', 'successes:') or text.startswith('test result:'):
                self._flush()
            else:
                self._lines.append(text)
                return
        m = RESULT.match(text)
        if m:
            name, outcome, reason = m.group(1), m.group(2), m.group(3) or ''
            self.cases.append([self.suite, name, outcome, reason])
            return
        m = FINISHED.match(text)
        if m:
            self.times[self.suite] = self.times.get(self.suite, 0.0) + float(m.group(1))

    def finish(self):
        self._flush()


def write_junit(path, collector, clippy_status, clippy_seconds, clippy_log):
    root = ET.Element('testsuites', name='rust')
    suites = {}
    order = []
    lint = ET.Element('testsuite', name='clippy')
    tc = ET.SubElement(lint, 'testcase', classname='clippy',
                       name='cargo clippy --workspace --all-targets -D warnings',
                       time='%.3f' % clippy_seconds)
    if clippy_status is None:
        ET.SubElement(tc, 'skipped', message='not run')
    elif clippy_status != 0:
        f = ET.SubElement(tc, 'failure', message='clippy reported warnings or errors')
        f.text = '\n'.join(clippy_log[-400:])
    suites['clippy'] = lint
    order.append('clippy')
    for suite, name, outcome, reason in collector.cases:
        if suite not in suites:
            suites[suite] = ET.Element('testsuite', name=suite)
            order.append(suite)
        tc = ET.SubElement(suites[suite], 'testcase', classname=suite, name=name, time='0')
        if outcome == 'FAILED':
            f = ET.SubElement(tc, 'failure', message='test failed')
            f.text = collector.output.get((suite, name), '')
        elif outcome == 'ignored':
            ET.SubElement(tc, 'skipped', message=reason or 'ignored')
    for name in order:
        s = suites[name]
        cases = s.findall('testcase')
        s.set('tests', str(len(cases)))
        s.set('failures', str(sum(1 for c in cases if c.find('failure') is not None)))
        s.set('skipped', str(sum(1 for c in cases if c.find('skipped') is not None)))
        s.set('errors', '0')
        s.set('time', '%.3f' % (collector.times.get(name, 0.0) if name != 'clippy'
                                else clippy_seconds))
        root.append(s)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    ET.ElementTree(root).write(path, encoding='utf-8', xml_declaration=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--cargo', help='the cargo executable')
    ap.add_argument('--workspace', required=True, help='folder of the workspace Cargo.toml')
    ap.add_argument('--target-dir', required=True, help='CARGO_TARGET_DIR to use')
    ap.add_argument('--junit', required=True, help='JUnit XML file to write')
    ap.add_argument('--skip', metavar='REASON', help='report the suite as skipped (exit 77)')
    args = ap.parse_args()

    if args.skip:
        print('SKIP: ' + args.skip)
        write_junit(args.junit, Collector(), None, 0.0, [])
        return 77

    env = dict(os.environ)
    env['CARGO_TARGET_DIR'] = args.target_dir
    env['CARGO_TERM_COLOR'] = 'never'
    env.setdefault('RUST_BACKTRACE', '1')
    manifest = os.path.join(args.workspace, 'Cargo.toml')

    clippy_log = []
    t0 = time.monotonic()
    clippy_status = run([args.cargo, 'clippy', '--manifest-path', manifest, '--workspace',
                         '--all-targets', '--locked', '--', '-D', 'warnings'],
                        env, clippy_log.append)
    clippy_seconds = time.monotonic() - t0

    collector = Collector()
    test_status = run([args.cargo, 'test', '--manifest-path', manifest, '--workspace',
                       '--locked', '--no-fail-fast'], env, collector.line)
    collector.finish()
    write_junit(args.junit, collector, clippy_status, clippy_seconds, clippy_log)

    ran = [c for c in collector.cases if c[2] in ('ok', 'FAILED')]
    failed = [c for c in collector.cases if c[2] == 'FAILED']
    ignored = [c for c in collector.cases if c[2] == 'ignored']
    print('rust: %d passed, %d failed, %d ignored; clippy %s; junit: %s'
          % (len(ran) - len(failed), len(failed), len(ignored),
             'ok' if clippy_status == 0 else 'FAILED', args.junit))
    for suite, name, _, _ in failed:
        print('FAILED: %s %s' % (suite, name))
    if clippy_status != 0:
        print('clippy failed (status %d)' % clippy_status)
        return 1
    if test_status != 0 or failed:
        print('cargo test failed (status %d)' % test_status)
        return 1
    if not ran:
        print('no test ran')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
