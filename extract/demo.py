"""`wandb-warehouse demo`: load the bundled sample, build, print the headline tables and
write the report."""

from __future__ import annotations

from pathlib import Path

from extract.errors import UserError
from extract.load.catalog import CatalogLoad
from extract.load.history import HistoryLoad
from extract.load.runs import load_file
from extract.report.build import write_report
from extract.sample.files import load_order
from extract.warehouse.build import run_build
from extract.warehouse.database import connect, open_raw
from extract.warehouse.files import Warehouse
from extract.warehouse.publish import publish

# Each headline's SQL; with several projects in the marts, {project} puts a `project`
# column first and {by_project} sorts by it first (the artifact versions name theirs).
HEADLINES = {
    "Pretrain overlap (config vs checkpoint metadata)": """
        select {project}column_pair, shared_rows, matching_rows, divergent_rows,
               round(match_rate, 3) as match_rate
        from marts.pretrain_overlap_summary order by {by_project}column_pair desc
    """,
    "Divergent pretrain values (config vs checkpoint)": """
        select {project}run_id, experiment_group, state, created_at::date as created,
               pretrain_steps || ' vs ' || model_pretrain_steps as steps,
               pretrain_compute || ' vs ' || model_pretrain_compute as compute
        from marts.pretrain_overlap where not steps_match or not compute_match
        order by {by_project}run_name
    """,
    "Run state by timeout group": """
        select {project}timeout_group, state, runs, round(share_of_group, 3) as share_of_group
        from marts.timeout_state_distribution order by {by_project}timeout_group desc, runs desc
    """,
    "Tag prevalence, timed vs untimed runs": """
        select {project}tag, timeout_runs, round(timeout_share, 3) as timeout_share,
               no_timeout_runs, round(no_timeout_share, 3) as no_timeout_share,
               round(share_difference, 3) as share_difference
        from marts.timeout_tag_prevalence order by {by_project}abs(share_difference) desc, tag
    """,
    "Tag coverage by load and creation month (the old downloader lost late tags)": """
        select {project}load_number as load, as_of::date as as_of,
               strftime(created_month, '%Y-%m') as created, runs, runs_with_tags,
               round(share_with_tags, 3) as share_with_tags
        from marts.tag_coverage order by {by_project}load_number, created_month
    """,
    "Sweeps: runs by state and the best run by each sweep's own metric": """
        select {project}sweep_name, sweep_state as state,
               metric_name as metric, metric_goal as goal, runs,
               finished_runs as finished, running_runs as running, best_run_id,
               round(best_metric_value, 4) as best_value
        from marts.sweeps order by {by_project}created_at
    """,
    "Artifact lineage: the most used artifact versions and the run that logged each": """
        select artifact_version, artifact_project as project, artifact_type as type,
               aliases, logged_by_run_id as logged_by, used_by_runs
        from marts.artifact_versions order by used_by_runs desc, artifact_version limit 10
    """,
    "Progress from history, timed vs untimed runs": """
        select {project}timeout_group, runs, progressed_runs as progressed,
               round(median_training_seconds) as median_train_s,
               likely_timed_out_runs as timed_out, stale_running_runs as stale_running,
               finished_without_progress_runs as finished_no_progress
        from marts.timeout_progress order by {by_project}timeout_group desc
    """,
}
PROJECT_COLUMN = "entity || '/' || project as project, "


def headline_sql(sql: str, several_projects: bool) -> str:
    """A headline's SQL, with the project column and order when the marts hold several."""
    if several_projects:
        return sql.format(project=PROJECT_COLUMN, by_project="project, ")
    return sql.format(project="", by_project="")


def _loaded(loads: list) -> str:
    """What a file's loads held, e.g. '334 runs' or '5 sweeps'."""
    if isinstance(loads[0], CatalogLoad):
        if loads[0].kind == "sweeps":
            return f"{sum(item.items for item in loads)} sweeps"
        versions = sum(item.versions for item in loads)
        return f"{versions} artifact versions of {sum(item.items for item in loads)} runs"
    kind = "runs with history" if isinstance(loads[0], HistoryLoad) else "runs"
    return f"{sum(item.runs for item in loads)} {kind}"


def run_demo(warehouse: Warehouse, report: Path, wait: float | None = None) -> None:
    """Load, build and publish the sample into `warehouse` (its writer lock held)."""
    files = load_order()
    if not files:
        raise UserError(
            "the bundled sample is missing: run `python -m extract.sample.generate_runs`"
        )
    con = open_raw(warehouse, wait)
    try:
        for path in files:
            loads = load_file(con, path)
            print(f"load {path.name}: {_loaded(loads) if loads else 'already loaded'}")
    finally:
        con.close()
    # A full refresh: the sample is small, and a warehouse built by an earlier version of
    # the models (whose incremental tables lack newer columns) is rebuilt, not patched.
    run_build(warehouse, ["--full-refresh", "--quiet"])
    publish(warehouse, wait)
    db = warehouse.published
    con = connect(db, read_only=True)
    try:
        (projects,) = con.execute(
            "select count(*) from (select distinct entity, project from marts.runs)"
        ).fetchone()
        for title, sql in HEADLINES.items():
            print(f"\n{title}")
            con.sql(headline_sql(sql, projects > 1)).show(max_width=120, max_rows=40)
    finally:
        con.close()
    print(f"\nwarehouse: {db}  (open it with: .venv/bin/duckdb -readonly {db})")
    written = write_report(db, report)
    print(f"report: {written.path.resolve()}  (open it in a browser)")
