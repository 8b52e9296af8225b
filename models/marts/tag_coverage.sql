{#- Incremental, by load, like int_runs__state_at_load: a build aggregates only the loads
    this table lacks at their current load number (delete+insert by load_id). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='load_id',
        on_schema_change='fail',
    )
}}

with

state_at_load as (

    select * from {{ ref('int_runs__state_at_load') }}

),

loads_to_build as (

    select * from state_at_load
    where {{ load_not_built_yet('state_at_load') }}

),

final as (

    select
        entity,
        project,
        load_id,
        load_number,
        as_of,
        created_month,
        count(*) as runs,
        count(case when has_tags then 1 end) as runs_with_tags,
        cast(count(case when has_tags then 1 end) as double) / count(*) as share_with_tags

    from loads_to_build
    group by
        entity,
        project,
        load_id,
        load_number,
        as_of,
        created_month

)

select * from final
