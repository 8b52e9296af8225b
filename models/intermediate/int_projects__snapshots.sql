with

loads as (

    select * from {{ ref('stg_wandb__loads') }}

),

-- "Now" for a project is when W&B was last observed for it, not the wall clock: a
-- warehouse built from an old export judges its runs as of that export.
final as (

    select
        entity,
        project,
        max(snapshot_at) as snapshot_at,
        count(*) as loads

    from loads
    where status = 'ok'
    group by
        entity,
        project

)

select * from final
