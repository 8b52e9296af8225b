with

run_versions as (

    select * from {{ ref('stg_wandb__run_versions') }}

),

loads as (

    select * from {{ ref('stg_wandb__loads') }}

),

listings as (

    select * from {{ ref('stg_wandb__listings') }}

),

-- The last version each load stored of a run, placed on the project's load sequence.
versions_by_load as (

    select
        run_versions.entity,
        run_versions.project,
        run_versions.run_id,
        loads.load_number,
        run_versions.version_number,
        run_versions.created_at,
        run_versions.state,
        run_versions.tags

    from run_versions
    inner join loads
        on run_versions.load_id = loads.load_id
    qualify row_number() over (
        partition by run_versions.entity, run_versions.project, run_versions.run_id, loads.load_id
        order by run_versions.version_number desc
    ) = 1

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

listed_runs as (

    select
        listings.entity,
        listings.project,
        listings.run_id,
        loads.load_id,
        loads.load_number,
        coalesce(loads.snapshot_at, loads.started_at) as as_of

    from listings
    inner join loads
        on listings.load_id = loads.load_id
    where loads.status = 'ok'

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
