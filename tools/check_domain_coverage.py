"""Fail unless every line and branch of hoga.domain is covered (reads the JSON report)."""

from __future__ import annotations

import json
import sys


def main(path: str) -> int:
    with open(path, encoding="utf-8") as fh:
        report = json.load(fh)
    failures = []
    for name, data in sorted(report["files"].items()):
        if "/hoga/domain/" not in name.replace("\\", "/"):
            continue
        summary = data["summary"]
        missing = summary["missing_lines"] + summary.get("missing_branches", 0)
        if missing:
            failures.append(
                f"{name}: {summary['missing_lines']} lines and "
                f"{summary.get('missing_branches', 0)} branches not covered "
                f"(lines {data['missing_lines']})"
            )
    if failures:
        print("domain/ must be covered 100% (lines and branches):")
        print("\n".join(failures))
        return 1
    print("domain/ coverage: 100% lines and branches")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
