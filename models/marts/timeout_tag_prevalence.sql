{#- The comparison split's two sides: runs whose split path holds a value (`timeout_*`,
    the name of the original split) and runs without (`no_timeout_*`); per group of a
    split by value, see tag_prevalence_by_group. Counts come from marts.runs' tag_
    columns (one per catalogued tag), counted in one scan of the runs rather than by
    exploding every run's tag list. -#}

with

runs as (

    select * from {{ ref('runs') }}

),

catalog as (

    select * from {{ ref('int_tags__catalog') }}

),

-- One wide row per project and timeout group: its runs, then for every catalogued tag
-- those that carry it.
group_counts as (

    select
        entity,
        project,
        has_split_value,
        count(*) as group_runs,
        {{ count_per_tag_column('runs') }}

    from runs
    group by entity, project, has_split_value

),

-- One row per project, timeout group and catalogued tag.
group_tag_counts as (

    select
        group_counts.entity,
        group_counts.project,
        group_counts.has_split_value,
        group_counts.group_runs,
        catalog.tag,
        catalog.tag_category,
        catalog.catalog_order,
        {{ pick_per_tag_column('catalog.tag_column', 'group_counts', 'runs') }} as tagged_runs

    from group_counts
    -- The tags of the project's own catalog.
    inner join catalog
        on
            catalog.settings_scope
            = {{ settings_scope('group_counts.entity', 'group_counts.project') }}

),

-- Both groups side by side; a project without runs in a group counts 0 there.
tag_counts as (

    select
        entity,
        project,
        tag,
        tag_category,
        catalog_order,
        coalesce(max(case when has_split_value then tagged_runs end), 0) as timeout_runs,
        coalesce(max(case when has_split_value then group_runs end), 0) as timeout_group_runs,
        coalesce(max(case when not has_split_value then tagged_runs end), 0) as no_timeout_runs,
        coalesce(max(case when not has_split_value then group_runs end), 0)
            as no_timeout_group_runs

    from group_tag_counts
    group by entity, project, tag, tag_category, catalog_order

),

shares as (

    select
        *,
        cast(timeout_runs as double) / nullif(timeout_group_runs, 0) as timeout_share,
        cast(no_timeout_runs as double) / nullif(no_timeout_group_runs, 0) as no_timeout_share

    from tag_counts

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
