with

runs as (

    select * from {{ ref('runs') }}

),

pretrain_overlap as (

    select * from {{ ref('pretrain_overlap') }}

),

projects as (

    select distinct
        entity,
        project

    from runs

),

column_pairs as (

    select cast('steps' as {{ dbt.type_string() }}) as column_pair
    union all
    select cast('compute' as {{ dbt.type_string() }}) as column_pair

),

shared_values as (

    select
        entity,
        project,
        'steps' as column_pair,
        steps_match as is_match

    from pretrain_overlap
    where steps_match is not null

    union all

    select
        entity,
        project,
        'compute' as column_pair,
        compute_match as is_match

    from pretrain_overlap
    where compute_match is not null

),

pair_counts as (

    select
        entity,
        project,
        column_pair,
        count(*) as shared_rows,
        count(case when is_match then 1 end) as matching_rows

    from shared_values
    group by entity, project, column_pair

),

final as (

    select
        projects.entity,
        projects.project,
        column_pairs.column_pair,
        coalesce(pair_counts.shared_rows, 0) as shared_rows,
        coalesce(pair_counts.matching_rows, 0) as matching_rows,
        coalesce(pair_counts.shared_rows - pair_counts.matching_rows, 0) as divergent_rows,
        cast(pair_counts.matching_rows as double) / pair_counts.shared_rows as match_rate

    from projects
    cross join column_pairs
    left join pair_counts
        on
            projects.entity = pair_counts.entity
            and projects.project = pair_counts.project
            and column_pairs.column_pair = pair_counts.column_pair

)

select * from final
