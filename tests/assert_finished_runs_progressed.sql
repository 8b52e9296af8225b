-- A 'finished' run that trained a handful of steps at most (or logged nothing) is a success only on paper.
-- Names every run marts.run_progress flags finished_without_progress (rule documented on the column).
{{ config(severity='warn') }}

with

run_progress as (

    select * from {{ ref('run_progress') }}

),

final as (

    select
        entity,
        project,
        run_id,
        run_name,
        state,
        last_step,
        last_logged_at,
        heartbeat_at,
        runtime_seconds_history,
        timeout_seconds,
        idle_seconds_at_snapshot

    from run_progress
    where finished_without_progress

)

select * from final
