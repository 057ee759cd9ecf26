#!/usr/bin/env python3
"""The "双随机" draw: random targets and random inspector pairs, reproducible from a public seed.

This file is deliberately standalone (Python standard library only) so that anyone can re-run a
published draw:

    python3 drawing.py published-draw.json

Algorithm "firegrid-draw-1":
1. Targets. Every place in the pool has a public code. Its ticket is
   SHA-256("<seed>|target|<code>") read as a hex number. Places are ordered by ticket (then code)
   and the first `sample_size` are drawn.
2. Inspectors, in pairs, balanced. Inspectors are dealt in rounds: round r orders the whole
   inspector pool by SHA-256("<seed>|round|<r>|<inspector id>"). Drawn places are served in ticket
   order; each takes the next two inspectors of the current round who are not excluded for it
   (its own grid worker, its owners, the inspectors of its last inspection). Inspectors skipped
   because they were excluded stay at the front of the queue for the next place. When a round is
   used up the next round is dealt. So every inspector gets one turn per round: the workload
   differs by at most one turn plus what exclusions force.
The same seed and the same published pools always give the same result.
"""

import hashlib
import heapq
import json
import sys
from collections import deque

ALGORITHM = "firegrid-draw-1"


class DrawError(ValueError):
    pass


def ticket(*parts):
    """SHA-256 of the parts joined by "|", read as a big-endian number."""
    return int.from_bytes(hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).digest(), "big")


def draw_targets(seed, codes, sample_size):
    codes = sorted(set(codes))
    if sample_size < 1:
        raise DrawError("the sample size must be at least 1")
    if sample_size > len(codes):
        raise DrawError(f"the sample size {sample_size} is larger than the pool of {len(codes)} places")
    return heapq.nsmallest(sample_size, codes, key=lambda c: (ticket(seed, "target", c), c))


def _round(seed, number, inspectors):
    return deque(sorted(inspectors, key=lambda i: (ticket(seed, "round", number, i), i)))


def assign_pairs(seed, targets, inspectors, exclusions, team_size=2):
    """targets in draw order; exclusions: {place code: set of inspector ids}. Returns [(code, [ids])]."""
    inspectors = sorted(set(inspectors))
    pool = set(inspectors)
    if len(inspectors) < team_size:
        raise DrawError(f"the inspector pool has {len(inspectors)} people; a team needs {team_size}")
    round_number = 0
    queue = _round(seed, round_number, inspectors)
    result = []
    for code in targets:
        excluded = set(exclusions.get(code, ()))
        if len(pool) - len(excluded & pool) < team_size:
            raise DrawError(f"place {code}: fewer than {team_size} inspectors remain after avoidance rules")
        team, skipped, rounds_dealt = [], [], 0
        while len(team) < team_size:
            if not queue:
                round_number += 1
                rounds_dealt += 1
                queue = _round(seed, round_number, inspectors)
                if rounds_dealt > 2:
                    raise DrawError(
                        f"place {code}: no eligible inspector found"
                    )  # cannot happen, guarded above
            inspector = queue.popleft()
            if inspector in excluded or inspector in team:
                skipped.append(inspector)
            else:
                team.append(inspector)
        queue.extendleft(reversed(skipped))
        result.append((code, team))
    return result


def run(published):
    """Run a draw from its published record (places with exclusions, inspectors, seed, size)."""
    if published.get("algorithm") != ALGORITHM:
        raise DrawError(f"unknown algorithm {published.get('algorithm')!r}")
    seed = published["seed"]
    places = {p["code"]: set(p.get("exclude", [])) for p in published["places"]}
    targets = draw_targets(seed, places, int(published["sample_size"]))
    pairs = assign_pairs(seed, targets, published["inspectors"], places, int(published.get("team_size", 2)))
    return [{"place": code, "inspectors": team} for code, team in pairs]


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        published = json.load(handle)
    result = run(published)
    for row in result:
        print(row["place"], " ".join(map(str, row["inspectors"])))
    if "result" in published:
        same = published["result"] == result
        print(
            "MATCH: the published result is reproduced" if same else "MISMATCH: the published result differs"
        )
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
