with

runs as (

    select * from {{ ref('int_runs__current') }}

),

analysis_scope as (

    select * from {{ ref('analysis_scope') }}

),

run_exclusions as (

    select * from {{ ref('run_exclusions') }}

),

-- A project without an analysis_scope row is analysed whole; a run without a creation
-- time cannot be placed after a project's first_run_date and is out of scope.
scoped as (

    select
        runs.entity,
        runs.project,
        runs.run_id,
        runs.is_deleted_upstream,
        runs.touched_by_load_id,
        analysis_scope.first_run_date,
        coalesce(
            analysis_scope.first_run_date is null
            or {{ utc_date('runs.created_at') }} >= analysis_scope.first_run_date,
            false
        ) as is_in_scope,
        run_exclusions.run_id is not null as is_excluded,
        run_exclusions.reason as exclusion_reason

    from runs
    left join analysis_scope
        on
            runs.entity = analysis_scope.entity
            and runs.project = analysis_scope.project
    left join run_exclusions
        on
            runs.entity = run_exclusions.entity
            and runs.project = run_exclusions.project
            and runs.run_id = run_exclusions.run_id

),

final as (

    select
        entity,
        project,
        run_id,
        first_run_date,
        is_in_scope,
        is_excluded,
        exclusion_reason,
        is_deleted_upstream,
        is_in_scope and not is_excluded and not is_deleted_upstream as is_analysed,
        touched_by_load_id

    from scoped

)

select * from final
