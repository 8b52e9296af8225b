with

source as (

    select * from {{ source('wandb', 'wandb_listings') }}

),

renamed as (

    select distinct
        load_id,
        entity,
        project,
        run_id

    from source

)

select * from renamed
