"""The SQL behind every chart and table of the report, shown in the report as it ran.

Each query reads the marts (and the load ledger, staging.stg_wandb__loads) of every
project at once and aggregates in SQL, so what reaches Python and the page stays small
whatever the number of runs; lists of runs are capped at LISTED_RUNS per project and list,
with the full count next to them.
"""

from __future__ import annotations

from dataclasses import dataclass

# Runs listed per project and list (flagged runs per flag, divergent runs per column pair).
LISTED_RUNS = 200
# Most frequent changes listed per project.
LISTED_CHANGES = 20
# Sweeps drawn and listed per project (the most recently created).
LISTED_SWEEPS = 40
# Artifact versions listed per project (the most used by its runs).
LISTED_ARTIFACTS = 20

# The relations the report reads; a warehouse without them has not been built.
REQUIRED_RELATIONS = (
    "marts.runs",
    "marts.timeout_state_distribution",
    "marts.tag_prevalence_by_group",
    "marts.tag_coverage",
    "marts.pretrain_overlap_summary",
    "marts.column_pair_overlap",
    "marts.run_progress",
    "marts.run_changes",
    "marts.sweeps",
    "marts.artifact_lineage",
    "marts.artifact_versions",
    "staging.stg_wandb__loads",
)


@dataclass(frozen=True)
class Query:
    name: str
    sql: str


AS_OF = Query(
    "as_of",
    """\
-- Per project: the newest load the marts were built from (tag_coverage holds every
-- load that listed runs), the ledger's newest load, and the analysed runs.
with

built_loads as (

    select distinct entity, project, load_number, as_of
    from marts.tag_coverage

),

newest_built as (

    select *
    from built_loads
    qualify row_number() over (
        partition by entity, project order by load_number desc
    ) = 1

),

ledger as (

    select
        entity,
        project,
        count(*) as loads,
        max(load_number) as newest_load_number,
        max(finished_at) as newest_finished_at
    from staging.stg_wandb__loads
    where status = 'ok'
    group by entity, project

),

analysed as (

    select entity, project, count(*) as analysed_runs
    from marts.runs
    group by entity, project

)

select
    ledger.entity,
    ledger.project,
    newest_built.load_number as built_load_number,
    newest_built.as_of,
    ledger.loads,
    ledger.newest_load_number,
    ledger.newest_finished_at,
    coalesce(analysed.analysed_runs, 0) as analysed_runs
from ledger
left join newest_built using (entity, project)
left join analysed using (entity, project)
order by ledger.entity, ledger.project""",
)

STATE_MIX = Query(
    "state_mix",
    """\
select
    entity,
    project,
    split_name,
    timeout_group as split_group,
    state,
    runs,
    group_runs,
    share_of_group
from marts.timeout_state_distribution
order by entity, project, group_runs desc, split_group, runs desc, state""",
)

TAG_PREVALENCE = Query(
    "tag_prevalence",
    """\
-- Each group of the comparison split against the project's other runs. With two
-- groups the second is the mirror image of the first, so only the larger one is drawn.
with

prevalence as (

    select
        *,
        dense_rank() over (
            partition by entity, project order by group_runs desc, split_group
        ) as group_rank
    from marts.tag_prevalence_by_group

),

groups_per_project as (

    select entity, project, max(group_rank) as project_groups
    from prevalence
    group by entity, project

)

select
    prevalence.entity,
    prevalence.project,
    split_name,
    split_group,
    tag,
    tag_category,
    tagged_runs,
    group_runs,
    group_share,
    other_tagged_runs,
    other_runs,
    other_share,
    share_difference
from prevalence
inner join groups_per_project using (entity, project)
where project_groups <> 2 or group_rank = 1
order by
    prevalence.entity,
    prevalence.project,
    group_rank,
    share_difference desc,
    catalog_order""",
)

TAG_COVERAGE = Query(
    "tag_coverage",
    """\
select
    entity,
    project,
    load_number,
    as_of,
    created_month,
    runs,
    runs_with_tags,
    share_with_tags
from marts.tag_coverage
order by entity, project, load_number, created_month nulls last""",
)

PAIR_AGREEMENT = Query(
    "pair_agreement",
    """\
select
    entity,
    project,
    column_pair,
    config_path,
    summary_path,
    shared_rows,
    matching_rows,
    divergent_rows,
    match_rate
from marts.pretrain_overlap_summary
order by entity, project, pair_order""",
)

DIVERGENT_RUNS = Query(
    "divergent_runs",
    f"""\
-- The most recently created divergent runs of each pair, {LISTED_RUNS} at most.
select
    entity,
    project,
    column_pair,
    run_name,
    run_id,
    state,
    experiment_group,
    created_at,
    config_value,
    summary_value,
    count(*) over (partition by entity, project, column_pair) as divergent_runs
from marts.column_pair_overlap
where not is_match
qualify row_number() over (
    partition by entity, project, column_pair order by created_at desc, run_id
) <= {LISTED_RUNS}
order by entity, project, column_pair, created_at desc, run_id""",
)

FLAG_COUNTS = Query(
    "flag_counts",
    """\
-- Runs per progress flag and group of the comparison split (zero counts kept), and the
-- runs judged: those whose history is known (a run whose history was not pulled is not).
with

flags as (

    unpivot (
        select
            entity,
            project,
            split_group,
            history_known,
            finished_without_progress,
            stale_running,
            likely_timed_out,
            state_contradicts_history
        from marts.run_progress
    )
    on
        finished_without_progress,
        stale_running,
        likely_timed_out,
        state_contradicts_history
    into name flag value is_flagged

)

select
    entity,
    project,
    flag,
    split_group,
    count_if(is_flagged) as flagged_runs,
    count_if(history_known) as judged_runs,
    count(*) as group_runs
from flags
group by entity, project, flag, split_group
order by entity, project, flag, split_group""",
)

FLAGGED_RUNS = Query(
    "flagged_runs",
    f"""\
-- The runs of each flag that logged or heartbeat last, {LISTED_RUNS} at most.
with

flags as (

    unpivot (
        select
            entity,
            project,
            run_id,
            run_name,
            state,
            split_group,
            last_step,
            last_logged_at,
            heartbeat_at,
            training_seconds,
            timeout_seconds,
            finished_without_progress,
            stale_running,
            likely_timed_out,
            state_contradicts_history
        from marts.run_progress
    )
    on
        finished_without_progress,
        stale_running,
        likely_timed_out,
        state_contradicts_history
    into name flag value is_flagged

)

select
    entity,
    project,
    flag,
    run_name,
    run_id,
    state,
    split_group,
    last_step,
    last_logged_at,
    heartbeat_at,
    training_seconds,
    timeout_seconds,
    count(*) over (partition by entity, project, flag) as flagged_runs
from flags
where is_flagged
qualify row_number() over (
    partition by entity, project, flag
    order by greatest(last_logged_at, heartbeat_at) desc nulls last, run_id
) <= {LISTED_RUNS}
order by entity, project, flag, greatest(last_logged_at, heartbeat_at) desc nulls last, run_id""",
)

CHANGES_PER_LOAD = Query(
    "changes_per_load",
    """\
-- Tag and state edits stored by each load that listed runs (loads without edits kept).
with

listing_loads as (

    select distinct entity, project, load_id, load_number, as_of
    from marts.tag_coverage

),

changes as (

    select
        entity,
        project,
        load_id,
        count_if(field = 'tags') as tag_changes,
        count_if(field = 'state') as state_changes,
        count(distinct run_id) as changed_runs
    from marts.run_changes
    group by entity, project, load_id

)

select
    listing_loads.entity,
    listing_loads.project,
    listing_loads.load_number,
    listing_loads.as_of,
    coalesce(changes.tag_changes, 0) as tag_changes,
    coalesce(changes.state_changes, 0) as state_changes,
    coalesce(changes.changed_runs, 0) as changed_runs
from listing_loads
left join changes using (entity, project, load_id)
order by listing_loads.entity, listing_loads.project, listing_loads.load_number""",
)

TOP_CHANGES = Query(
    "top_changes",
    f"""\
-- The {LISTED_CHANGES} most frequent changes (same field, old and new value) per project.
with

grouped as (

    select
        entity,
        project,
        field,
        old_value,
        new_value,
        count(*) as changes,
        min(changed_at) as first_seen
    from marts.run_changes
    group by entity, project, field, old_value, new_value

)

select
    *,
    count(*) over (partition by entity, project) as distinct_changes
from grouped
qualify row_number() over (
    partition by entity, project
    order by changes desc, field, old_value, new_value
) <= {LISTED_CHANGES}
order by entity, project, changes desc, field, old_value, new_value""",
)

SWEEPS = Query(
    "sweeps",
    f"""\
-- Per project: its {LISTED_SWEEPS} most recently created sweeps, their runs by state and
-- the best run by the sweep's own metric and goal (marts.sweeps).
select
    entity,
    project,
    sweep_id,
    sweep_name,
    sweep_method,
    sweep_state,
    metric_name,
    metric_goal,
    runs,
    running_runs,
    finished_runs,
    crashed_runs,
    failed_runs,
    killed_runs,
    preempting_runs,
    preempted_runs,
    pending_runs,
    runs_with_metric,
    best_run_id,
    best_run_name,
    best_metric_value,
    created_at,
    count(*) over (partition by entity, project) as project_sweeps
from marts.sweeps
qualify row_number() over (
    partition by entity, project order by created_at desc nulls last, sweep_id
) <= {LISTED_SWEEPS}
order by entity, project, created_at desc nulls last, sweep_id""",
)

ARTIFACT_TYPES = Query(
    "artifact_types",
    """\
-- Per project, artifact type and direction: the artifact versions its runs used or
-- logged, the runs that did, and the versions' total size (marts.artifact_lineage).
with

versions as (

    select distinct entity, project, artifact_type, direction, artifact_id, size_bytes
    from marts.artifact_lineage

),

version_totals as (

    select
        entity,
        project,
        artifact_type,
        direction,
        count(*) as artifact_versions,
        sum(size_bytes) as size_bytes
    from versions
    group by entity, project, artifact_type, direction

),

runs as (

    select
        entity,
        project,
        artifact_type,
        direction,
        count(distinct run_id) as runs
    from marts.artifact_lineage
    group by entity, project, artifact_type, direction

)

select
    version_totals.entity,
    version_totals.project,
    version_totals.artifact_type,
    version_totals.direction,
    version_totals.artifact_versions,
    runs.runs,
    version_totals.size_bytes
from version_totals
inner join runs using (entity, project, artifact_type, direction)
order by all""",
)

MOST_USED_ARTIFACTS = Query(
    "most_used_artifacts",
    f"""\
-- Per project: the {LISTED_ARTIFACTS} artifact versions most used by its runs, and the run
-- that logged each (marts.artifact_lineage, marts.artifact_versions).
with

used as (

    select
        entity,
        project,
        artifact_id,
        any_value(artifact_version) as artifact_version,
        any_value(artifact_type) as artifact_type,
        count(distinct run_id) as using_runs
    from marts.artifact_lineage
    where direction = 'used'
    group by entity, project, artifact_id

)

select
    used.entity,
    used.project,
    used.artifact_version,
    used.artifact_type,
    used.using_runs,
    versions.logged_by_run_name,
    versions.logged_by_run_id,
    versions.size_bytes,
    count(*) over (partition by used.entity, used.project) as used_versions
from used
left join marts.artifact_versions as versions using (artifact_id)
qualify row_number() over (
    partition by used.entity, used.project
    order by used.using_runs desc, used.artifact_version
) <= {LISTED_ARTIFACTS}
order by used.entity, used.project, used.using_runs desc, used.artifact_version""",
)

DATA_RULES = Query(
    "data_rules",
    """\
-- The warn-severity data tests (marts.data_rules): what each checks, and where its latest
-- failing rows are (store_failures: the findings schema, one table per test).
select
    rule_name,
    rule_title,
    checks,
    tested_models,
    failures_relation
from marts.data_rules
order by rule_name""",
)


def findings_sql(relation: str) -> str:
    """The rows a rule named at the last build that ran it, LISTED_RUNS at most."""
    return f"select *\nfrom {relation}\norder by all\nlimit {LISTED_RUNS}"


ALL_QUERIES = (
    AS_OF,
    STATE_MIX,
    TAG_PREVALENCE,
    TAG_COVERAGE,
    PAIR_AGREEMENT,
    DIVERGENT_RUNS,
    FLAG_COUNTS,
    FLAGGED_RUNS,
    CHANGES_PER_LOAD,
    TOP_CHANGES,
    SWEEPS,
    ARTIFACT_TYPES,
    MOST_USED_ARTIFACTS,
)
