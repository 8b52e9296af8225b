{#- The summary is unpacked only for runs of sweeps that name a metric, and only the
    metric's leaf is kept. -#}
with

runs as (

    select * from {{ ref('int_runs__current') }}

),

sweeps as (

    select * from {{ ref('int_sweeps__current') }}

),

fetches as (

    select * from {{ ref('stg_wandb__run_fetches') }}

),

sweep_runs as (

    select
        runs.entity,
        runs.project,
        runs.sweep_id,
        runs.run_id,
        runs.run_name,
        runs.state,
        runs.created_at,
        sweeps.metric_name,
        sweeps.metric_goal,
        runs.payload_load_id,
        runs.payload_fetched_at

    from runs
    inner join sweeps
        on
            runs.entity = sweeps.entity
            and runs.project = sweeps.project
            and runs.sweep_id = sweeps.sweep_id
    where not runs.is_deleted_upstream

),

-- The summary of the full fetch each run's latest version carries. The filter on those
-- fetches' load ids lets DuckDB skip the fetches of other loads (and all of them when no
-- sweep names a metric).
summaries as (

    select
        sweep_runs.entity,
        sweep_runs.project,
        sweep_runs.run_id,
        sweep_runs.metric_name,
        fetches.summary

    from sweep_runs
    inner join fetches
        on
            sweep_runs.entity = fetches.entity
            and sweep_runs.project = fetches.project
            and sweep_runs.run_id = fetches.run_id
            and sweep_runs.payload_load_id = fetches.load_id
            and sweep_runs.payload_fetched_at = fetches.fetched_at
    where
        sweep_runs.metric_name is not null
        and fetches.fetch_kind = 'full'
        and fetches.load_id in (
            select metric_runs.payload_load_id from sweep_runs as metric_runs
        )

),

metric_values as (

    select
        summaries.entity,
        summaries.project,
        summaries.run_id,
        {{ safe_double(json_extract_string('summary_leaves.leaf_value', '$')) }} as metric_value

    from summaries,
        {{ json_leaves('summaries.summary', 'summary_leaves') }}
    where summary_leaves.leaf_path = summaries.metric_name

),

final as (

    select
        sweep_runs.entity,
        sweep_runs.project,
        sweep_runs.sweep_id,
        sweep_runs.run_id,
        sweep_runs.run_name,
        sweep_runs.state,
        sweep_runs.created_at,
        sweep_runs.metric_name,
        sweep_runs.metric_goal,
        metric_values.metric_value

    from sweep_runs
    left join metric_values
        on
            sweep_runs.entity = metric_values.entity
            and sweep_runs.project = metric_values.project
            and sweep_runs.run_id = metric_values.run_id

)

select * from final
