with

listings as (

    select * from {{ ref('stg_wandb__entity_listings') }}

),

projects as (

    select * from {{ ref('stg_wandb__projects') }}

),

latest_listings as (

    select
        entity,
        started_at as entity_listed_at

    from listings
    where is_latest_listing

),

listed as (

    select
        projects.entity,
        projects.project,
        projects.listed_at,
        projects.project_created_at,
        listings.is_latest_listing

    from projects
    inner join listings
        on projects.listing_id = listings.listing_id
    where listings.status = 'ok'

),

per_project as (

    select
        entity,
        project,
        min(listed_at) as first_listed_at,
        max(listed_at) as last_listed_at,
        max(project_created_at) as project_created_at,
        max(case when is_latest_listing then 1 else 0 end) = 1 as is_in_latest_listing

    from listed
    group by
        entity,
        project

),

final as (

    select
        per_project.*,
        latest_listings.entity_listed_at

    from per_project
    left join latest_listings
        on per_project.entity = latest_listings.entity

)

select * from final
