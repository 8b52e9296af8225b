with

source as (

    select * from {{ source('wandb', 'wandb_runs') }}

),

-- The only place the run record's JSON is parsed; everything downstream reads columns.
parsed as (

    select
        entity,
        project,
        run_id,
        load_id,
        fetched_at,
        fetch_kind,
        {{ json_extract_string('record', '$.displayName') }} as run_name,
        {{ json_extract_string('record', '$.group') }} as experiment_group,
        {{ json_extract_string('record', '$.jobType') }} as job_type,
        {{ json_extract_string('record', '$.state') }} as state,
        {{ parse_utc_timestamp(json_extract_string('record', '$.createdAt')) }} as created_at,
        {{ parse_utc_timestamp(json_extract_string('record', '$.heartbeatAt')) }}
            as heartbeat_at,
        try_cast({{ json_extract_string('record', '$.historyLineCount') }} as bigint)
            as history_line_count,
        {{ split_tags(json_extract('record', '$.tags')) }} as tags,
        -- A full fetch without a config (or summary) object has an empty one; only light
        -- rows stay null, so the carry-forward below fills exactly those.
        case
            when fetch_kind = 'full' and {{ json_type('record', '$.config') }} = 'OBJECT'
                then {{ json_extract('record', '$.config') }}
            when fetch_kind = 'full' then cast('{}' as json)
        end as fetched_config,
        case
            when fetch_kind = 'full' and {{ json_type('record', '$.summaryMetrics') }} = 'OBJECT'
                then {{ json_extract('record', '$.summaryMetrics') }}
            when fetch_kind = 'full' then cast('{}' as json)
        end as fetched_summary,
        -- Latest wins; at equal fetched_at a full row beats a light one.
        case when fetch_kind = 'full' then 1 else 0 end as fetch_kind_rank

    from source

),

carried_forward as (

    select
        *,
        last_value(fetched_config ignore nulls) over run_history as config,
        last_value(fetched_summary ignore nulls) over run_history as summary,
        row_number() over run_history as version_number,
        count(*) over run_versions as version_count,
        min(fetched_at) over run_versions as first_seen_at,
        max(fetched_at) over run_versions as last_fetched_at

    from parsed
    window
        run_history as (
            partition by entity, project, run_id
            order by fetched_at, fetch_kind_rank, load_id
            rows between unbounded preceding and current row
        ),
        run_versions as (partition by entity, project, run_id)

),

typed as (

    select
        *,
        {{ safe_double(json_extract_string('summary', '$._runtime')) }} as summary_runtime,
        {{ safe_double(json_extract_string('config', '$.timeout.value')) }} as timeout_seconds

    from carried_forward

),

final as (

    select
        entity,
        project,
        run_id,
        version_number,
        version_number = version_count as is_latest_version,
        load_id,
        fetched_at,
        fetch_kind,
        run_name,
        experiment_group,
        job_type,
        state,
        created_at,
        heartbeat_at,
        coalesce(
            summary_runtime,
            {{ seconds_between('created_at', 'heartbeat_at') }}
        ) as runtime_seconds,
        timeout_seconds,
        history_line_count,
        tags,
        config,
        summary,
        first_seen_at,
        last_fetched_at

    from typed

)

select * from final
