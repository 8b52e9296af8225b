{#- A view: the project's snapshot and every rule change for all runs of a project at each
    of its loads, or when a var changes, so a table would be rewritten whole at each
    build. Reading it costs one pass over marts.runs and the history summary. -#}
{{ config(materialized='view') }}

with

runs as (

    select * from {{ ref('runs') }}

),

history_progress as (

    select * from {{ ref('int_runs__history_progress') }}

),

snapshots as (

    select * from {{ ref('int_projects__snapshots') }}

),

joined as (

    select
        runs.entity,
        runs.project,
        runs.run_id,
        runs.run_name,
        runs.experiment_group,
        runs.state,
        runs.has_timeout,
        runs.timeout_seconds,
        runs.split_group,
        runs.heartbeat_at,
        runs.history_line_count,
        coalesce(history_progress.history_rows, 0) as history_rows,
        history_progress.last_step,
        history_progress.last_logged_at,
        history_progress.runtime_seconds_history,
        runs.runtime_seconds as runtime_seconds_summary,
        history_progress.training_seconds,
        coalesce(
            greatest(runs.heartbeat_at, history_progress.last_logged_at), runs.created_at
        ) as last_seen_alive_at,
        snapshots.snapshot_at

    from runs
    left join history_progress
        on
            runs.entity = history_progress.entity
            and runs.project = history_progress.project
            and runs.run_id = history_progress.run_id
    left join snapshots
        on
            runs.entity = snapshots.entity
            and runs.project = snapshots.project

),

measured as (

    select
        *,
        coalesce(last_step >= {{ var('history_min_progress_steps') }}, false)
            as progressed_meaningfully,
        -- The flags judge a run only when its history is known: rows stored, or W&B
        -- says none exist. A run whose history was not pulled is judged by nothing.
        history_rows > 0 or coalesce(history_line_count = 0, false) as history_known,
        {{ seconds_between('last_seen_alive_at', 'snapshot_at') }} as idle_seconds_at_snapshot,
        coalesce(runtime_seconds_history, runtime_seconds_summary) as stopped_after_seconds

    from joined

),

stale_flagged as (

    select
        *,
        coalesce(
            history_known
            and state = 'running'
            and idle_seconds_at_snapshot > {{ var('stale_running_after_seconds') }},
            false
        ) as stale_running

    from measured

),

timeout_flagged as (

    select
        *,
        coalesce(
            history_known
            and has_timeout
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
        split_group,
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
        history_known,
        coalesce(
            history_known
            and state = 'finished'
            and not progressed_meaningfully,
            false
        ) as finished_without_progress,
        stale_running,
        likely_timed_out,
        -- likely_timed_out and a logged row both need the history known.
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
