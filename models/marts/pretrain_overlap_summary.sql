with

runs as (

    select * from {{ ref('runs') }}

),

column_pair_overlap as (

    select * from {{ ref('column_pair_overlap') }}

),

pairs as (

    select * from {{ ref('int_column_pairs__configured') }}

),

projects as (

    select distinct
        entity,
        project

    from runs

),

pair_counts as (

    select
        entity,
        project,
        column_pair,
        count(*) as shared_rows,
        count(case when is_match then 1 end) as matching_rows

    from column_pair_overlap
    group by entity, project, column_pair

),

final as (

    select
        projects.entity,
        projects.project,
        pairs.column_pair,
        coalesce(pair_counts.shared_rows, 0) as shared_rows,
        coalesce(pair_counts.matching_rows, 0) as matching_rows,
        coalesce(pair_counts.shared_rows - pair_counts.matching_rows, 0) as divergent_rows,
        cast(pair_counts.matching_rows as double) / pair_counts.shared_rows as match_rate,
        pairs.config_path,
        pairs.summary_path,
        pairs.pair_order

    from projects
    -- The pairs of the project's own settings.
    inner join pairs
        on pairs.settings_scope = {{ settings_scope('projects.entity', 'projects.project') }}
    left join pair_counts
        on
            projects.entity = pair_counts.entity
            and projects.project = pair_counts.project
            and pairs.column_pair = pair_counts.column_pair

)

select * from final
