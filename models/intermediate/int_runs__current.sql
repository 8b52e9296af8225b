{#- A run as its latest version shows it, with the values the models read from its config
    and summary, and whether it was deleted upstream. Narrow (no JSON): the table that
    per-run models and tests read.
    Incremental: a build re-derives the runs whose latest version was touched by a load
    this table does not hold yet, and every run of a project with a new latest complete
    listing (their deletion flags may change), and merges them in by run. Runs never leave
    it. A change of the values the analysis settings read rebuilds it whole, as it
    carries them (analysis_values). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['entity', 'project', 'run_id'],
        on_schema_change='fail',
        meta={'analysis_settings': 'paths'},
        post_hook="{{ record_analysis_settings() }}",
    )
}}

with

versions as (

    select * from {{ ref('int_runs__versions') }}

),

fetches as (

    select * from {{ ref('stg_wandb__run_fetches') }}

),

loads as (

    select * from {{ ref('stg_wandb__loads') }}

),

listings as (

    select * from {{ ref('stg_wandb__listings') }}

),

-- The newest complete listing of each project says which runs still exist upstream.
latest_complete_loads as (

    select * from loads
    where is_latest_complete_listing

),

{% if is_incremental() %}

    relisted_projects as (

        select
            latest_complete_loads.entity,
            latest_complete_loads.project

        from latest_complete_loads
        where latest_complete_loads.load_id in (
            {{ values_not_built('latest_complete_loads', 'load_id', 'listing_load_id') }}
        )

    ),

{% endif %}

latest_versions as (

    select versions.*
    from versions
    where
        versions.is_latest_version
        {% if is_incremental() %}
            and (
                versions.touched_by_load_id in (
                    {{ values_not_built(ref('int_runs__versions'), 'touched_by_load_id') }}
                )
                or exists (
                    select 1
                    from relisted_projects
                    where
                        relisted_projects.entity = versions.entity
                        and relisted_projects.project = versions.project
                )
            )
        {% endif %}

),

-- The runs the newest complete listing of their project held.
latest_listings as (

    select
        listings.entity,
        listings.project,
        listings.run_id,
        true as is_listed

    from listings
    inner join latest_complete_loads
        on listings.load_id = latest_complete_loads.load_id

),

final as (

    select
        latest_versions.entity,
        latest_versions.project,
        latest_versions.run_id,
        latest_versions.run_name,
        latest_versions.experiment_group,
        latest_versions.sweep_id,
        latest_versions.job_type,
        latest_versions.state,
        latest_versions.created_at,
        latest_versions.heartbeat_at,
        -- Summary `_runtime`; before a run's first summary, the span it has been alive.
        coalesce(
            {{ safe_double('payloads.runtime_text') }},
            {{ seconds_between('latest_versions.created_at', 'latest_versions.heartbeat_at') }}
        ) as runtime_seconds,
        {{ safe_double('payloads.timeout_text') }} as timeout_seconds,
        payloads.timeout_text,
        latest_versions.history_line_count,
        latest_versions.tags,
        payloads.analysis_values,
        -- A run fetched after that listing (by a later partial load) is not judged by it.
        coalesce(
            latest_complete_loads.snapshot_at >= latest_versions.last_fetched_at
            and latest_listings.is_listed is null,
            false
        ) as is_deleted_upstream,
        latest_versions.first_seen_at,
        latest_versions.last_fetched_at,
        latest_versions.version_number as version_count,
        latest_versions.load_id as last_load_id,
        latest_versions.payload_load_id,
        latest_versions.payload_fetched_at,
        latest_versions.touched_by_load_id,
        latest_complete_loads.load_id as listing_load_id

    from latest_versions
    left join fetches as payloads
        on
            latest_versions.entity = payloads.entity
            and latest_versions.project = payloads.project
            and latest_versions.run_id = payloads.run_id
            and latest_versions.payload_load_id = payloads.load_id
            and latest_versions.payload_fetched_at = payloads.fetched_at
            and payloads.fetch_kind = 'full'
    left join latest_complete_loads
        on
            latest_versions.entity = latest_complete_loads.entity
            and latest_versions.project = latest_complete_loads.project
    left join latest_listings
        on
            latest_versions.entity = latest_listings.entity
            and latest_versions.project = latest_listings.project
            and latest_versions.run_id = latest_listings.run_id

)

select * from final
