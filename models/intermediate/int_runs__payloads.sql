with

runs as (

    select * from {{ ref('int_runs__current') }}

),

fetches as (

    select * from {{ ref('stg_wandb__run_fetches') }}

),

final as (

    select
        runs.entity,
        runs.project,
        runs.run_id,
        fetches.config,
        fetches.summary,
        runs.payload_fetched_at

    from runs
    inner join fetches
        on
            runs.entity = fetches.entity
            and runs.project = fetches.project
            and runs.run_id = fetches.run_id
            and runs.payload_load_id = fetches.load_id
            and runs.payload_fetched_at = fetches.fetched_at
            and fetches.fetch_kind = 'full'

)

select * from final
