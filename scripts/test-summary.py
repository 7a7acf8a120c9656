#!/usr/bin/env python3
"""Count individual test cases of a `meson test` run and print one line:

    ftpkit: N passed, M failed[, K skipped]

Sources, for each meson-level test in <build>/meson-logs/testlog.json:
  - a test that writes its own JUnit file (pytest's --junitxml=PATH, by
    convention <build>/pytest-<name>.xml; the bindings' runners name
    <build>/junit-<name>.xml in an argument or their test environment): the
    cases in that file; the meson-level entry itself is not counted;
  - a gtest or TAP test: its individual cases as Meson copied them into
    <build>/meson-logs/testlog.junit.xml;
  - any other test: one case with the meson-level result.
A meson-level failure (crash, timeout, non-zero exit) that the per-case files
do not show is counted as one more failure, so nothing fails silently.

Exit status: 0 when something ran and nothing failed, 1 otherwise.
Usage: test-summary.py BUILD_DIR [MESON_TEST_EXIT_STATUS]
       test-summary.py --clean BUILD_DIR   (before the run: remove the result
       files of an earlier run, so that a crashed test cannot be counted
       from stale ones)
"""
import glob
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

PASS_RESULTS = {'OK', 'EXPECTEDFAIL'}
SKIP_RESULTS = {'SKIP'}


def case_outcome(tc):
    """'failed', 'skipped' or 'passed' for one junit <testcase>."""
    if tc.find('failure') is not None or tc.find('error') is not None:
        return 'failed'
    if tc.find('skipped') is not None:
        return 'skipped'
    # GoogleTest: DISABLED_ tests are status="notrun"; GTEST_SKIP() gives
    # result="skipped" (Meson removes `result`, but keep both checks).
    if tc.get('status') == 'notrun' or tc.get('result') in ('skipped', 'suppressed'):
        return 'skipped'
    return 'passed'


def count_cases(elements):
    counts = {'passed': 0, 'failed': 0, 'skipped': 0}
    for tc in elements:
        counts[case_outcome(tc)] += 1
    return counts


def add(total, counts):
    for k in total:
        total[k] += counts[k]


JUNIT_NAME = re.compile(r'^(pytest|junit)-[^/]*\.xml$')


def junit_path(cmd, build, env=None):
    """The JUnit file a test writes, or None.

    Either pytest's --junitxml PATH (or --junit-xml), or, for the other
    runners (bindings' go test, cargo test, ...), any argument or test
    environment value naming <build>/pytest-*.xml or <build>/junit-*.xml."""
    found = None
    for i, arg in enumerate(cmd):
        for opt in ('--junitxml', '--junit-xml'):
            if arg.startswith(opt + '='):
                found = arg.split('=', 1)[1]
            elif arg == opt and i + 1 < len(cmd):
                found = cmd[i + 1]
        if found:
            break
    if not found:
        values = list(cmd) + [str(v) for v in (env or {}).values()]
        for v in values:
            v = v.split('=', 1)[1] if v.startswith('--') and '=' in v else v
            if JUNIT_NAME.match(os.path.basename(v)):
                found = v
                break
    if not found:
        return None
    return found if os.path.isabs(found) else os.path.join(build, found)


def clean(build):
    paths = glob.glob(os.path.join(build, 'pytest-*.xml'))
    paths += glob.glob(os.path.join(build, 'junit-*.xml'))
    paths += glob.glob(os.path.join(build, 'meson-logs', 'testlog*'))
    intro_path = os.path.join(build, 'meson-info', 'intro-tests.json')
    if os.path.exists(intro_path):
        with open(intro_path, encoding='utf-8') as f:
            for t in json.load(f):
                if t.get('protocol') == 'gtest':  # Meson reads <workdir>/<name>.xml
                    paths.append(os.path.join(t.get('workdir') or build, t['name'] + '.xml'))
                xml = junit_path(t.get('cmd') or [], build, t.get('env'))
                if xml:
                    paths.append(xml)
    for p in paths:
        try:
            os.remove(p)
        except FileNotFoundError:
            pass
    return 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == '--clean':
        return clean(sys.argv[2])
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    build = sys.argv[1]
    meson_rc = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    logdir = os.path.join(build, 'meson-logs')
    json_log = os.path.join(logdir, 'testlog.json')
    junit_log = os.path.join(logdir, 'testlog.junit.xml')

    runs = []
    if os.path.exists(json_log):
        with open(json_log, encoding='utf-8') as f:
            runs = [json.loads(line) for line in f if line.strip()]

    # The tests Meson knows, by name: protocol and working directory.
    intro = {}
    intro_path = os.path.join(build, 'meson-info', 'intro-tests.json')
    if os.path.exists(intro_path):
        with open(intro_path, encoding='utf-8') as f:
            for t in json.load(f):
                intro[t['name']] = t

    junit_suites = []
    if os.path.exists(junit_log):
        junit_suites = ET.parse(junit_log).getroot().findall('testsuite')

    total = {'passed': 0, 'failed': 0, 'skipped': 0}
    notes = []
    for run in runs:
        # testlog.json names tests "project:suite / name" when several suites
        # exist, else "name".
        pretty = run['name']
        name = pretty.split(' / ', 1)[1] if ' / ' in pretty else pretty
        result = run['result']
        meson_failed = result not in PASS_RESULTS and result not in SKIP_RESULTS
        info = intro.get(name, {})
        project = 'ftpkit'
        if info.get('suite'):
            project = info['suite'][0].split(':', 1)[0] or project

        counts = None
        xml = junit_path(run.get('command') or info.get('cmd') or [], build,
                         info.get('env'))
        if xml is not None:
            if os.path.exists(xml):
                root = ET.parse(xml).getroot()
                counts = count_cases(root.iter('testcase'))
            else:
                notes.append('%s: %s was not written' % (pretty, xml))
        else:
            # Meson names a gtest's suites "<project>.<test>.<gtest suite>"
            # and a TAP test's suite "<project>.<test>", where <test> is the
            # name as testlog.json has it (the plain name on other versions).
            cases = []
            for s in junit_suites:
                sname = s.get('name', '')
                for n in {pretty, name}:
                    stem = '%s.%s' % (project, n)
                    if sname == stem or sname.startswith(stem + '.'):
                        cases.extend(s.findall('testcase'))
                        break
            if cases:
                counts = count_cases(cases)

        if counts is None or sum(counts.values()) == 0:
            counts = {'passed': 0, 'failed': 0, 'skipped': 0}
            if result in PASS_RESULTS:
                counts['passed'] = 1
            elif result in SKIP_RESULTS:
                counts['skipped'] = 1
            else:
                counts['failed'] = 1
        elif meson_failed and counts['failed'] == 0:
            counts['failed'] += 1
            notes.append('%s: %s although every case passed (crash, leak, exit '
                         'status?)' % (pretty, result))
        add(total, counts)

    if meson_rc != 0 and total['failed'] == 0:
        total['failed'] += 1
        notes.append('meson test exited with status %d' % meson_rc)

    for n in notes:
        print('note: ' + n)
    line = 'ftpkit: %d passed, %d failed' % (total['passed'], total['failed'])
    if total['skipped']:
        line += ', %d skipped' % total['skipped']
    print(line)
    ran = total['passed'] + total['failed']
    if ran == 0:
        print('error: no test ran', file=sys.stderr)
        return 1
    return 1 if total['failed'] else 0


if __name__ == '__main__':
    sys.exit(main())
