with

versions as (

    select * from {{ ref('int_artifacts__versions') }}

),

run_artifacts as (

    select * from {{ ref('int_runs__artifacts') }}

),

runs as (

    select * from {{ ref('int_runs__current') }}

),

edges as (

    select
        run_artifacts.artifact_id,
        run_artifacts.direction,
        run_artifacts.entity,
        run_artifacts.project,
        run_artifacts.run_id,
        runs.run_name,
        runs.created_at,
        run_artifacts.entity || '/' || run_artifacts.project || '/' || run_artifacts.run_id
            as run_path

    from run_artifacts
    inner join runs
        on
            run_artifacts.entity = runs.entity
            and run_artifacts.project = runs.project
            and run_artifacts.run_id = runs.run_id
    where not runs.is_deleted_upstream

),

-- A version is logged by one run; should W&B name several, the first created is kept.
loggers as (

    select
        *,
        row_number() over (
            partition by artifact_id
            order by created_at nulls last, run_path
        ) as logger_rank

    from edges
    where direction = 'logged'

),

users as (

    select
        artifact_id,
        count(distinct run_path) as used_by_runs,
        {{ sorted_string_list_agg('run_path') }} as used_by_run_paths

    from edges
    where direction = 'used'
    group by artifact_id

),

final as (

    select
        versions.artifact_id,
        versions.artifact_entity,
        versions.artifact_project,
        versions.artifact_name,
        versions.version_index,
        versions.artifact_version,
        versions.artifact_type,
        versions.aliases,
        versions.digest,
        versions.size_bytes,
        versions.file_count,
        versions.created_at,
        loggers.entity as logged_by_entity,
        loggers.project as logged_by_project,
        loggers.run_id as logged_by_run_id,
        loggers.run_name as logged_by_run_name,
        coalesce(users.used_by_runs, 0) as used_by_runs,
        coalesce(users.used_by_run_paths, {{ empty_string_list() }}) as used_by_run_paths,
        versions.last_seen_at

    from versions
    left join loggers
        on
            versions.artifact_id = loggers.artifact_id
            and loggers.logger_rank = 1
    left join users
        on versions.artifact_id = users.artifact_id

)

select * from final
