{#- The runs marts.run_progress flags with `flag`, with what shows why: the body of the
    singular warn tests that name the runs each progress rule catches. -#}
{% macro runs_flagged(flag) %}

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
    where {{ flag }}

)

select * from final

{% endmacro %}
