{#- Discovery reads a fixed sample of each project's analysed runs, so its cost stays
    bounded however many runs a project has: at most `key_discovery_max_runs` per project,
    chosen by an md5 of the run id (the same runs on every engine and build). -#}
{{ config(materialized='table') }}

with

in_scope as (

    select * from {{ ref('int_runs__in_scope') }}
    where is_analysed

),

ranked as (

    select
        entity,
        project,
        run_id,
        row_number() over (
            partition by entity, project
            order by {{ dbt.hash('run_id') }}, run_id
        ) as sample_rank

    from in_scope

),

sampled as (

    select * from ranked
    where sample_rank <= {{ var('key_discovery_max_runs') }}

),

-- Each JSON column read by one CTE, so neither is materialised with the other.
config_payloads as (

    select
        payloads.entity,
        payloads.project,
        payloads.run_id,
        payloads.config

    from {{ ref('int_runs__payloads') }} as payloads
    inner join sampled
        on
            payloads.entity = sampled.entity
            and payloads.project = sampled.project
            and payloads.run_id = sampled.run_id

),

summary_payloads as (

    select
        payloads.entity,
        payloads.project,
        payloads.run_id,
        payloads.summary

    from {{ ref('int_runs__payloads') }} as payloads
    inner join sampled
        on
            payloads.entity = sampled.entity
            and payloads.project = sampled.project
            and payloads.run_id = sampled.run_id

),

config_values as (

    {{ payload_key_values('config_payloads', 'config') }}

),

summary_values as (

    {{ payload_key_values('summary_payloads', 'summary') }}

),

key_values as (

    select
        'config' as source,
        *
    from config_values
    union all
    select
        'summary' as source,
        *
    from summary_values

),

final as (

    select
        entity,
        project,
        run_id,
        source,
        key_path,
        json_type,
        value_text,
        value_number,
        value_integer,
        -- One text per value, so equal values compare equal across keys and spellings:
        -- 15000, 15000.0 and "15000" are all '15000'.
        coalesce(
            cast(value_integer as {{ dbt.type_string() }}),
            cast(value_number as {{ dbt.type_string() }}),
            value_text
        ) as value_key

    from key_values
    where json_type != 'null'

)

select * from final
