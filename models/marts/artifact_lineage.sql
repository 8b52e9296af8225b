with

run_artifacts as (

    select * from {{ ref('int_runs__artifacts') }}

),

versions as (

    select * from {{ ref('int_artifacts__versions') }}

),

runs as (

    select * from {{ ref('int_runs__current') }}

),

final as (

    select
        run_artifacts.entity,
        run_artifacts.project,
        run_artifacts.run_id,
        runs.run_name,
        runs.state,
        run_artifacts.direction,
        run_artifacts.artifact_id,
        versions.artifact_entity,
        versions.artifact_project,
        versions.artifact_name,
        versions.version_index,
        versions.artifact_version,
        versions.artifact_type,
        versions.aliases,
        versions.digest,
        versions.size_bytes,
        versions.created_at as artifact_created_at,
        run_artifacts.fetched_at

    from run_artifacts
    inner join runs
        on
            run_artifacts.entity = runs.entity
            and run_artifacts.project = runs.project
            and run_artifacts.run_id = runs.run_id
    inner join versions
        on run_artifacts.artifact_id = versions.artifact_id
    where not runs.is_deleted_upstream

)

select * from final
