-- A state its own history contradicts (finished at the time limit, or logging after death).
-- Names every run marts.run_progress flags state_contradicts_history (rule documented on the column).
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
    where state_contradicts_history

)

select * from final
