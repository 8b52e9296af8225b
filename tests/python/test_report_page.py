"""The report page from hand-made rows: values that look like markup stay text, a split
with three groups and several projects draw, long lists say how many more the mart holds."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from chromium import CHROMIUM, Chromium

from extract.report import queries as q
from extract.report.charts import SWEEP_STATES
from extract.report.data import Finding, ReportData, Row
from extract.report.page import render_page

HOSTILE = "</script><img src=x onerror=alert(1)>"
AT = dt.datetime(2025, 9, 10, 18, tzinfo=dt.UTC)
PROJECTS = [("lab", "three-groups"), ("lab", HOSTILE)]
# A run name and a value without a space to break at.
LONG_NAME = "250904-222608_test_match_60M_finetune_lr2e-05_s42_" * 2


def project_rows(entity: str, project: str) -> dict[str, list[Row]]:
    key = {"entity": entity, "project": project}
    groups = ("small", "medium", "large")
    return {
        q.AS_OF.name: [
            key
            | {
                "built_load_number": 1,
                "as_of": AT,
                "loads": 1,
                "newest_load_number": 1,
                "newest_finished_at": AT,
                "analysed_runs": 30,
            }
        ],
        q.STATE_MIX.name: [
            key
            | {
                "split_name": "size",
                "split_group": group,
                "state": state,
                "runs": 5,
                "group_runs": 10,
                "share_of_group": 0.5,
            }
            for group in groups
            for state in ("finished", HOSTILE)
        ],
        q.TAG_PREVALENCE.name: [
            key
            | {
                "split_name": "size",
                "split_group": group,
                "tag": tag,
                "tag_category": "odd",
                "tagged_runs": 2,
                "group_runs": 10,
                "group_share": 0.2,
                "other_tagged_runs": 4,
                "other_runs": 20,
                "other_share": 0.2 if tag == "same" else None,
                "share_difference": 0.0 if tag == "same" else None,
            }
            for group in groups
            for tag in ("same", HOSTILE)
        ],
        q.TAG_COVERAGE.name: [
            key
            | {
                "load_number": 1,
                "as_of": AT,
                "created_month": month,
                "runs": 10,
                "runs_with_tags": 5,
                "share_with_tags": 0.5,
            }
            for month in (dt.date(2025, 9, 1), None)
        ],
        q.PAIR_AGREEMENT.name: [
            key
            | {
                "column_pair": HOSTILE,
                "config_path": "a",
                "summary_path": "b",
                "shared_rows": 3,
                "matching_rows": 1,
                "divergent_rows": 2,
                "match_rate": 1 / 3,
            }
        ],
        q.DIVERGENT_RUNS.name: [
            key
            | {
                "column_pair": HOSTILE,
                "run_name": HOSTILE if i == 0 else LONG_NAME,
                "run_id": f"r{i}",
                "state": "running",
                "experiment_group": "test_match_60M",
                "created_at": AT,
                "config_value": "2887188480000000000",
                "summary_value": HOSTILE if i == 0 else "n" * 80,
                "divergent_runs": 2,
            }
            for i in range(2)
        ],
        q.FLAG_COUNTS.name: [
            key
            | {
                "flag": "stale_running",
                "split_group": group,
                "flagged_runs": 500,
                "judged_runs": 1000,
                "group_runs": 1000,
            }
            for group in groups
        ],
        q.FLAGGED_RUNS.name: [
            key
            | {
                "flag": "stale_running",
                "run_name": HOSTILE,
                "run_id": f"r{i}",
                "state": "running",
                "split_group": "small",
                "last_step": None,
                "last_logged_at": None,
                "heartbeat_at": AT,
                "training_seconds": None,
                "timeout_seconds": 1800.0,
                "flagged_runs": 1500,
            }
            for i in range(2)
        ],
        q.CHANGES_PER_LOAD.name: [
            key
            | {
                "load_number": 1,
                "as_of": AT,
                "tag_changes": 0,
                "state_changes": 0,
                "changed_runs": 0,
            }
        ],
        q.TOP_CHANGES.name: [],
        q.SWEEPS.name: [
            key
            | {
                "sweep_id": f"s{i}",
                "sweep_name": HOSTILE,
                "sweep_method": "grid",
                "sweep_state": "FINISHED",
                "metric_name": HOSTILE,
                "metric_goal": "minimize",
                "runs": 3,
                "runs_with_metric": 2,
                "best_run_id": "r0",
                "best_run_name": HOSTILE,
                "best_metric_value": 0.25,
                "created_at": AT,
                "project_sweeps": 50,
            }
            | {f"{state}_runs": 0 for state in SWEEP_STATES}
            | {"finished_runs": 2, "crashed_runs": 1}
            for i in range(2)
        ],
        q.ARTIFACT_TYPES.name: [
            key
            | {
                "artifact_type": HOSTILE,
                "direction": direction,
                "artifact_versions": 4,
                "runs": 3,
                "size_bytes": 5 * 2**30,
            }
            for direction in ("used", "logged")
        ],
        q.MOST_USED_ARTIFACTS.name: [
            key
            | {
                "artifact_version": f"{HOSTILE}:v0",
                "artifact_type": HOSTILE,
                "using_runs": 3,
                "logged_by_run_name": None,
                "logged_by_run_id": None,
                "size_bytes": 512,
                "used_versions": 30,
            }
        ],
    }


def all_rows() -> dict[str, list[Row]]:
    rows: dict[str, list[Row]] = {query.name: [] for query in q.ALL_QUERIES}
    for entity, project in PROJECTS:
        for name, more in project_rows(entity, project).items():
            rows[name].extend(more)
    return rows


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rows = all_rows()
    findings = [
        Finding(
            HOSTILE,
            f"{HOSTILE} on sweeps",
            HOSTILE,
            f"findings.{HOSTILE}",
            250,
            ["entity", "run_id", "runs"],
            [{"entity": HOSTILE, "run_id": f"r{i}", "runs": i} for i in range(200)],
        ),
        Finding("assert_quiet", "assert_quiet", "Finds nothing.", "findings.q", 0, [], []),
        Finding("assert_new", "assert_new", "Not run yet.", "findings.n", None, [], []),
    ]
    html = render_page(ReportData(rows=rows, projects=PROJECTS, findings=findings), HOSTILE, AT)
    path = tmp_path_factory.mktemp("page") / "report.html"
    path.write_text(html)
    return path


def test_markup_in_values_stays_text(page: Path) -> None:
    html = page.read_text()
    assert HOSTILE not in html
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    # Inside the specs' JSON, '<' is escaped, so no value can close the script.
    specs = re.search(r"const specs = (\{.*?\});\n", html, flags=re.DOTALL)
    assert specs is not None and "</" not in specs.group(1)
    assert HOSTILE in json.dumps(json.loads(specs.group(1)))


def test_data_rules_list_every_rule_and_cap_the_rows_named(page: Path) -> None:
    html = page.read_text()
    rules = html[html.index('<section id="data-rules">') :]
    assert "1 of 3 rules named rows." in rules
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; on sweeps: 200 of 250 rows " in (
        rules
    )
    assert '<td class="num">not run yet</td>' in rules and "assert_quiet" in rules
    assert rules.index(">250</td>") < rules.index("assert_quiet")  # most rows named first
    # A warehouse built before marts.data_rules: a note, no table.
    empty = render_page(ReportData(rows=all_rows(), projects=PROJECTS), "w.duckdb", AT)
    assert "built before data rules were listed" in empty


def test_long_lists_say_how_many_more(page: Path) -> None:
    html = page.read_text()
    assert "stale_running: 2 of 1,500 runs shown, 1,498 more in the mart" in html
    assert "Divergent runs, per pair: 2 rows" in html
    assert "Most used artifact versions: 1 of 30 versions shown, 29 more in the mart" in html
    assert "5.0 GiB" in html and "512 B" in html


def test_a_project_without_stored_history_is_not_judged() -> None:
    project = ("lab", "no-history")
    rows = project_rows(*project)
    rows[q.FLAG_COUNTS.name] = [
        row | {"flagged_runs": 0, "judged_runs": 0} for row in rows[q.FLAG_COUNTS.name]
    ]
    rows[q.FLAGGED_RUNS.name] = []
    html = render_page(ReportData(rows=rows, projects=[project]), "w.duckdb", AT)
    progress = html[html.index('<section id="run-progress">') :]
    progress = progress[: progress.index("</section>")]
    assert "No run is judged: no analysed run has its history stored" in progress
    assert 'data-section="run-progress"' not in progress and "flag_counts" not in progress


# Per chart: its section, the labels of its x axis and of its legend, as drawn.
READ_CHARTS = """
[...document.querySelectorAll("div.chart")].map((div) => ({
  section: div.dataset.section,
  svgs: div.querySelectorAll("svg.marks").length,
  x: [...div.querySelectorAll("g.role-axis")]
    .filter((axis) => (axis.getAttribute("aria-label") || "").startsWith("X-axis"))
    .flatMap((axis) => [...axis.querySelectorAll("g.role-axis-label text")])
    .map((text) => text.textContent),
  legend: [...div.querySelectorAll("g.role-legend-label text")].map((t) => t.textContent),
}))
"""
# Each table of numbers: its query, and its width against the room it has.
READ_TABLE_WIDTHS = """
(() => {
  document.querySelectorAll("details").forEach((details) => { details.open = true; });
  return [...document.querySelectorAll("table.numbers")].map((table) => ({
    query: table.dataset.query,
    width: table.scrollWidth,
    room: table.parentElement.clientWidth,
  }));
})()
"""
COUNT_SECTIONS = ("pair-agreement", "run-progress", "changes", "sweeps", "artifacts")


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM} (docs/report.md)")
def test_page_draws_in_chromium(page: Path) -> None:
    with Chromium() as browser:
        browser.viewport(1100, 1400)  # the page's width (body max-width)
        browser.open(page.as_uri())
        state = browser.wait_for("document.body && document.body.dataset.rendered")
        alerts = browser.evaluate("document.querySelectorAll('img').length")
        charts = browser.evaluate(READ_CHARTS)
        tables = browser.evaluate(READ_TABLE_WIDTHS)
        errors = browser.events.console_errors
    assert state == "all" and errors == []
    assert alerts == 0
    # Eight sections, two projects; the tag chart of three groups is one concatenated chart.
    assert [chart["svgs"] for chart in charts] == [1] * 16
    # Counts of 3 runs: whole-number ticks only (not 0, 0.5, 1, ...).
    counted = [chart for chart in charts if chart["section"] in COUNT_SECTIONS]
    assert len(counted) == 10 and all(chart["x"] for chart in counted)
    assert all(re.fullmatch(r"[\d,]+", label) for c in counted for label in c["x"]), counted
    # The sweep legend lists the states the sweeps' runs are in, no other.
    sweeps = [chart["legend"] for chart in charts if chart["section"] == "sweeps"]
    assert sweeps == [["finished", "crashed"]] * 2
    # The divergent values (markup-like text, long values) fit the page's width.
    divergent = [t for t in tables if t["query"] == q.DIVERGENT_RUNS.name]
    assert len(divergent) == 2
    assert all(t["width"] <= t["room"] for t in divergent), divergent
