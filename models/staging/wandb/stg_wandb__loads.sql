with

source as (

    select * from {{ source('wandb', 'wandb_loads') }}

),

renamed as (

    select
        load_id,
        invocation_id,
        entity,
        project,
        mode as load_mode,
        source as load_source,
        source_sha256,
        started_at,
        finished_at,
        snapshot_at,
        status,
        error as error_message,
        listing_complete as is_listing_complete,
        listed as runs_listed,
        new as runs_new,
        changed as runs_changed,
        deleted as runs_deleted,
        heavy_fetched as runs_heavy_fetched,
        requests as api_requests,
        row_number() over (
            partition by entity, project
            order by started_at, load_id
        ) as load_number

    from source

)

select * from renamed
