"""bench/readme rewrites only the regions between its markers, from the newest full run of each benchmark."""

import json
import os

from bench import readme_speed

README = """# Title

Prose before.

<!-- bench:letters -->
| old | table |
<!-- /bench:letters -->

Prose between, with <!-- a comment --> kept.

<!-- bench:pdf -->
hand-written figures
<!-- /bench:pdf -->

Prose after.
"""


def test_regions_replace_rewrites_only_the_named_regions():
    text, missing = readme_speed.regions_replace(README, {"letters": "| new | table |"})

    assert missing == []
    assert "<!-- bench:letters -->\n\n| new | table |\n\n<!-- /bench:letters -->" in text
    assert "| old | table |" not in text
    assert text.replace("\n| new | table |\n", "| old | table |") == README
    assert "hand-written figures" in text


def test_regions_replace_is_stable_when_run_again():
    once, _ = readme_speed.regions_replace(README, {"letters": "| new |", "pdf": "| pdf |"})
    twice, _ = readme_speed.regions_replace(once, {"letters": "| new |", "pdf": "| pdf |"})

    assert twice == once


def test_regions_replace_names_a_benchmark_without_a_region():
    text, missing = readme_speed.regions_replace(README, {"throughput": "| t |"})

    assert missing == ["throughput"]
    assert text == README


def test_regions_replace_takes_a_block_literally():
    text, _ = readme_speed.regions_replace(README, {"pdf": r"C:\new \1 \g<0>"})

    assert r"C:\new \1 \g<0>" in text


def _save(folder, name, data, mtime):
    path = folder / name
    path.write_text(json.dumps(data))
    os.utime(path, (mtime, mtime))
    return path


def test_results_load_takes_the_newest_full_run_and_leaves_smoke_runs_out(tmp_path, monkeypatch):
    monkeypatch.setattr(readme_speed, "RESULTS_DIR", tmp_path)
    _save(tmp_path, "supervision-1.json", {"measured_at": "2026-12-05T09:00:00+08:00"}, 0)
    newest = _save(tmp_path, "supervision-2.json", {"measured_at": "2026-12-05T02:00:00+00:00"}, 0)
    _save(tmp_path, "supervision-3.json", {"measured_at": "2026-12-05T11:00:00+08:00", "ci": True}, 0)
    _save(tmp_path, "throughput-1.json", {"benchmark": "throughput", "quick": True}, 100)
    older_file = _save(tmp_path, "letters-1.json", {"benchmark": "letters"}, 100)
    _save(tmp_path, "letters-2.json", {"benchmark": "letters"}, 50)

    results = readme_speed.results_load([], include_ci=False)

    assert {name: path for name, (path, _data) in results.items()} == {
        "supervision": newest,
        "letters": older_file,
    }


def test_results_load_takes_a_named_smoke_run(tmp_path, monkeypatch):
    monkeypatch.setattr(readme_speed, "RESULTS_DIR", tmp_path)
    _save(tmp_path, "reminders-1.json", {"measured_at": "2026-12-05T09:00:00+08:00"}, 0)
    named = _save(tmp_path / "..", "reminders-ci.json", {"benchmark": "reminders", "ci": True}, 0)

    results = readme_speed.results_load([named], include_ci=False)

    assert results["reminders"][0] == named


def test_check_fails_when_the_readme_would_change(tmp_path, monkeypatch):
    monkeypatch.setattr(readme_speed, "RESULTS_DIR", tmp_path / "results")
    (tmp_path / "results").mkdir()
    readme = tmp_path / "README.md"
    readme.write_text(README)
    run = {
        "benchmark": "reminders",
        "measured_at": "2026-12-05T09:00:00+08:00",
        "database": "SQLite file /tmp/x",
        "items": 3000,
        "units": 100,
        "sweeps": [{"name": "first", "rows": 2710, "send_tasks": 28, "seconds": 0.3, "queries": 93}],
        "peak_rss_growth_mib": 0.0,
        "peak_python_memory_mib": 2.1,
        "target_seconds": 30.0,
        "consistent": True,
        "met": True,
    }
    _save(tmp_path / "results", "reminders-1.json", run, 0)
    readme.write_text(
        README.replace("<!-- bench:pdf -->", "<!-- bench:reminders -->").replace(
            "<!-- /bench:pdf -->", "<!-- /bench:reminders -->"
        )
    )

    assert readme_speed.main(["--check", f"--readme={readme}"]) == 1
    assert readme_speed.main([f"--readme={readme}"]) == 0
    assert readme_speed.main(["--check", f"--readme={readme}"]) == 0
    text = readme.read_text()
    assert "| first | 2,710 | 28 | 0.30 s | 93 | < 30 s | met |" in text
    assert "_Measured 2026-12-05 09:00 UTC+08:00 on SQLite" in text
    assert "<!-- bench:letters -->\n| old | table |\n<!-- /bench:letters -->" in text
