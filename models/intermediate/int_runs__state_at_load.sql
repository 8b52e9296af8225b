{#- Incremental, by load: a load's rows never change once later loads exist, so a build
    computes only the loads this table lacks, or whose place in the project's load
    sequence moved (an older export loaded late renumbers the loads after it), and
    replaces exactly those (delete+insert by load_id). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='load_id',
        on_schema_change='fail',
    )
}}

with

run_versions as (

    select * from {{ ref('int_runs__versions') }}

),

loads as (

    select * from {{ ref('stg_wandb__loads') }}

),

listings as (

    select * from {{ ref('stg_wandb__listings') }}

),

-- The loads this build computes: every ok load, or on an incremental build the ones not
-- built yet at their current load number.
loads_to_build as (

    select * from loads
    where {{ load_not_built_yet('loads') }}

),

listed_runs as (

    select
        listings.entity,
        listings.project,
        listings.run_id,
        loads.load_id,
        loads.load_number,
        coalesce(loads.snapshot_at, loads.started_at) as as_of

    from listings
    inner join loads_to_build as loads
        on listings.load_id = loads.load_id
    where loads.status = 'ok'

),

-- The runs those loads listed (on an incremental build, only their versions are needed).
listed_keys as (

    select distinct
        entity,
        project,
        run_id

    from listed_runs

),

-- Each version on the project's load sequence, ranked within its load (newest first).
versions_in_loads as (

    select
        run_versions.entity,
        run_versions.project,
        run_versions.run_id,
        loads.load_number,
        run_versions.version_number,
        run_versions.created_at,
        run_versions.state,
        run_versions.tags,
        row_number() over (
            partition by
                run_versions.entity,
                run_versions.project,
                run_versions.run_id,
                loads.load_id
            order by run_versions.version_number desc
        ) as newest_in_load

    from run_versions
    inner join loads
        on run_versions.load_id = loads.load_id
    {% if is_incremental() %}
        -- Only the runs those loads listed need their version spans.
        inner join listed_keys
            on
                run_versions.entity = listed_keys.entity
                and run_versions.project = listed_keys.project
                and run_versions.run_id = listed_keys.run_id
    {% endif %}

),

-- The last version each load stored of a run.
versions_by_load as (

    select * from versions_in_loads
    where newest_in_load = 1

),

-- Each version holds from its load until the next load that stored the run again.
version_spans as (

    select
        *,
        lead(load_number) over (
            partition by entity, project, run_id
            order by load_number
        ) as next_load_number

    from versions_by_load

),

final as (

    select
        listed_runs.entity,
        listed_runs.project,
        listed_runs.load_id,
        listed_runs.load_number,
        listed_runs.as_of,
        listed_runs.run_id,
        version_spans.created_at,
        {{ utc_month('version_spans.created_at') }} as created_month,
        version_spans.state,
        version_spans.tags,
        {{ list_length('version_spans.tags') }} > 0 as has_tags

    from listed_runs
    inner join version_spans
        on
            listed_runs.entity = version_spans.entity
            and listed_runs.project = version_spans.project
            and listed_runs.run_id = version_spans.run_id
            and listed_runs.load_number >= version_spans.load_number
            and (
                version_spans.next_load_number is null
                or listed_runs.load_number < version_spans.next_load_number
            )

)

select * from final
