{#- A view on DuckDB over int_runs__progress, which holds the per-run facts: what this
    model adds (the project's snapshot and every rule) changes for every run of a project
    at each of its loads, or when a var changes, so a table would be rewritten whole at
    each build (2-3 s at a million runs). Reading the view costs one pass over the facts
    and a join with a row per project. A table on Spark, where a view is re-evaluated by
    every query. -#}
{{ config(materialized=('table' if target.type == 'spark' else 'view')) }}

with

run_facts as (

    select * from {{ ref('int_runs__progress') }}

),

loads as (

    select * from {{ ref('stg_wandb__loads') }}

),

-- "Now" for a project is when W&B was last observed for it, not the wall clock: a
-- warehouse built from an old export judges its runs as of that export.
project_snapshots as (

    select
        entity,
        project,
        max(snapshot_at) as snapshot_at

    from loads
    where status = 'ok'
    group by
        entity,
        project

),

joined as (

    select
        run_facts.*,
        project_snapshots.snapshot_at

    from run_facts
    left join project_snapshots
        on
            run_facts.entity = project_snapshots.entity
            and run_facts.project = project_snapshots.project

),

measured as (

    select
        *,
        coalesce(last_step >= {{ var('history_min_progress_steps') }}, false)
            as progressed_meaningfully,
        {{ seconds_between('last_seen_alive_at', 'snapshot_at') }} as idle_seconds_at_snapshot,
        coalesce(runtime_seconds_history, runtime_seconds_summary) as stopped_after_seconds

    from joined

),

stale_flagged as (

    select
        *,
        coalesce(
            state = 'running'
            and idle_seconds_at_snapshot > {{ var('stale_running_after_seconds') }},
            false
        ) as stale_running

    from measured

),

timeout_flagged as (

    select
        *,
        coalesce(
            has_timeout
            and (state != 'running' or stale_running)
            and stopped_after_seconds
            >= timeout_seconds - {{ var('timeout_margin_seconds') }},
            false
        ) as likely_timed_out

    from stale_flagged

),

final as (

    select
        entity,
        project,
        run_id,
        run_name,
        experiment_group,
        state,
        has_timeout,
        timeout_seconds,
        history_line_count,
        history_rows,
        last_step,
        last_logged_at,
        heartbeat_at,
        runtime_seconds_history,
        runtime_seconds_summary,
        training_seconds,
        snapshot_at,
        idle_seconds_at_snapshot,
        progressed_meaningfully,
        -- Judged only when the history is known: rows stored, or W&B says none exist.
        coalesce(
            state = 'finished'
            and not progressed_meaningfully
            and (history_rows > 0 or history_line_count = 0),
            false
        ) as finished_without_progress,
        stale_running,
        likely_timed_out,
        coalesce(
            (state = 'finished' and likely_timed_out)
            or (
                state in ('crashed', 'failed', 'killed')
                and {{ seconds_between('heartbeat_at', 'last_logged_at') }}
                > {{ var('stale_running_after_seconds') }}
            ),
            false
        ) as state_contradicts_history

    from timeout_flagged

)

select * from final
