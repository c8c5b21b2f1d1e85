#!/usr/bin/env python3
# Prints meson's test results as one "N passed, N failed, N skipped" line.
import json
import sys

counts = {"passed": 0, "failed": 0, "skipped": 0}
try:
    with open(sys.argv[1]) as f:
        for line in f:
            result = json.loads(line).get("result", "")
            if result in ("OK", "EXPECTEDFAIL"):
                counts["passed"] += 1
            elif result == "SKIP":
                counts["skipped"] += 1
            else:
                counts["failed"] += 1
except FileNotFoundError:
    pass
print("%(passed)d passed, %(failed)d failed, %(skipped)d skipped" % counts)
