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

latest_versions as (

    select * from run_versions
    where is_latest_version

),

-- The newest complete listing of each project says which runs still exist upstream.
ranked_complete_loads as (

    select
        entity,
        project,
        load_id,
        snapshot_at,
        row_number() over (
            partition by entity, project
            order by snapshot_at desc, started_at desc
        ) as recency

    from loads
    where status = 'ok' and is_listing_complete

),

latest_complete_loads as (

    select * from ranked_complete_loads
    where recency = 1

),

-- The runs that newest complete listing held (one listing per project).
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

-- Staging keeps the grain: the deletion flag comes from left joins on the listing ledger
-- (at most one complete load per project, one listing row per run), which add columns and
-- never rows. A run fetched after that listing (by a later partial load) is not judged by
-- it. Plain joins, not EXISTS subqueries: they let every reader of this view scan only
-- the columns it needs (a correlated EXISTS made DuckDB read the config and summary JSON
-- for a key-only test, 10x slower at a million runs).
final as (

    select
        latest_versions.entity,
        latest_versions.project,
        latest_versions.run_id,
        latest_versions.run_name,
        latest_versions.experiment_group,
        latest_versions.job_type,
        latest_versions.state,
        latest_versions.created_at,
        latest_versions.heartbeat_at,
        latest_versions.runtime_seconds,
        latest_versions.timeout_seconds,
        latest_versions.timeout_text,
        latest_versions.history_line_count,
        latest_versions.tags,
        latest_versions.config,
        latest_versions.summary,
        latest_versions.pretrain_steps_text,
        latest_versions.pretrain_compute_text,
        latest_versions.model_pretrain_steps_text,
        latest_versions.model_pretrain_compute_text,
        coalesce(
            latest_complete_loads.snapshot_at >= latest_versions.last_fetched_at
            and latest_listings.is_listed is null,
            false
        ) as is_deleted_upstream,
        latest_versions.first_seen_at,
        latest_versions.last_fetched_at,
        latest_versions.version_number as version_count,
        latest_versions.load_id as last_load_id

    from latest_versions
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
