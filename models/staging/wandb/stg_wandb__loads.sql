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
        -- BIGINT on every engine (Spark's row_number is INT).
        cast(row_number() over (
            partition by entity, project
            order by started_at, load_id
        ) as bigint) as load_number

    from source

),

-- The newest complete listing of each project says which runs still exist upstream.
ranked_complete as (

    select
        load_id,
        row_number() over (
            partition by entity, project
            order by snapshot_at desc, started_at desc
        ) as recency

    from renamed
    where status = 'ok' and is_listing_complete

),

final as (

    select
        renamed.*,
        coalesce(ranked_complete.recency = 1, false) as is_latest_complete_listing

    from renamed
    left join ranked_complete
        on renamed.load_id = ranked_complete.load_id

)

select * from final
