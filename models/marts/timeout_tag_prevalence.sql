with

runs as (

    select * from {{ ref('runs') }}

),

catalog as (

    select * from {{ ref('int_tags__catalog') }}

),

group_sizes as (

    select
        entity,
        project,
        count(case when has_timeout then 1 end) as timeout_group_runs,
        count(case when not has_timeout then 1 end) as no_timeout_group_runs

    from runs
    group by entity, project

),

run_tags as (

    select
        entity,
        project,
        has_timeout,
        {{ explode_list('tags') }} as tag

    from runs

),

tag_counts as (

    select
        entity,
        project,
        tag,
        count(case when has_timeout then 1 end) as timeout_runs,
        count(case when not has_timeout then 1 end) as no_timeout_runs

    from run_tags
    group by entity, project, tag

),

shares as (

    select
        group_sizes.entity,
        group_sizes.project,
        catalog.tag,
        catalog.tag_category,
        catalog.catalog_order,
        group_sizes.timeout_group_runs,
        group_sizes.no_timeout_group_runs,
        coalesce(tag_counts.timeout_runs, 0) as timeout_runs,
        coalesce(tag_counts.no_timeout_runs, 0) as no_timeout_runs,
        cast(coalesce(tag_counts.timeout_runs, 0) as double)
        / nullif(group_sizes.timeout_group_runs, 0) as timeout_share,
        cast(coalesce(tag_counts.no_timeout_runs, 0) as double)
        / nullif(group_sizes.no_timeout_group_runs, 0) as no_timeout_share

    from group_sizes
    cross join catalog
    left join tag_counts
        on
            group_sizes.entity = tag_counts.entity
            and group_sizes.project = tag_counts.project
            and catalog.tag = tag_counts.tag

),

final as (

    select
        entity,
        project,
        tag,
        tag_category,
        catalog_order,
        timeout_runs,
        timeout_group_runs,
        timeout_share,
        no_timeout_runs,
        no_timeout_group_runs,
        no_timeout_share,
        timeout_share - no_timeout_share as share_difference

    from shares

)

select * from final
