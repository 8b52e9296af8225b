{#- Incremental: a sync adds history rows under a new load_id, so only rows of loads not
    yet in this table are unpacked; delete+insert on the step replaces a step that a later
    load stored again. -#}
{{
    config(
        materialized='incremental',
        unique_key=['entity', 'project', 'run_id', 'step'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

history as (

    select staged.*
    from {{ ref('stg_wandb__history') }} as staged
    {% if is_incremental() %}
        where staged.load_id not in (select distinct unpacked.load_id from {{ this }} as unpacked)
    {% endif %}

),

metric_keys as (

    select
        entity,
        project,
        run_id,
        step,
        logged_at,
        metrics,
        load_id,
        {{ explode_list(json_object_keys('metrics')) }} as metric

    from history

),

final as (

    select
        entity,
        project,
        run_id,
        step,
        logged_at,
        metric,
        try_cast({{ json_value_at_key('metrics', 'metric') }} as double) as value,
        load_id

    from metric_keys

)

select * from final
