{#- Discovery reads a fixed sample of each project's analysed runs, so its cost stays
    bounded however many runs a project has: at most `key_discovery_max_runs` per project,
    chosen by an md5 of the run id (the same runs on every engine and build, and a new
    run enters only if its hash ranks among them). -#}
with

in_scope as (

    select * from {{ ref('int_runs__in_scope') }}
    where is_analysed

),

ranked as (

    select
        entity,
        project,
        run_id,
        touched_by_load_id,
        row_number() over (
            partition by entity, project
            order by {{ dbt.hash('run_id') }}, run_id
        ) as sample_rank

    from in_scope

),

final as (

    select * from ranked
    where sample_rank <= {{ var('key_discovery_max_runs') }}

)

select * from final
