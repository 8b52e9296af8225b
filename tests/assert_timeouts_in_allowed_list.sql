-- Timeouts the lab uses are listed in the `allowed_timeout_seconds` var; any other value,
-- or one that is not a number, is named here.
{{ config(
    severity='warn',
    store_failures=true,
    meta={'checks': 'A run\'s configured timeout is not one of allowed_timeout_seconds (or is '
        ~ 'not a number).'}
) }}

with

runs as (

    select * from {{ ref('int_runs__current') }}
    where not is_deleted_upstream

),

with_timeout as (

    select
        entity,
        project,
        run_id,
        run_name,
        timeout_text,
        timeout_seconds

    from runs

),

final as (

    select * from with_timeout
    where
        timeout_text is not null
        and (
            timeout_seconds is null
            or timeout_seconds not in ({{ var('allowed_timeout_seconds') | join(', ') }})
        )

)

select * from final
