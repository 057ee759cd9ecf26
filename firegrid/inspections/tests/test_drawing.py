"""The draw algorithm: reproducible, every avoidance rule, balanced, clear errors."""

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from firegrid.inspections import drawing

SCRIPT = Path(drawing.__file__)


def published(n_places=60, n_inspectors=10, sample=20, seed="2026-12-01 seed", exclude=None):
    places = [{"code": f"P{i:04d}", "exclude": (exclude or {}).get(f"P{i:04d}", [])} for i in range(n_places)]
    return {
        "algorithm": drawing.ALGORITHM,
        "seed": seed,
        "sample_size": sample,
        "places": places,
        "inspectors": [f"I{i:03d}" for i in range(n_inspectors)],
    }


def test_same_seed_same_result_and_another_seed_differs():
    record = published()
    assert drawing.run(record) == drawing.run(json.loads(json.dumps(record)))
    assert drawing.run(record) != drawing.run(published(seed="another seed"))


def test_order_of_the_published_lists_does_not_matter():
    record = published()
    shuffled = dict(
        record, places=list(reversed(record["places"])), inspectors=list(reversed(record["inspectors"]))
    )
    assert drawing.run(record) == drawing.run(shuffled)


def test_targets_are_a_sample_of_the_pool_without_repeats():
    result = drawing.run(published())
    codes = [r["place"] for r in result]
    assert len(codes) == 20 == len(set(codes))


def test_pairs_of_two_different_inspectors():
    for row in drawing.run(published()):
        assert len(row["inspectors"]) == 2 and row["inspectors"][0] != row["inspectors"][1]


def test_exclusions_are_respected():
    everyone = [f"I{i:03d}" for i in range(10)]
    exclude = {f"P{i:04d}": everyone[:8] for i in range(60)}  # only I008 and I009 may go anywhere
    for row in drawing.run(published(exclude=exclude)):
        assert sorted(row["inspectors"]) == ["I008", "I009"]


def test_workload_is_balanced():
    result = drawing.run(published(n_places=500, n_inspectors=20, sample=200))
    load = Counter(i for row in result for i in row["inspectors"])
    assert len(load) == 20 and max(load.values()) - min(load.values()) <= 1


def test_too_large_a_sample_and_too_few_inspectors_are_errors():
    with pytest.raises(drawing.DrawError, match="larger than the pool"):
        drawing.run(published(sample=61))
    with pytest.raises(drawing.DrawError, match="fewer than 2"):
        drawing.run(published(exclude={f"P{i:04d}": [f"I{j:03d}" for j in range(9)] for i in range(60)}))


def test_standalone_script_reproduces_a_published_draw(tmp_path):
    record = published()
    record["result"] = drawing.run(record)
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "MATCH" in done.stdout
    record["result"][0]["inspectors"].reverse()
    path.write_text(json.dumps(record), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1 and "MISMATCH" in done.stdout
