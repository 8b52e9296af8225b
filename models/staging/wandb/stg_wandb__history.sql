with

source as (

    select * from {{ source('wandb', 'wandb_history') }}

),

-- W&B never rewrites a logged step; a step stored twice comes from loading the same rows
-- again, so any copy is the step, and the last-logged copy is kept deterministically
-- (row_number() rather than QUALIFY, which Spark lacks).
ranked as (

    select
        *,
        row_number() over (
            partition by entity, project, run_id, step
            order by logged_at desc nulls last, load_id desc
        ) as copy_rank

    from source

),

deduplicated as (

    select * from ranked
    where copy_rank = 1

),

renamed as (

    select
        entity,
        project,
        run_id,
        step,
        logged_at,
        runtime as runtime_seconds,
        metrics,
        load_id

    from deduplicated

)

select * from renamed
