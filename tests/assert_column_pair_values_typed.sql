-- A value of a configured column pair that is present but not of the pair's kind (not an
-- integer for an integer pair, not a number for a number pair) is not compared; name it.
{{ config(
    severity='warn',
    store_failures=true,
    meta={'checks': 'A value of a configured column pair is present but not of the pair\'s kind '
        ~ '(not an integer, not a number), so the pair is not compared on that run.'}
) }}

with

pair_values as (

    select * from {{ ref('int_runs__column_pair_values') }}

),

runs as (

    select * from {{ ref('int_runs__in_scope') }}
    where not is_deleted_upstream

),

sides as (

    select
        entity,
        project,
        run_id,
        column_pair,
        compare_as,
        'config' as side,
        config_path as key_path,
        config_value as value_text,
        config_integer as value_integer,
        config_number as value_number

    from pair_values
    where config_value is not null
    union all
    select
        entity,
        project,
        run_id,
        column_pair,
        compare_as,
        'summary' as side,
        summary_path as key_path,
        summary_value as value_text,
        summary_integer as value_integer,
        summary_number as value_number

    from pair_values
    where summary_value is not null

),

untyped as (

    select * from sides
    where
        (compare_as = 'integer' and value_integer is null)
        or (compare_as = 'number' and value_number is null)

),

final as (

    select
        untyped.entity,
        untyped.project,
        untyped.run_id,
        untyped.column_pair,
        untyped.side,
        untyped.key_path,
        untyped.compare_as,
        untyped.value_text

    from untyped
    inner join runs
        on
            untyped.entity = runs.entity
            and untyped.project = runs.project
            and untyped.run_id = runs.run_id

)

select * from final
