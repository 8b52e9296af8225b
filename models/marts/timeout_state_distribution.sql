with

runs as (

    select * from {{ ref('runs') }}

),

grouped as (

    select
        entity,
        project,
        split_group as timeout_group,
        state,
        count(*) as runs

    from runs
    group by
        entity,
        project,
        split_group,
        state

),

final as (

    select
        entity,
        project,
        timeout_group,
        state,
        runs,
        cast(sum(runs) over (partition by entity, project, timeout_group) as bigint)
            as group_runs,
        cast(runs as double)
        / sum(runs) over (partition by entity, project, timeout_group) as share_of_group,
        {{ split_name("entity", "project") }} as split_name

    from grouped

)

select * from final
