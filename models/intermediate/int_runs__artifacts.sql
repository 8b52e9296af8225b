with

fetches as (

    select * from {{ ref('stg_wandb__artifact_fetches') }}

),

artifacts as (

    select * from {{ ref('stg_wandb__run_artifacts') }}

),

-- A run's artifacts are those of its latest artifact fetch.
ranked_fetches as (

    select
        entity,
        project,
        run_id,
        load_id,
        fetched_at,
        row_number() over (
            partition by entity, project, run_id
            order by fetched_at desc, load_id desc
        ) as recency

    from fetches

),

latest_artifacts as (

    -- One row per version and direction: staging keeps one copy of a repeated row.
    select artifacts.*

    from artifacts
    inner join ranked_fetches
        on
            artifacts.entity = ranked_fetches.entity
            and artifacts.project = ranked_fetches.project
            and artifacts.run_id = ranked_fetches.run_id
            and artifacts.load_id = ranked_fetches.load_id
            and artifacts.fetched_at = ranked_fetches.fetched_at
    where ranked_fetches.recency = 1

),

final as (

    select
        entity,
        project,
        run_id,
        direction,
        artifact_id,
        fetched_at,
        load_id

    from latest_artifacts

)

select * from final
