with

snapshots as (

    select * from {{ ref('int_projects__snapshots') }}

),

listings as (

    select * from {{ ref('int_projects__listings') }}

),

runs as (

    select * from {{ ref('int_runs__current') }}

),

sweeps as (

    select * from {{ ref('int_sweeps__current') }}

),

known_projects as (

    select
        entity,
        project

    from snapshots

    union

    select
        entity,
        project

    from listings

),

entity_listings as (

    select
        entity,
        max(entity_listed_at) as entity_listed_at

    from listings
    group by entity

),

project_runs as (

    select
        entity,
        project,
        count(*) as runs

    from runs
    where not is_deleted_upstream
    group by
        entity,
        project

),

project_sweeps as (

    select
        entity,
        project,
        count(*) as sweeps

    from sweeps
    group by
        entity,
        project

),

final as (

    select
        known_projects.entity,
        known_projects.project,
        listings.project_created_at,
        listings.first_listed_at,
        listings.last_listed_at,
        snapshots.snapshot_at as last_synced_at,
        coalesce(snapshots.loads, 0) as loads,
        coalesce(project_runs.runs, 0) as runs,
        coalesce(project_sweeps.sweeps, 0) as sweeps,
        -- Gone: its entity's latest listing lacks it and was taken after its last sync (a
        -- project synced by name after that listing is not judged by it).
        coalesce(
            not coalesce(listings.is_in_latest_listing, false)
            and entity_listings.entity_listed_at
            >= coalesce(snapshots.snapshot_at, listings.last_listed_at),
            false
        ) as is_deleted_upstream

    from known_projects
    left join snapshots
        on
            known_projects.entity = snapshots.entity
            and known_projects.project = snapshots.project
    left join listings
        on
            known_projects.entity = listings.entity
            and known_projects.project = listings.project
    left join entity_listings
        on known_projects.entity = entity_listings.entity
    left join project_runs
        on
            known_projects.entity = project_runs.entity
            and known_projects.project = project_runs.project
    left join project_sweeps
        on
            known_projects.entity = project_sweeps.entity
            and known_projects.project = project_sweeps.project

)

select * from final
