-- A timed run that stopped at its time limit ran out of time, whatever its state says.
-- Names every run marts.run_progress flags likely_timed_out (rule documented on the column).
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
    where likely_timed_out

)

select * from final
