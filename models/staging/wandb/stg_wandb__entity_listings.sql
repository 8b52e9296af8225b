with

source as (

    select * from {{ source('wandb', 'wandb_entity_listings') }}

),

renamed as (

    select
        listing_id,
        invocation_id,
        entity,
        source as listing_source,
        started_at,
        finished_at,
        status,
        error as error_message,
        projects_listed,
        requests as api_requests

    from source

),

-- The newest successful listing of each entity says which of its projects still exist.
ranked_ok as (

    select
        listing_id,
        row_number() over (
            partition by entity
            order by started_at desc, listing_id desc
        ) as recency

    from renamed
    where status = 'ok'

),

final as (

    select
        renamed.*,
        coalesce(ranked_ok.recency = 1, false) as is_latest_listing

    from renamed
    left join ranked_ok
        on renamed.listing_id = ranked_ok.listing_id

)

select * from final
