{#- The versions of a run are its fetches in order; a light fetch (listing fields only)
    carries the config and summary of the run's latest earlier full fetch, named here by
    that fetch's load_id and fetched_at (the payload columns), not copied.
    Incremental: a build re-derives every version of the runs that loads new to this table
    fetched (an older export loaded late can renumber a run's versions) and merges them in
    by (run, version_number). A run's versions never disappear, as raw rows never do. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['entity', 'project', 'run_id', 'version_number'],
        on_schema_change='fail',
    )
}}

with

fetches as (

    select * from {{ ref('stg_wandb__run_fetches') }}

),

loads as (

    select * from {{ ref('stg_wandb__loads') }}

),

{% if is_incremental() %}

    -- The key columns only, read apart from the fetches they select.
    fetch_keys as (

        select
            entity,
            project,
            run_id,
            load_id

        from {{ ref('stg_wandb__run_fetches') }}

    ),

    -- The runs fetched by loads this table has not seen: all their versions are derived
    -- again, the stored ones included.
    touched_runs as (

        select distinct
            fetch_keys.entity,
            fetch_keys.project,
            fetch_keys.run_id

        from fetch_keys
        where fetch_keys.load_id in ({{ values_not_built('fetch_keys', 'load_id') }})

    ),

{% endif %}

run_fetches as (

    select
        fetches.entity,
        fetches.project,
        fetches.run_id,
        fetches.load_id,
        fetches.fetched_at,
        fetches.fetch_kind,
        fetches.run_name,
        fetches.experiment_group,
        fetches.sweep_id,
        fetches.job_type,
        fetches.state,
        fetches.created_at,
        fetches.heartbeat_at,
        fetches.history_line_count,
        fetches.tags,
        -- Latest wins; at equal fetched_at a full row beats a light one.
        case when fetches.fetch_kind = 'full' then 1 else 0 end as fetch_kind_rank,
        loads.load_number

    from fetches
    {% if is_incremental() %}
        inner join touched_runs
            on
                fetches.entity = touched_runs.entity
                and fetches.project = touched_runs.project
                and fetches.run_id = touched_runs.run_id
    {% endif %}
    left join loads
        on fetches.load_id = loads.load_id

),

versioned as (

    select
        *,
        -- The full fetch whose config and summary this version carries (itself, if full),
        -- named by its identity within the run: (load_id, fetched_at) is unique per run.
        {{ last_value_ignore_nulls("case when fetch_kind = 'full' then load_id end") }}
            over run_history as payload_load_id,
        {{ last_value_ignore_nulls("case when fetch_kind = 'full' then fetched_at end") }}
            over run_history as payload_fetched_at,
        cast(row_number() over run_history as {{ dbt.type_bigint() }}) as version_number,
        count(*) over run_versions as version_count,
        min(fetched_at) over run_versions as first_seen_at,
        max(fetched_at) over run_versions as last_fetched_at,
        max(load_number) over run_versions as touched_load_number

    from run_fetches
    window
        run_history as (
            partition by entity, project, run_id
            order by fetched_at, fetch_kind_rank, load_id
            rows between unbounded preceding and current row
        ),
        run_versions as (partition by entity, project, run_id)

),

-- The load that touched the run last: the newest load (by start) with a version of it.
touched as (

    select
        versioned.*,
        loads.load_id as touched_by_load_id

    from versioned
    left join loads
        on
            versioned.entity = loads.entity
            and versioned.project = loads.project
            and versioned.touched_load_number = loads.load_number

),

final as (

    select
        entity,
        project,
        run_id,
        version_number,
        version_number = version_count as is_latest_version,
        load_id,
        fetched_at,
        fetch_kind,
        run_name,
        experiment_group,
        sweep_id,
        job_type,
        state,
        created_at,
        heartbeat_at,
        history_line_count,
        tags,
        payload_load_id,
        payload_fetched_at,
        first_seen_at,
        last_fetched_at,
        touched_by_load_id

    from touched

)

select * from final
