{#- Candidate column pairs found from the data, not from names: a config key and a summary
    key whose values are equal on some runs, with at least key_overlap_min_distinct_values
    distinct equal values. Equal values are found by joining on (run, value), which costs
    in proportion to the values read, not to the number of key pairs; the runs sharing
    both keys are then counted for the candidates only. Ranked per project by the lower
    bound of the match rate's 95% Wilson interval, so a pair needs both agreement and
    enough runs to rank high. -#}
with

key_values as (

    select * from {{ ref('int_runs__key_values') }}

),

config_values as (

    select * from key_values
    where source = 'config'

),

summary_values as (

    select * from key_values
    where source = 'summary'

),

matches as (

    select
        config_values.entity,
        config_values.project,
        config_values.key_path as config_key,
        summary_values.key_path as summary_key,
        count(*) as matching_runs,
        count(distinct config_values.value_key) as distinct_matching_values,
        min_by(config_values.value_text, config_values.run_id) as example_value

    from config_values
    inner join summary_values
        on
            config_values.entity = summary_values.entity
            and config_values.project = summary_values.project
            and config_values.run_id = summary_values.run_id
            and config_values.value_key = summary_values.value_key
    group by
        config_values.entity,
        config_values.project,
        config_values.key_path,
        summary_values.key_path

),

candidates as (

    select * from matches
    where distinct_matching_values >= {{ var('key_overlap_min_distinct_values') }}

),

shared as (

    select
        candidates.entity,
        candidates.project,
        candidates.config_key,
        candidates.summary_key,
        count(*) as shared_runs

    from candidates
    inner join config_values
        on
            candidates.entity = config_values.entity
            and candidates.project = config_values.project
            and candidates.config_key = config_values.key_path
    inner join summary_values
        on
            config_values.entity = summary_values.entity
            and config_values.project = summary_values.project
            and config_values.run_id = summary_values.run_id
            and candidates.summary_key = summary_values.key_path
    group by
        candidates.entity,
        candidates.project,
        candidates.config_key,
        candidates.summary_key

),

rated as (

    select
        candidates.entity,
        candidates.project,
        candidates.config_key,
        candidates.summary_key,
        shared.shared_runs,
        candidates.matching_runs,
        shared.shared_runs - candidates.matching_runs as divergent_runs,
        cast(candidates.matching_runs as double) / shared.shared_runs as match_rate,
        candidates.distinct_matching_values,
        candidates.example_value

    from candidates
    inner join shared
        on
            candidates.entity = shared.entity
            and candidates.project = shared.project
            and candidates.config_key = shared.config_key
            and candidates.summary_key = shared.summary_key

),

bounded as (

    select
        *,
        (
            match_rate + 1.9208 / shared_runs
            - 1.96 * sqrt(
                match_rate * (1 - match_rate) / shared_runs
                + 0.9604 / (shared_runs * shared_runs)
            )
        ) / (1 + 3.8416 / shared_runs) as match_rate_lower_bound

    from rated

),

final as (

    select
        entity,
        project,
        cast(row_number() over (
            partition by entity, project
            order by
                match_rate_lower_bound desc,
                matching_runs desc,
                config_key asc,
                summary_key asc
        ) as {{ dbt.type_bigint() }}) as overlap_rank,
        config_key,
        summary_key,
        shared_runs,
        matching_runs,
        divergent_runs,
        match_rate,
        match_rate_lower_bound,
        distinct_matching_values,
        example_value

    from bounded

)

select * from final
