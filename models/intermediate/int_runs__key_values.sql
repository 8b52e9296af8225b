{#- Incremental (replace_runs, by payload): a run's values change only with the full
    fetch its latest version carries, so a build reads the config and summary of the
    sampled runs whose payload it does not hold (a new full fetch: its rows sit in the
    new loads, and the filter on their load ids lets DuckDB skip the rest of the fetches
    table), and drops runs that left the sample. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='replace_runs',
        replace_runs={
            'of': 'int_runs__discovery_sample',
            'version': ['payload_load_id', 'payload_fetched_at'],
        },
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
        sample.payload_load_id,
        sample.payload_fetched_at

    from sample
    {{ runs_not_built('sample') }}

),

-- Each JSON column read by one CTE, so neither is materialised with the other.
config_payloads as (

    select
        fetches.entity,
        fetches.project,
        fetches.run_id,
        fetches.config

    from {{ ref('stg_wandb__run_fetches') }} as fetches
    inner join runs_to_build
        on
            fetches.entity = runs_to_build.entity
            and fetches.project = runs_to_build.project
            and fetches.run_id = runs_to_build.run_id
            and fetches.load_id = runs_to_build.payload_load_id
            and fetches.fetched_at = runs_to_build.payload_fetched_at
    where
        fetches.fetch_kind = 'full'
        and fetches.load_id in (
            select new_runs.payload_load_id from runs_to_build as new_runs
        )

),

summary_payloads as (

    select
        fetches.entity,
        fetches.project,
        fetches.run_id,
        fetches.summary

    from {{ ref('stg_wandb__run_fetches') }} as fetches
    inner join runs_to_build
        on
            fetches.entity = runs_to_build.entity
            and fetches.project = runs_to_build.project
            and fetches.run_id = runs_to_build.run_id
            and fetches.load_id = runs_to_build.payload_load_id
            and fetches.fetched_at = runs_to_build.payload_fetched_at
    where
        fetches.fetch_kind = 'full'
        and fetches.load_id in (
            select new_runs.payload_load_id from runs_to_build as new_runs
        )

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
        runs_to_build.payload_load_id,
        runs_to_build.payload_fetched_at

    from key_values
    inner join runs_to_build
        on
            key_values.entity = runs_to_build.entity
            and key_values.project = runs_to_build.project
            and key_values.run_id = runs_to_build.run_id
    where key_values.json_type != 'null'

)

select * from final
