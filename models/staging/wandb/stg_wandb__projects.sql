with

source as (

    select * from {{ source('wandb', 'wandb_projects') }}

),

renamed as (

    select
        listing_id,
        entity,
        project,
        listed_at,
        {{ parse_utc_timestamp(json_extract_string('record', '$.createdAt')) }}
            as project_created_at

    from source

)

select * from renamed
