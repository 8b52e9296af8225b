{#- Discovery reads a fixed sample of each project's analysed runs, so its cost stays
    bounded however many runs a project has: at most `key_discovery_max_runs` per project,
    chosen by an md5 of the run id (the same runs on every engine and build, and a new
    run enters only if its hash ranks among them). A table: its readers use it twice per
    build, and ranking every run is the costly part. -#}
{{ config(materialized='table') }}

with

in_scope as (

    select * from {{ ref('int_runs__in_scope') }}
    where is_analysed

),

runs as (

    select * from {{ ref('int_runs__current') }}

),

ranked as (

    select
        in_scope.entity,
        in_scope.project,
        in_scope.run_id,
        runs.payload_load_id,
        runs.payload_fetched_at,
        row_number() over (
            partition by in_scope.entity, in_scope.project
            order by {{ dbt.hash('in_scope.run_id') }}, in_scope.run_id
        ) as sample_rank

    from in_scope
    inner join runs
        on
            in_scope.entity = runs.entity
            and in_scope.project = runs.project
            and in_scope.run_id = runs.run_id

),

final as (

    select * from ranked
    where sample_rank <= {{ var('key_discovery_max_runs') }}

)

select * from final
