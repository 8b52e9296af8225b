with

artifacts as (

    select * from {{ ref('stg_wandb__run_artifacts') }}

),

-- A version as the latest fetch that saw it shows it (aliases move between versions).
ranked as (

    select
        *,
        row_number() over artifact_sightings as recency,
        min(fetched_at) over artifact_all as first_seen_at

    from artifacts
    window
        artifact_sightings as (
            partition by artifact_id
            order by
                fetched_at desc,
                load_id desc,
                entity desc,
                project desc,
                run_id desc,
                direction desc
        ),
        artifact_all as (partition by artifact_id)

),

final as (

    select
        artifact_id,
        artifact_entity,
        artifact_project,
        artifact_name,
        version_index,
        artifact_name || ':v' || cast(version_index as {{ dbt.type_string() }})
            as artifact_version,
        artifact_type,
        aliases,
        digest,
        size_bytes,
        file_count,
        artifact_state,
        created_at,
        first_seen_at,
        fetched_at as last_seen_at

    from ranked
    where recency = 1

)

select * from final
