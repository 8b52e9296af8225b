with

source as (

    select * from {{ source('wandb', 'wandb_history') }}

),

-- W&B never rewrites a logged step; a step stored twice comes from loading the same rows
-- again, so any copy is the step, and the last-logged copy is kept deterministically.
deduplicated as (

    select * from source
    qualify row_number() over (
        partition by entity, project, run_id, step
        order by logged_at desc nulls last, load_id desc
    ) = 1

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
