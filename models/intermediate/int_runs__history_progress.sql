{#- Incremental: a build re-aggregates, from all their stored rows, the runs that loads
    started after the newest one this table has aggregated added history to, and replaces
    them by run. History only grows, so no run ever leaves. (dbt cannot build while a sync
    holds the warehouse, so every load it sees is complete.) -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['entity', 'project', 'run_id'],
        on_schema_change='fail',
    )
}}

with

history as (

    select * from {{ ref('stg_wandb__history') }}

),

loads as (

    select * from {{ ref('stg_wandb__loads') }}

),

{% if is_incremental() %}

    -- The runs new loads added history to, from the key columns only.
    grown_runs as (

        select distinct
            history_keys.entity,
            history_keys.project,
            history_keys.run_id

        from {{ ref('stg_wandb__history') }} as history_keys
        inner join loads
            on history_keys.load_id = loads.load_id
        where loads.started_at > (select max(built.history_loaded_at) from {{ this }} as built)

    ),

{% endif %}

run_history as (

    select
        history.*,
        loads.started_at as loaded_at

    from history
    {% if is_incremental() %}
        inner join grown_runs
            on
                history.entity = grown_runs.entity
                and history.project = grown_runs.project
                and history.run_id = grown_runs.run_id
    {% endif %}
    left join loads
        on history.load_id = loads.load_id

),

final as (

    select
        entity,
        project,
        run_id,
        count(*) as history_rows,
        min(step) as first_step,
        max(step) as last_step,
        min(logged_at) as first_logged_at,
        max(logged_at) as last_logged_at,
        max_by(runtime_seconds, step) as runtime_seconds_history,
        coalesce(
            max_by(runtime_seconds, step) - min_by(runtime_seconds, step),
            {{ seconds_between('min(logged_at)', 'max(logged_at)') }}
        ) as training_seconds,
        max(loaded_at) as history_loaded_at

    from run_history
    group by
        entity,
        project,
        run_id

)

select * from final
