-- A 'running' run that stopped heartbeating and logging is gone: W&B never heard it end.
-- Names every run marts.run_progress flags stale_running (rule documented on the column).
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
    where stale_running

)

select * from final
