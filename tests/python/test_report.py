"""`wandb-warehouse report` on the bundled sample: the file it writes, its errors, and the
page as headless Chromium draws it (charts present, no console errors, no request but
the file, and every number shown equal to the marts')."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
import second_project
import yaml
from chromium import CHROMIUM, Chromium
from dbt_builds import BuiltWarehouse

from extract.cli import main
from extract.demo import HEADLINES
from extract.warehouse.database import PROJECT_ROOT, connect, ensure_raw_schema
from extract.warehouse.dbt import build_command

SECTIONS = (
    "state-mix",
    "tag-prevalence",
    "tag-coverage",
    "pair-agreement",
    "run-progress",
    "changes",
    "sweeps",
    "artifacts",
)
PROJECT = "datadecide-lab/ft-small-lm"
RUN_STATES = yaml.safe_load((PROJECT_ROOT / "dbt_project.yml").read_text())["vars"][
    "wandb_run_states"
]
FLAGS = (
    "finished_without_progress",
    "stale_running",
    "likely_timed_out",
    "state_contradicts_history",
)


def report_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "extract.cli", "report", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def report(sample_warehouse: BuiltWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = report_cli("--db", str(sample_warehouse.db), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"report: {out} (")
    return out


def test_report_is_one_file_with_everything_inlined(report: Path) -> None:
    page = report.read_text()
    assert len(page.encode()) < 2_000_000
    assert "window.vegaEmbed" in page
    # The markup outside the inline scripts names nothing for the browser to fetch.
    markup = re.sub(r"<script>.*?</script>", "", page, flags=re.DOTALL)
    assert markup.count("<script") == 0
    assert not re.search(r"<link\b|<img\b|<iframe\b|@import|\bsrc=", markup)


def test_demo_builds_its_own_file_and_names_the_projects(tmp_path: Path) -> None:
    # The user's warehouse is named by $WANDB_WAREHOUSE_DB; the demo never touches it.
    user_db, out = tmp_path / "user.duckdb", tmp_path / "demo.html"
    # A demo file that also holds another project: every headline table names them.
    other = second_project.write(tmp_path / "other.jsonl")
    assert main(["load", "--db", str(tmp_path / "demo.duckdb"), str(other)]) == 0
    result = subprocess.run(
        [sys.executable, "-m", "extract.cli", "demo", "--report", str(out)],
        cwd=tmp_path,
        env={
            **os.environ,
            "DBT_TARGET_PATH": str(tmp_path / "target"),
            "WANDB_WAREHOUSE_DB": str(user_db),
        },
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"report: {out}  (open it in a browser)"
    assert "Data as of" in out.read_text()
    assert not user_db.exists()
    assert "warehouse: demo.duckdb  (open it with" in result.stdout
    lines = result.stdout.splitlines()
    for title in HEADLINES:
        header = lines[lines.index(title) + 2]  # the title, the box's top, its header
        first = "artifact_version" if title.startswith("Artifact lineage") else "project"
        assert header.split("│")[1].strip() == first, title
    assert f"│ {second_project.ENTITY}/{second_project.PROJECT} │ no_timeout" in result.stdout


def test_missing_warehouse_is_one_line(tmp_path: Path) -> None:
    result = report_cli("--db", str(tmp_path / "none.duckdb"), "--out", str(tmp_path / "r.html"))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "no warehouse at" in result.stderr


def test_unbuilt_warehouse_is_one_line(tmp_path: Path) -> None:
    db = tmp_path / "raw_only.duckdb"
    con = connect(db)
    ensure_raw_schema(con)
    con.close()
    result = report_cli("--db", str(db), "--out", str(tmp_path / "r.html"))
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    # The command builds the file asked for, not the default warehouse.duckdb.
    assert f"has no marts: build them with `.venv/bin/wandb-warehouse build --db {db}`" in (
        result.stderr
    )
    assert not (tmp_path / "r.html").exists()


def test_the_build_command_names_the_file_unless_dbt_builds_it_anyway(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WANDB_WAREHOUSE_DB", raising=False)
    assert build_command(Path("warehouse.duckdb")) == ".venv/bin/wandb-warehouse build"
    assert build_command(Path("my lab.duckdb"), "--full-refresh") == (
        ".venv/bin/wandb-warehouse build --full-refresh --db 'my lab.duckdb'"
    )
    monkeypatch.setenv("WANDB_WAREHOUSE_DB", str(tmp_path / "my lab.duckdb"))
    assert build_command(Path("my lab.duckdb")) == ".venv/bin/wandb-warehouse build"


def test_unwritable_output_is_one_line(sample_warehouse: BuiltWarehouse, tmp_path: Path) -> None:
    result = report_cli(
        "--db", str(sample_warehouse.db), "--out", str(tmp_path / "no" / "such" / "r.html")
    )
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "does not exist" in result.stderr


# ---- The page in a real browser ----------------------------------------------------------


@dataclass
class Rendered:
    state: str
    charts: list[dict[str, Any]]
    tables: list[dict[str, Any]]
    chart_texts: dict[str, list[str]]
    as_of: list[list[str]]
    rules: list[list[str]]
    console_errors: list[str]
    requests: list[str]

    def table(self, query: str, project: str = PROJECT) -> list[dict[str, str]]:
        """The rows of the tables of `query` for `project` as header -> shown text."""
        found = [t for t in self.tables if t["query"] == query and t["project"] == project]
        assert found, f"no table of {query} for {project}"
        return [dict(zip(t["header"], row, strict=True)) for t in found for row in t["rows"]]


READ_PAGE = """
(() => {
  const text = (node) => node.textContent.trim();
  return {
    charts: [...document.querySelectorAll("div.chart")].map((div) => ({
      section: div.dataset.section,
      project: div.dataset.project,
      rendered: div.dataset.rendered || null,
      svgs: div.querySelectorAll("svg.marks").length,
      canvases: div.querySelectorAll("canvas").length,
      marks: div.querySelectorAll("svg.marks g.mark-rect path, svg.marks g.mark-rect rect")
        .length,
      texts: [...div.querySelectorAll("svg.marks g.mark-text text")].map(text),
      legend: [...div.querySelectorAll("g.role-legend-label text")].map(text),
    })),
    tables: [...document.querySelectorAll("table.numbers")].map((table) => ({
      query: table.dataset.query,
      project: table.dataset.project,
      label: text(table.closest("details").querySelector("summary")),
      header: [...table.tHead.rows[0].cells].map(text),
      rows: [...table.tBodies[0].rows].map((row) => [...row.cells].map(text)),
    })),
    asOf: [...document.querySelectorAll("table.as-of tbody tr")]
      .map((row) => [...row.cells].map(text)),
    rules: [...document.querySelectorAll("table.rules tbody tr")]
      .map((row) => [...row.cells].map(text)),
  };
})()
"""

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"no Chromium at {CHROMIUM}: `apt-get install -y chromium` to check the report "
    "in a browser (docs/report.md)",
)


@pytest.fixture(scope="module")
def rendered(report: Path) -> Rendered:
    with Chromium() as browser:
        browser.open(report.as_uri())
        state = browser.wait_for("document.body && document.body.dataset.rendered")
        page = browser.evaluate(READ_PAGE)
        events = browser.events
    return Rendered(
        state=state,
        charts=page["charts"],
        tables=page["tables"],
        chart_texts={c["section"]: c["texts"] for c in page["charts"]},
        as_of=page["asOf"],
        rules=page["rules"],
        console_errors=events.console_errors,
        requests=events.requests,
    )


def number(shown: str) -> float:
    """A shown number back as a number: '1,234' 1234, '35.1%' 35.1, '+14.3 pp' 14.3."""
    return float(re.sub(r"[,%+]|\s(pp|s)$", "", shown))


def share(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def shown_share(text: str) -> float | None:
    return number(text) if text else None


def query(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.sql(sql).fetchall()


@needs_chromium
def test_every_chart_drew_without_errors_or_requests(rendered: Rendered, report: Path) -> None:
    assert rendered.state == "all"
    assert [c["section"] for c in rendered.charts] == list(SECTIONS)
    for chart in rendered.charts:
        assert chart["rendered"] == "true", chart["section"]
        assert chart["svgs"] >= 1 and chart["marks"] > 0, chart
    assert rendered.console_errors == []
    assert rendered.requests == [report.as_uri()]


@needs_chromium
def test_data_as_of_the_full_refresh(rendered: Rendered) -> None:
    [row] = rendered.as_of
    assert row[:4] == [PROJECT, "2", "2025-09-10 18:00 UTC", "331"]


@needs_chromium
def test_state_mix_equals_the_mart(
    rendered: Rendered, sample_con: duckdb.DuckDBPyConnection
) -> None:
    shown = {
        (r["group"], r["state"]): (
            number(r["runs"]),
            number(r["runs in group"]),
            number(r["share of group"]),
        )
        for r in rendered.table("state_mix")
    }
    expected = {
        (group, state): (runs, group_runs, share(share_of_group))
        for group, state, runs, group_runs, share_of_group in query(
            sample_con,
            "select timeout_group, state, runs, group_runs, share_of_group "
            "from marts.timeout_state_distribution",
        )
    }
    assert shown == expected
    assert shown[("timeout", "running")] == (49, 196, 25.0)


@needs_chromium
def test_tag_prevalence_equals_the_mart_sorted_by_difference(
    rendered: Rendered, sample_con: duckdb.DuckDBPyConnection
) -> None:
    rows = rendered.table("tag_prevalence")
    # Two groups: the larger one (timeout, 196 runs) against the other, as drawn.
    assert {r["group"] for r in rows} == {"timeout"}
    differences = [number(r["difference"]) for r in rows]
    assert differences == sorted(differences, reverse=True)
    shown = {
        r["tag"]: (
            number(r["tagged runs"]),
            number(r["runs in group"]),
            number(r["share in group"]),
            number(r["tagged other runs"]),
            shown_share(r["share in other runs"]),
            number(r["difference"]),
        )
        for r in rows
    }
    expected = {
        tag: (tagged, group_runs, share(group_share), other_tagged, share(other), share(diff))
        for tag, tagged, group_runs, group_share, other_tagged, other, diff in query(
            sample_con,
            "select tag, tagged_runs, group_runs, group_share, other_tagged_runs, other_share, "
            "share_difference from marts.tag_prevalence_by_group where split_group = 'timeout'",
        )
    }
    assert shown == expected
    assert len(shown) == 18
    assert shown["60M"][:2] == (28, 196) and shown["dclm-dolma"][0] == 84


@needs_chromium
def test_tag_coverage_shows_the_sync_bug(
    rendered: Rendered, sample_con: duckdb.DuckDBPyConnection
) -> None:
    shown = {
        (number(r["load"]), r["created"]): (
            number(r["runs"]),
            number(r["runs with tags"]),
            number(r["share with tags"]),
        )
        for r in rendered.table("tag_coverage")
    }
    expected = {
        (load, created): (runs, tagged, share(ratio))
        for load, created, runs, tagged, ratio in query(
            sample_con,
            "select load_number, strftime(created_month, '%Y-%m'), runs, runs_with_tags, "
            "share_with_tags from marts.tag_coverage",
        )
    }
    assert shown == expected
    assert shown[(1, "2025-08")] == (126, 126, 100.0)
    assert shown[(1, "2025-09")] == (208, 73, 35.1)
    assert shown[(2, "2025-09")] == (208, 208, 100.0)
    # The figures are written on the chart's cells too.
    assert "35.1% (73 of 208)" in rendered.chart_texts["tag-coverage"]


@needs_chromium
def test_pair_agreement_and_divergent_runs_equal_the_marts(
    rendered: Rendered, sample_con: duckdb.DuckDBPyConnection
) -> None:
    shown = {
        r["pair"]: tuple(
            number(r[k]) for k in ("runs holding both", "matching", "divergent", "match rate")
        )
        for r in rendered.table("pair_agreement")
    }
    expected = {
        pair: (shared, matching, divergent, share(rate))
        for pair, shared, matching, divergent, rate in query(
            sample_con,
            "select column_pair, shared_rows, matching_rows, divergent_rows, match_rate "
            "from marts.pretrain_overlap_summary",
        )
    }
    assert shown == expected == {"steps": (21, 19, 2, 90.5), "compute": (21, 19, 2, 90.5)}
    listed = {
        (r["pair"], r["run id"], r["config value"], r["summary value"])
        for r in rendered.table("divergent_runs")
    }
    assert listed == set(
        query(
            sample_con,
            "select column_pair, run_id, config_value, summary_value "
            "from marts.column_pair_overlap where not is_match",
        )
    )
    assert any(v[2:] == ("15000", "29901") for v in listed)
    assert any(v[2:] == ("2887188480000000000", "5755321516032000000") for v in listed)


@needs_chromium
def test_progress_flags_equal_the_mart(
    rendered: Rendered, sample_con: duckdb.DuckDBPyConnection
) -> None:
    shown = {
        (r["flag"], r["group"]): number(r["flagged runs"]) for r in rendered.table("flag_counts")
    }
    expected = {
        (flag, group): count
        for flag in FLAGS
        for group, count in query(
            sample_con,
            f"select split_group, count_if({flag}) from marts.run_progress group by split_group",
        )
    }
    assert shown == expected
    assert shown[("likely_timed_out", "timeout")] == 48
    judged = {r["group"]: number(r["judged runs"]) for r in rendered.table("flag_counts")}
    assert judged == dict(
        query(
            sample_con,
            "select split_group, count_if(history_known) from marts.run_progress group by 1",
        )
    )
    assert judged == {"timeout": 196, "no_timeout": 135}  # every run of the sample
    for flag in FLAGS:
        ids = sorted(
            i for (i,) in query(sample_con, f"select run_id from marts.run_progress where {flag}")
        )
        # One list per flag, every flagged run of the sample in it (fewer than 200 per flag).
        [table] = [
            t
            for t in rendered.tables
            if t["query"] == "flagged_runs" and t["label"].startswith(f"{flag}:")
        ]
        assert table["label"] == f"{flag}: {len(ids)} runs"
        run_id = table["header"].index("run id")
        assert sorted(row[run_id] for row in table["rows"]) == ids


@needs_chromium
def test_changes_per_load_equal_the_mart(
    rendered: Rendered, sample_con: duckdb.DuckDBPyConnection
) -> None:
    shown = {
        number(r["load"]): (number(r["tag changes"]), number(r["state changes"]))
        for r in rendered.table("changes_per_load")
    }
    counted = dict.fromkeys((1, 2), (0, 0)) | {
        load: (tags, states)
        for load, tags, states in query(
            sample_con,
            """
            select loads.load_number, count_if(field = 'tags'), count_if(field = 'state')
            from marts.run_changes
            inner join staging.stg_wandb__loads as loads using (load_id)
            group by loads.load_number
            """,
        )
    }
    assert shown == counted == {1: (0, 0), 2: (135, 0)}


@needs_chromium
def test_sweeps_equal_the_mart(rendered: Rendered, sample_con: duckdb.DuckDBPyConnection) -> None:
    shown = {
        r["id"]: (
            number(r["runs"]),
            number(r["finished"]),
            number(r["with the metric"]),
            r["best run"],
            r["best value"],
        )
        for r in rendered.table("sweeps")
    }
    expected = {
        sweep_id: (runs, finished, with_metric, best or "", f"{value:,.6g}" if value else "")
        for sweep_id, runs, finished, with_metric, best, value in query(
            sample_con,
            "select sweep_id, runs, finished_runs, runs_with_metric, best_run_name, "
            "best_metric_value from marts.sweeps",
        )
    }
    assert shown == expected and len(shown) == 5
    assert shown["z0evw2q0"][3] == "250826-152229_prod_150M_mix_finetune_lr2e-05_s2"
    # The legend: the states the sweeps' runs are in (W&B's order), not all eight.
    (chart,) = [c for c in rendered.charts if c["section"] == "sweeps"]
    assert chart["legend"] == [
        state
        for state in RUN_STATES
        if query(sample_con, f"select sum({state}_runs) from marts.sweeps")[0][0]
    ]
    assert chart["legend"] == ["running", "finished", "crashed", "failed"]


@needs_chromium
def test_artifacts_by_type_and_most_used_equal_the_lineage(
    rendered: Rendered, sample_con: duckdb.DuckDBPyConnection
) -> None:
    lineage = query(
        sample_con,
        "select artifact_type, direction, artifact_id, artifact_version, run_id "
        "from marts.artifact_lineage",
    )
    versions: dict[tuple[str, str], set[str]] = {}
    runs: dict[tuple[str, str], set[str]] = {}
    users: dict[str, set[str]] = {}
    for kind, direction, artifact_id, version, run_id in lineage:
        versions.setdefault((kind, direction), set()).add(artifact_id)
        runs.setdefault((kind, direction), set()).add(run_id)
        if direction == "used":
            users.setdefault(version, set()).add(run_id)
    shown = {
        (r["type"], r["direction"]): (number(r["artifact versions"]), number(r["runs"]))
        for r in rendered.table("artifact_types")
    }
    assert shown == {key: (len(versions[key]), len(runs[key])) for key in versions}
    most_used = [
        (r["artifact version"], number(r["runs using it"]))
        for r in rendered.table("most_used_artifacts")
    ]
    ranked = sorted(((v, len(r)) for v, r in users.items()), key=lambda x: (-x[1], x[0]))
    assert most_used == ranked[:20]


@needs_chromium
def test_data_rule_findings_name_what_each_warn_rule_found(
    rendered: Rendered, sample_con: duckdb.DuckDBPyConnection
) -> None:
    """Every warn-severity test, what it checks and the rows its stored failures hold: the
    warnings of the sample's `dbt build` (6 of 12 rules found something)."""
    rules = query(sample_con, "select rule_title, checks, failures_relation from marts.data_rules")
    assert len(rules) == 12
    expected = {
        title: (checks, query(sample_con, f"select count(*) from {relation}")[0][0])
        for title, checks, relation in rules
    }
    shown = {title: (checks, number(named)) for title, checks, named in rendered.rules}
    assert shown == expected
    # The rows a rule names are the runs its mart flags, e.g. the stale running runs.
    stale = sorted(
        i for (i,) in query(sample_con, "select run_id from marts.run_progress where stale_running")
    )
    assert shown["assert_running_runs_alive"][1] == len(stale) == 54
    [table] = [t for t in rendered.tables if t["query"] == "assert_running_runs_alive"]
    assert table["label"] == "assert_running_runs_alive: 54 rows"
    run_id = table["header"].index("run_id")
    assert sorted(row[run_id] for row in table["rows"]) == stale
    found = [title for title, (_, named) in shown.items() if named]
    assert len(found) == 6 and "assert_pretrain_values_agree" in found
