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
latest_complete_loads as (

    select
        entity,
        project,
        load_id,
        snapshot_at

    from loads
    where status = 'ok' and is_listing_complete
    qualify row_number() over (
        partition by entity, project
        order by snapshot_at desc, started_at desc
    ) = 1

),

-- Staging never joins: the deletion flag is a semi-join on the listing ledger, which adds
-- a column and never changes the grain. A run fetched after that listing (by a later
-- partial load) is not judged by it.
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
        latest_versions.history_line_count,
        latest_versions.tags,
        latest_versions.config,
        latest_versions.summary,
        latest_versions.pretrain_steps_text,
        latest_versions.pretrain_compute_text,
        latest_versions.model_pretrain_steps_text,
        latest_versions.model_pretrain_compute_text,
        exists(
            select 1
            from latest_complete_loads
            where
                latest_complete_loads.entity = latest_versions.entity
                and latest_complete_loads.project = latest_versions.project
                and latest_complete_loads.snapshot_at >= latest_versions.last_fetched_at
                and not exists (
                    select 1
                    from listings
                    where
                        listings.load_id = latest_complete_loads.load_id
                        and listings.entity = latest_versions.entity
                        and listings.project = latest_versions.project
                        and listings.run_id = latest_versions.run_id
                )
        ) as is_deleted_upstream,
        latest_versions.first_seen_at,
        latest_versions.last_fetched_at,
        latest_versions.version_number as version_count,
        latest_versions.load_id as last_load_id

    from latest_versions

)

select * from final
