with

source as (

    select * from {{ source('wandb', 'wandb_artifact_fetches') }}

),

renamed as (

    select
        entity,
        project,
        run_id,
        load_id,
        fetched_at,
        used_count as used_artifact_count,
        logged_count as logged_artifact_count

    from source

)

select * from renamed
