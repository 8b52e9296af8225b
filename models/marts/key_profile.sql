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

-- What each value is, from its readings rather than its JSON type, so 15000.0 is an
-- integer on every engine.
value_kinds as (

    select
        *,
        case
            when json_type = 'boolean' then 'boolean'
            when json_type = 'varchar' and value_number is not null then 'numeric text'
            when json_type = 'varchar' then 'text'
            when value_integer is not null then 'integer'
            else 'number'
        end as value_kind

    from key_values

),

key_stats as (

    select
        entity,
        project,
        source,
        key_path,
        count(*) as runs_with_key,
        count(distinct value_kind) as value_kinds,
        min(value_kind) as value_kind,
        max(value_kind) as other_value_kind,
        count(distinct value_key) as distinct_values,
        -- The value of the first run by id: the same run on every engine.
        min_by(value_text, run_id) as example_value

    from value_kinds
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
        -- mixed; integers among numbers make numbers.
        case
            when key_stats.value_kinds = 1 then key_stats.value_kind
            when
                key_stats.value_kinds = 2
                and key_stats.value_kind = 'integer'
                and key_stats.other_value_kind = 'number'
                then 'number'
            else 'mixed'
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
