with

key_values as (

    select * from {{ ref('int_runs__key_values') }}

),

in_scope as (

    select * from {{ ref('int_runs__in_scope') }}
    where is_analysed

),

projects as (

    select
        entity,
        project,
        count(*) as analysed_runs,
        least(count(*), {{ var('key_discovery_max_runs') }}) as profiled_runs

    from in_scope
    group by entity, project

),

key_stats as (

    select
        entity,
        project,
        source,
        key_path,
        count(*) as runs_with_key,
        count(distinct json_type) as json_types,
        min(json_type) as json_type,
        count(case when json_type = 'varchar' and value_number is not null then 1 end)
            as numeric_texts,
        count(distinct value_key) as distinct_values,
        min(value_text) as example_value

    from key_values
    group by entity, project, source, key_path

),

final as (

    select
        key_stats.entity,
        key_stats.project,
        key_stats.source,
        key_stats.key_path,
        key_stats.runs_with_key,
        projects.profiled_runs,
        projects.analysed_runs,
        cast(key_stats.runs_with_key as double) / projects.profiled_runs as share_of_runs,
        -- integer, number, text, numeric text (numbers written as strings), boolean or
        -- mixed (several JSON types across runs).
        case
            when key_stats.json_types > 1 then 'mixed'
            when key_stats.json_type in ('bigint', 'ubigint') then 'integer'
            when key_stats.json_type = 'double' then 'number'
            when key_stats.json_type = 'boolean' then 'boolean'
            when key_stats.numeric_texts = key_stats.runs_with_key then 'numeric text'
            else 'text'
        end as inferred_type,
        key_stats.distinct_values,
        key_stats.example_value

    from key_stats
    inner join projects
        on
            key_stats.entity = projects.entity
            and key_stats.project = projects.project

)

select * from final
