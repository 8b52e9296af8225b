{#- stg_wandb__runs without the config and summary JSON, kept as a table: the models and
    tests that need a run's typed fields or its deletion flag read this instead of
    re-evaluating the view (latest versions joined to the listing ledger: 1 to 2 s per
    read at a million runs). Incremental on DuckDB: a build re-derives only the runs a new
    load touched and the runs of projects with a new complete listing (the view's logic,
    shared through the runs_judged_by_listings macro) and merges them in by run; runs
    never leave the view, so no row is ever deleted. A table on Spark. -#}
{{
    config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='merge',
        unique_key=['entity', 'project', 'run_id'],
        on_schema_change='fail',
    )
}}

{%- set version_columns = [
    'entity',
    'project',
    'run_id',
    'run_name',
    'experiment_group',
    'job_type',
    'state',
    'created_at',
    'heartbeat_at',
    'runtime_seconds',
    'timeout_seconds',
    'timeout_text',
    'history_line_count',
    'tags',
    'pretrain_steps_text',
    'pretrain_compute_text',
    'model_pretrain_steps_text',
    'model_pretrain_compute_text',
] -%}
{%- set latest_columns = version_columns
    + ['first_seen_at', 'last_fetched_at', 'version_number', 'load_id', 'touched_by_load_id']
-%}

-- depends_on: {{ ref('stg_wandb__run_versions') }}
-- depends_on: {{ ref('stg_wandb__loads') }}
-- depends_on: {{ ref('stg_wandb__listings') }}

with

{% if not is_incremental() %}

    runs as (

        select
            {{ column_list(version_columns) }},
            is_deleted_upstream,
            first_seen_at,
            last_fetched_at,
            version_count,
            last_load_id,
            touched_by_load_id,
            listing_load_id

        from {{ ref('stg_wandb__runs') }}

    ),

{% else %}

    -- stg_wandb__runs re-derived for the runs a build can change, from their latest
    -- versions: a filter on the view would come after its joins, so it would still read
    -- every run's latest version (1.5 to 3.5 s at a million runs, against 0.2 s here).
    -- DuckDB pushes a semi join on a short list of loads into its scan, which then reads
    -- only those rows; `not materialized` keeps a CTE used twice from being computed
    -- once in full, which would defeat that.
    run_versions as not materialized (

        select * from {{ ref('stg_wandb__run_versions') }}

    ),

    loads as (

        select * from {{ ref('stg_wandb__loads') }}

    ),

    listings as (

        select * from {{ ref('stg_wandb__listings') }}

    ),

    -- The loads this table has seen: the load of each run's latest version, and the
    -- complete listing each project was judged by. (An older export loaded late is the
    -- latest load of none of its runs: those few runs are re-derived at every build.)
    seen_loads as (

        select distinct previous.last_load_id as load_id
        from {{ this }} as previous

        union

        select distinct previous.listing_load_id as load_id
        from {{ this }} as previous
        where previous.listing_load_id is not null

    ),

    new_loads as not materialized (

        select distinct run_versions.load_id
        from run_versions
        where run_versions.load_id not in (select seen_loads.load_id from seen_loads)

    ),

    -- The versions the new loads stored (keys only).
    new_load_versions as (

        select
            run_versions.entity,
            run_versions.project,
            run_versions.run_id,
            run_versions.is_latest_version

        from run_versions
        where run_versions.load_id in (select new_loads.load_id from new_loads)

    ),

    touched_runs as (

        select distinct
            new_load_versions.entity,
            new_load_versions.project,
            new_load_versions.run_id

        from new_load_versions

    ),

    -- Touched runs whose latest version is older than the new loads (an older export
    -- loaded late); usually none.
    stale_touched_runs as (

        select
            touched_runs.entity,
            touched_runs.project,
            touched_runs.run_id

        from touched_runs
        anti join new_load_versions
            on
                touched_runs.entity = new_load_versions.entity
                and touched_runs.project = new_load_versions.project
                and touched_runs.run_id = new_load_versions.run_id
                and new_load_versions.is_latest_version

    ),

    -- The projects with a new latest complete listing: all their runs are judged again.
    relisted_projects as (

        select
            loads.entity,
            loads.project

        from loads
        where
            loads.is_latest_complete_listing
            and loads.load_id not in (select seen_loads.load_id from seen_loads)

    ),

    -- The latest version of every run to re-derive, in three disjoint parts. The last
    -- two are usually empty, and a join with an empty side reads nothing.
    latest_versions as (

        -- Runs whose latest version a new load stored.
        select {{ column_list(latest_columns, 'run_versions') }}

        from run_versions
        where
            run_versions.is_latest_version
            and run_versions.load_id in (select new_loads.load_id from new_loads)

        union all

        -- Runs a new load touched only with an older version.
        select {{ column_list(latest_columns, 'run_versions') }}

        from run_versions
        inner join stale_touched_runs
            on
                run_versions.entity = stale_touched_runs.entity
                and run_versions.project = stale_touched_runs.project
                and run_versions.run_id = stale_touched_runs.run_id
        where run_versions.is_latest_version

        union all

        -- The other runs of a project with a new complete listing.
        select {{ column_list(latest_columns, 'run_versions') }}

        from run_versions
        inner join relisted_projects
            on
                run_versions.entity = relisted_projects.entity
                and run_versions.project = relisted_projects.project
        anti join touched_runs
            on
                run_versions.entity = touched_runs.entity
                and run_versions.project = touched_runs.project
                and run_versions.run_id = touched_runs.run_id
        where run_versions.is_latest_version

    ),

    {{ runs_judged_by_listings('latest_versions', 'loads', 'listings', version_columns) }}

    runs as (

        select * from judged_runs

    ),

{% endif %}

final as (

    select * from runs

)

select * from final
