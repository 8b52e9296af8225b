{#- stg_wandb__runs without the config and summary JSON, kept as a table: the models and
    tests that need a run's typed fields or its deletion flag read this instead of
    re-evaluating the view (latest versions joined to the listing ledger: 1 to 2 s per
    read at a million runs). Incremental on DuckDB: a build re-derives only the runs whose
    touched_by_load_id it does not hold yet and the runs of projects with a new complete
    listing (the view's logic, shared through the runs_judged_by_listings macro) and
    merges them in by run; runs never leave the view, so no row is ever deleted. A table
    on Spark. -#}
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
    -- every run's latest version (2.5 to 4.6 s at a million runs, against 0.5 s here).
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

    -- The loads that touched a run last (touched_by_load_id) and that this table does not
    -- hold yet: the runs they touched are the ones whose versions changed, an older export
    -- loaded late included. A load every run of which a later load touched again is
    -- nobody's touched_by_load_id, so it never comes back.
    new_touches as not materialized (

        select distinct run_versions.touched_by_load_id
        from run_versions
        where
            run_versions.is_latest_version
            and run_versions.touched_by_load_id not in (
                select distinct previous.touched_by_load_id
                from {{ this }} as previous
                where previous.touched_by_load_id is not null
            )

    ),

    -- The projects with a new latest complete listing: all their runs are judged again.
    relisted_projects as (

        select
            loads.entity,
            loads.project

        from loads
        where
            loads.is_latest_complete_listing
            and loads.load_id not in (
                select distinct previous.listing_load_id
                from {{ this }} as previous
                where previous.listing_load_id is not null
            )

    ),

    -- The latest version of every run to re-derive, in two disjoint parts; the second is
    -- usually empty, and a join with an empty side reads nothing.
    latest_versions as (

        -- Runs a new load touched.
        select {{ column_list(latest_columns, 'run_versions') }}

        from run_versions
        where
            run_versions.is_latest_version
            and run_versions.touched_by_load_id in (
                select new_touches.touched_by_load_id from new_touches
            )

        union all

        -- The other runs of a project with a new complete listing.
        select {{ column_list(latest_columns, 'run_versions') }}

        from run_versions
        inner join relisted_projects
            on
                run_versions.entity = relisted_projects.entity
                and run_versions.project = relisted_projects.project
        where
            run_versions.is_latest_version
            and run_versions.touched_by_load_id not in (
                select new_touches.touched_by_load_id from new_touches
            )

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
