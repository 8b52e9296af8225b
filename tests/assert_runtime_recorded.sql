-- The original `runtime = 0` bug: runtime zero or missing for most runs of a project means
-- the field is not what it claims. Names every such run of an affected project.
{{ config(
    severity='warn',
    store_failures=true,
    meta={'checks': 'Most runs of a project (over max_share_runs_without_runtime) record a zero '
        ~ 'or missing runtime: the original runtime = 0 bug.'}
) }}

with

runs as (

    select * from {{ ref('int_runs__current') }}
    where not is_deleted_upstream

),

project_runtime as (

    select
        entity,
        project,
        count(*) as project_runs,
        count(case when coalesce(runtime_seconds, 0) = 0 then 1 end) as runs_without_runtime

    from runs
    group by entity, project

),

affected_projects as (

    select * from project_runtime
    where runs_without_runtime > {{ var('max_share_runs_without_runtime') }} * project_runs

),

final as (

    select
        runs.entity,
        runs.project,
        runs.run_id,
        runs.run_name,
        runs.runtime_seconds,
        affected_projects.runs_without_runtime,
        affected_projects.project_runs

    from runs
    inner join affected_projects
        on
            runs.entity = affected_projects.entity
            and runs.project = affected_projects.project
    where coalesce(runs.runtime_seconds, 0) = 0

)

select * from final
