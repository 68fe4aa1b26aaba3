"""Print per-pass test counts from JUnit XML reports and a closing total line.

Exits non-zero when a pass ran no test, or (under CI) when any test was skipped: on CI a skipped
PostgreSQL or browser test means a real part went untested.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def counts(report: Path) -> dict[str, int]:
    root = ET.parse(report).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        for name in total:
            total[name] += int(suite.get(name, 0))
    return total


def main() -> int:
    reports, ci, names = Path(sys.argv[1]), sys.argv[2] == "true", sys.argv[3:]
    ok = True
    grand = {"passed": 0, "failed": 0, "skipped": 0}
    for name in names:
        path = reports / f"{name}.xml"
        if not path.exists():
            print(f"{name}: no report (the pass did not run)")
            ok = False
            continue
        c = counts(path)
        failed = c["failures"] + c["errors"]
        passed = c["tests"] - failed - c["skipped"]
        print(f"{name}: {passed} passed, {failed} failed, {c['skipped']} skipped")
        grand["passed"] += passed
        grand["failed"] += failed
        grand["skipped"] += c["skipped"]
        if c["tests"] == 0:
            print(f"{name}: ran no test")
            ok = False
        if ci and c["skipped"]:
            print(f"{name}: {c['skipped']} skipped under CI=true, which counts as a failure")
            ok = False
    print(f"total: {grand['passed']} passed, {grand['failed']} failed, {grand['skipped']} skipped")
    return 0 if ok and grand["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
