-- The original tag bug: a sync that misses tags shows as a month whose tagged share drops
-- sharply from the previous load, or sits far below a neighbouring month of the same load.
-- Names the untagged runs of every such month and load.
{{ config(
    severity='warn',
    store_failures=true,
    meta={'checks': 'A creation month\'s share of tagged runs fell by over '
        ~ 'tag_coverage_max_drop since the previous load, or sits that far below a '
        ~ 'neighbouring month: a sync lost tags.'}
) }}

with

tag_coverage as (

    select * from {{ ref('tag_coverage') }}
    where runs >= {{ var('tag_coverage_min_runs') }}

),

state_at_load as (

    select * from {{ ref('int_runs__state_at_load') }}

),

compared as (

    select
        *,
        lag(share_with_tags) over (
            partition by entity, project, created_month
            order by load_number
        ) as share_at_previous_load,
        lag(share_with_tags) over (
            partition by entity, project, load_id
            order by created_month
        ) as share_previous_month,
        lead(share_with_tags) over (
            partition by entity, project, load_id
            order by created_month
        ) as share_next_month

    from tag_coverage

),

flagged_months as (

    select
        entity,
        project,
        load_id,
        created_month,
        share_with_tags,
        case
            when share_at_previous_load - share_with_tags > {{ var('tag_coverage_max_drop') }}
                then 'dropped since the previous load'
            else 'far below a neighbouring month'
        end as finding

    from compared
    where
        share_at_previous_load - share_with_tags > {{ var('tag_coverage_max_drop') }}
        or share_previous_month - share_with_tags > {{ var('tag_coverage_max_drop') }}
        or share_next_month - share_with_tags > {{ var('tag_coverage_max_drop') }}

),

final as (

    select
        flagged_months.entity,
        flagged_months.project,
        flagged_months.load_id,
        flagged_months.created_month,
        flagged_months.share_with_tags,
        flagged_months.finding,
        state_at_load.run_id

    from flagged_months
    inner join state_at_load
        on
            flagged_months.entity = state_at_load.entity
            and flagged_months.project = state_at_load.project
            and flagged_months.load_id = state_at_load.load_id
            and flagged_months.created_month = state_at_load.created_month
    where not state_at_load.has_tags

)

select * from final
