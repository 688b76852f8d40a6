"""Checks the lines `tnactl -j monitor` printed.

    events.py FILE [EVENT ID]...

Every line must be {"event":"added"|"changed"|"removed"|"fdb","node":{...}},
and for each EVENT ID pair some line must carry that event for the node ID.
Prints what is wrong as "# " lines; exits 0 when nothing is.
"""

import json
import sys

EVENTS = {"added", "changed", "removed", "fdb"}


def main():
    path, wanted = sys.argv[1], sys.argv[2:]
    seen, problems = set(), []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            try:
                ev = json.loads(line)
            except json.JSONDecodeError:
                problems.append(f"line {n} is not JSON: {line.strip()[:100]!r}")
                continue
            if not isinstance(ev, dict) or ev.get("event") not in EVENTS \
                    or not isinstance(ev.get("node"), dict):
                problems.append(f"line {n} is not a graph event: {line.strip()[:100]!r}")
                continue
            seen.add((ev["event"], ev["node"].get("id")))
    for event, node_id in zip(wanted[::2], wanted[1::2]):
        if (event, node_id) not in seen:
            problems.append(f"no {event!r} event for {node_id}")
    for p in problems[:10]:
        print(f"# {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
