{#- Incremental (replace_runs): a build reads the config and summary of the sampled runs
    it does not hold at their touched_by_load_id, and drops runs that left the sample, so
    a sync costs only its changed runs of the sample. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='replace_runs',
        replace_runs={'of': 'int_runs__discovery_sample'},
        on_schema_change='fail',
    )
}}

with

sample as (

    select * from {{ ref('int_runs__discovery_sample') }}

),

runs_to_build as (

    select
        sample.entity,
        sample.project,
        sample.run_id,
        sample.touched_by_load_id

    from sample
    {{ runs_not_built('sample') }}

),

-- Each JSON column read by one CTE, so neither is materialised with the other.
config_payloads as (

    select
        payloads.entity,
        payloads.project,
        payloads.run_id,
        payloads.config

    from {{ ref('int_runs__payloads') }} as payloads
    inner join runs_to_build
        on
            payloads.entity = runs_to_build.entity
            and payloads.project = runs_to_build.project
            and payloads.run_id = runs_to_build.run_id

),

summary_payloads as (

    select
        payloads.entity,
        payloads.project,
        payloads.run_id,
        payloads.summary

    from {{ ref('int_runs__payloads') }} as payloads
    inner join runs_to_build
        on
            payloads.entity = runs_to_build.entity
            and payloads.project = runs_to_build.project
            and payloads.run_id = runs_to_build.run_id

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
        key_values.entity,
        key_values.project,
        key_values.run_id,
        key_values.source,
        key_values.key_path,
        key_values.json_type,
        key_values.value_text,
        key_values.value_number,
        key_values.value_integer,
        -- One text per value, so equal values compare equal across keys and spellings:
        -- 15000, 15000.0 and "15000" are all '15000'.
        coalesce(
            cast(key_values.value_integer as {{ dbt.type_string() }}),
            cast(key_values.value_number as {{ dbt.type_string() }}),
            key_values.value_text
        ) as value_key,
        runs_to_build.touched_by_load_id

    from key_values
    inner join runs_to_build
        on
            key_values.entity = runs_to_build.entity
            and key_values.project = runs_to_build.project
            and key_values.run_id = runs_to_build.run_id
    where key_values.json_type != 'null'

)

select * from final
