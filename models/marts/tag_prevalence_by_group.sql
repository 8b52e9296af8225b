{#- Per group of the comparison split (any number of groups), against the rest of the
    project's runs. Counts come from marts.runs' tag_ columns in one scan of the runs. -#}
with

runs as (

    select * from {{ ref('runs') }}

),

catalog as (

    select * from {{ ref('int_tags__catalog') }}

),

-- One wide row per project and group: its runs, then for every catalogued tag those
-- that carry it.
group_counts as (

    select
        entity,
        project,
        split_group,
        count(*) as group_runs,
        {{ count_per_tag_column('runs') }}

    from runs
    group by entity, project, split_group

),

group_tag_counts as (

    select
        group_counts.entity,
        group_counts.project,
        group_counts.split_group,
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

-- Each group next to the project's other runs.
with_rest as (

    select
        *,
        sum(group_runs) over (partition by entity, project, tag) - group_runs as other_runs,
        sum(tagged_runs) over (partition by entity, project, tag)
        - tagged_runs as other_tagged_runs

    from group_tag_counts

),

final as (

    select
        entity,
        project,
        {{ split_name("entity", "project") }} as split_name,
        split_group,
        tag,
        tag_category,
        catalog_order,
        tagged_runs,
        group_runs,
        cast(tagged_runs as double) / group_runs as group_share,
        cast(other_tagged_runs as bigint) as other_tagged_runs,
        cast(other_runs as bigint) as other_runs,
        cast(other_tagged_runs as double) / nullif(other_runs, 0) as other_share,
        cast(tagged_runs as double) / group_runs
        - cast(other_tagged_runs as double) / nullif(other_runs, 0) as share_difference

    from with_rest

)

select * from final
