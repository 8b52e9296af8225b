{#- The one model that parses the record JSON, so it is a table that keeps its parse. On
    DuckDB it is incremental: a build parses only the rows of loads it has not seen yet, and
    re-derives every version of exactly the runs those rows touch (their earlier versions
    come back from this table already parsed). It merges them in by (run, version_number):
    new versions are inserted; a stored version whose identity or carried payload changed
    (an older export loaded late) is rewritten whole; any other stored version gets only
    its narrow flags updated. No stored row is deleted: a delete in this wide JSON table
    makes DuckDB's next checkpoint rewrite it (15 s at a million runs, against 0.5 s for
    the update). On Spark, where dbt-spark has no such merge for a Parquet table, it is a
    full table. -#}
{#- A stored version whose slot now holds another version, or another payload, is rewritten
    whole by the merge; the model reads stored payloads only for those. -#}
{%- set rewrite_columns = ['load_id', 'fetched_at', 'fetch_kind', 'payload_fetched_at'] -%}
{%- set rewrite_conditions = [] -%}
{%- for column in rewrite_columns -%}
    {%- do rewrite_conditions.append(
        'DBT_INTERNAL_DEST.' ~ column ~ ' is distinct from DBT_INTERNAL_SOURCE.' ~ column
    ) -%}
{%- endfor -%}
{{
    config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='merge',
        unique_key=['entity', 'project', 'run_id', 'version_number'],
        on_schema_change='fail',
        merge_clauses={
            'when_matched': [
                {
                    'condition': rewrite_conditions | join(' or '),
                    'action': 'update',
                    'mode': 'by_name',
                },
                {
                    'action': 'update',
                    'mode': 'explicit',
                    'update': {
                        'include': [
                            'is_latest_version',
                            'first_seen_at',
                            'last_fetched_at',
                            'touched_by_load_id',
                        ],
                    },
                },
            ],
            'when_not_matched': [{'action': 'insert', 'mode': 'by_name'}],
        },
    )
}}

{%- set record_paths = [
    '$.displayName',
    '$.group',
    '$.jobType',
    '$.state',
    '$.createdAt',
    '$.heartbeatAt',
    '$.historyLineCount',
    '$.tags',
    '$.config',
    '$.summaryMetrics',
    '$.config.timeout.value',
    '$.summaryMetrics._runtime',
    '$.config.pretrain_steps.value',
    '$.config.pretrain_compute.value',
    '$.summaryMetrics.model_pretrain_steps',
    '$.summaryMetrics.model_pretrain_compute',
] -%}

with

loads as (

    select * from {{ ref('stg_wandb__loads') }}

),

{% if is_incremental() %}

    -- Incremental builds find what is new from the raw key columns alone (DuckDB's rowid
    -- names each raw row), and then read the records of exactly those rows: a filter on
    -- rowid skips the stored JSON of every other load, which a filter on load_id cannot
    -- (a row group holds rows of many loads).
    source_keys as (

        select
            {{ raw_row_id() }} as raw_rowid,
            entity,
            project,
            run_id,
            load_id

        from {{ source('wandb', 'wandb_runs') }}

    ),

    -- The loads this table has not seen yet (a short list).
    new_loads as (

        select distinct source_keys.load_id
        from source_keys
        where source_keys.load_id not in (
            select distinct previous.load_id from {{ this }} as previous
        )

    ),

    new_keys as (

        select * from source_keys
        where load_id in (select new_loads.load_id from new_loads)

    ),

    -- The runs those loads touch: all their versions are re-derived.
    touched_runs as (

        select distinct
            new_keys.entity,
            new_keys.project,
            new_keys.run_id

        from new_keys

    ),

{% endif %}

-- The raw rows to parse: all of them, or on an incremental build those of the new loads.
source as (

    select * from {{ source('wandb', 'wandb_runs') }}
    {% if is_incremental() %}
        where {{ raw_row_id() }} in (select new_keys.raw_rowid from new_keys)
    {% endif %}

),

-- One parse per record: every field used downstream, in the order of record_paths.
extracted as (

    select
        entity,
        project,
        run_id,
        load_id,
        fetched_at,
        fetch_kind,
        {{ json_extract_paths('record', record_paths) }} as record_fields

    from source

),

parsed as (

    select
        entity,
        project,
        run_id,
        load_id,
        fetched_at,
        fetch_kind,
        {{ json_extract_string(list_element('record_fields', 1), '$') }} as run_name,
        {{ json_extract_string(list_element('record_fields', 2), '$') }} as experiment_group,
        {{ json_extract_string(list_element('record_fields', 3), '$') }} as job_type,
        {{ json_extract_string(list_element('record_fields', 4), '$') }} as state,
        {{ parse_utc_timestamp(json_extract_string(list_element('record_fields', 5), '$')) }}
            as created_at,
        {{ parse_utc_timestamp(json_extract_string(list_element('record_fields', 6), '$')) }}
            as heartbeat_at,
        try_cast({{ json_extract_string(list_element('record_fields', 7), '$') }} as bigint)
            as history_line_count,
        {{ split_tags(list_element('record_fields', 8)) }} as tags,
        -- A full fetch without a config (or summary) object has an empty one.
        case
            when {{ json_type(list_element('record_fields', 9), '$') }} = 'OBJECT'
                then {{ list_element('record_fields', 9) }}
            else {{ empty_json_object() }}
        end as fetched_config,
        case
            when {{ json_type(list_element('record_fields', 10), '$') }} = 'OBJECT'
                then {{ list_element('record_fields', 10) }}
            else {{ empty_json_object() }}
        end as fetched_summary,
        {{ json_extract_string(list_element('record_fields', 11), '$') }} as timeout_text,
        {{ json_extract_string(list_element('record_fields', 12), '$') }} as runtime_text,
        {{ json_extract_string(list_element('record_fields', 13), '$') }} as pretrain_steps_text,
        {{ json_extract_string(list_element('record_fields', 14), '$') }}
            as pretrain_compute_text,
        {{ json_extract_string(list_element('record_fields', 15), '$') }}
            as model_pretrain_steps_text,
        {{ json_extract_string(list_element('record_fields', 16), '$') }}
            as model_pretrain_compute_text,
        -- Latest wins; at equal fetched_at a full row beats a light one.
        case when fetch_kind = 'full' then 1 else 0 end as fetch_kind_rank

    from extracted

),

-- What a full fetch knows and a light (listing-only) row does not; null on light rows, so
-- the carry-forward below fills exactly those from the latest earlier full fetch.
new_versions as (

    select
        entity,
        project,
        run_id,
        load_id,
        fetched_at,
        fetch_kind,
        fetch_kind_rank,
        run_name,
        experiment_group,
        job_type,
        state,
        created_at,
        heartbeat_at,
        history_line_count,
        tags,
        case
            when fetch_kind = 'full' then {{ make_struct([
                ('config', 'fetched_config'),
                ('summary', 'fetched_summary'),
                ('timeout_text', 'timeout_text'),
                ('runtime_text', 'runtime_text'),
                ('pretrain_steps_text', 'pretrain_steps_text'),
                ('pretrain_compute_text', 'pretrain_compute_text'),
                ('model_pretrain_steps_text', 'model_pretrain_steps_text'),
                ('model_pretrain_compute_text', 'model_pretrain_compute_text'),
            ]) }}
        end as fetched_payload

    from parsed

),

{% if is_incremental() %}

    -- The earlier versions of the touched runs, as stored, without their payload: the
    -- carry-forward below only needs to know which full version each version carries
    -- from. Reading config and summary here would read them for every stored version (a
    -- join does not stop DuckDB's scan from fetching a wide column: 3 to 5 s at a million
    -- runs), while the merge rewrites only the few versions whose payload changes.
    stored_versions as (

        select
            earlier.entity,
            earlier.project,
            earlier.run_id,
            earlier.load_id,
            earlier.fetched_at,
            earlier.fetch_kind,
            case when earlier.fetch_kind = 'full' then 1 else 0 end as fetch_kind_rank,
            earlier.run_name,
            earlier.experiment_group,
            earlier.job_type,
            earlier.state,
            earlier.created_at,
            earlier.heartbeat_at,
            earlier.history_line_count,
            earlier.tags,
            null as fetched_payload

        from {{ this }} as earlier
        inner join touched_runs
            on
                earlier.entity = touched_runs.entity
                and earlier.project = touched_runs.project
                and earlier.run_id = touched_runs.run_id

    ),

    -- What each stored (run, version_number) slot holds now: the merge compares it with
    -- the version re-derived for that slot.
    stored_slots as (

        select
            earlier.entity,
            earlier.project,
            earlier.run_id,
            earlier.version_number,
            {{ column_list(rewrite_columns, 'earlier') }}

        from {{ this }} as earlier
        inner join touched_runs
            on
                earlier.entity = touched_runs.entity
                and earlier.project = touched_runs.project
                and earlier.run_id = touched_runs.run_id

    ),

{% endif %}

payloads as (

    select * from new_versions
    {% if is_incremental() %}
        union all
        select * from stored_versions
    {% endif %}

),

-- Each version's load number: its load's position among the project's loads, by start.
numbered_payloads as (

    select
        payloads.*,
        loads.load_number

    from payloads
    left join loads
        on payloads.load_id = loads.load_id

),

carried_forward as (

    select
        entity,
        project,
        run_id,
        load_id,
        fetched_at,
        fetch_kind,
        run_name,
        experiment_group,
        job_type,
        state,
        created_at,
        heartbeat_at,
        history_line_count,
        tags,
        {% if not is_incremental() -%}
            {{ last_value_ignore_nulls('fetched_payload') }} over run_history as payload,
        {% endif -%}
        -- The full version a version's payload comes from (itself, if full), by its
        -- identity within the run: (load_id, fetched_at) is unique per run.
        {{ last_value_ignore_nulls("case when fetch_kind = 'full' then load_id end") }}
            over run_history as payload_load_id,
        {{ last_value_ignore_nulls("case when fetch_kind = 'full' then fetched_at end") }}
            over run_history as payload_fetched_at,
        -- BIGINT on every engine (Spark's row_number is INT).
        cast(row_number() over run_history as bigint) as version_number,
        count(*) over run_versions as version_count,
        min(fetched_at) over run_versions as first_seen_at,
        max(fetched_at) over run_versions as last_fetched_at,
        max(load_number) over run_versions as touched_load_number

    from numbered_payloads
    window
        run_history as (
            partition by entity, project, run_id
            order by fetched_at, fetch_kind_rank, load_id
            rows between unbounded preceding and current row
        ),
        run_versions as (partition by entity, project, run_id)

),

{% if is_incremental() %}

    -- The stored full versions whose payload a version the merge inserts or rewrites
    -- whole carries (its slot is new, or holds another version or payload: an older export
    -- loaded late, or a new light version). Only these stored rows are read whole; every
    -- other version only gets its flags updated.
    needed_stored_payloads as (

        select distinct
            carried_forward.entity,
            carried_forward.project,
            carried_forward.run_id,
            carried_forward.payload_load_id,
            carried_forward.payload_fetched_at

        from carried_forward
        left join stored_slots
            on
                carried_forward.entity = stored_slots.entity
                and carried_forward.project = stored_slots.project
                and carried_forward.run_id = stored_slots.run_id
                and carried_forward.version_number = stored_slots.version_number
        where
            (
                stored_slots.version_number is null
                or {{ any_column_differs('carried_forward', 'stored_slots', rewrite_columns) }}
            )
            and carried_forward.payload_load_id not in (select new_loads.load_id from new_loads)

    ),

    stored_payloads as (

        select
            earlier.entity,
            earlier.project,
            earlier.run_id,
            earlier.load_id,
            earlier.fetched_at,
            {{ make_struct([
                ('config', 'earlier.config'),
                ('summary', 'earlier.summary'),
                ('timeout_text', 'earlier.timeout_text'),
                ('runtime_text', 'earlier.runtime_text'),
                ('pretrain_steps_text', 'earlier.pretrain_steps_text'),
                ('pretrain_compute_text', 'earlier.pretrain_compute_text'),
                ('model_pretrain_steps_text', 'earlier.model_pretrain_steps_text'),
                ('model_pretrain_compute_text', 'earlier.model_pretrain_compute_text'),
            ]) }} as payload

        from {{ this }} as earlier
        inner join needed_stored_payloads
            on
                earlier.entity = needed_stored_payloads.entity
                and earlier.project = needed_stored_payloads.project
                and earlier.run_id = needed_stored_payloads.run_id
                and earlier.load_id = needed_stored_payloads.payload_load_id
                and earlier.fetched_at = needed_stored_payloads.payload_fetched_at
        where earlier.fetch_kind = 'full'

    ),

    -- The payloads parsed in this build, and the stored ones needed.
    payload_sources as (

        select
            entity,
            project,
            run_id,
            load_id,
            fetched_at,
            fetched_payload as payload

        from new_versions
        where fetch_kind = 'full'

        union all

        select * from stored_payloads

    ),

    -- Every version gets the payload of the full version it carries from, where that is
    -- known in this build (always for a version the merge inserts or rewrites; a version
    -- that only gets its flags updated may go without).
    versions as (

        select
            carried_forward.*,
            payload_sources.payload

        from carried_forward
        left join payload_sources
            on
                carried_forward.entity = payload_sources.entity
                and carried_forward.project = payload_sources.project
                and carried_forward.run_id = payload_sources.run_id
                and carried_forward.payload_load_id = payload_sources.load_id
                and carried_forward.payload_fetched_at = payload_sources.fetched_at

    ),

{% else %}

    versions as (

        select * from carried_forward

    ),

{% endif %}

-- The load that touched the run last: the newest load (by start) with a version of it.
touched as (

    select
        versions.*,
        loads.load_id as touched_by_load_id

    from versions
    left join loads
        on
            versions.entity = loads.entity
            and versions.project = loads.project
            and versions.touched_load_number = loads.load_number

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
            {{ safe_double(struct_field('payload', 'runtime_text')) }},
            {{ seconds_between('created_at', 'heartbeat_at') }}
        ) as runtime_seconds,
        {{ safe_double(struct_field('payload', 'timeout_text')) }} as timeout_seconds,
        {{ struct_field('payload', 'timeout_text') }} as timeout_text,
        {{ struct_field('payload', 'runtime_text') }} as runtime_text,
        history_line_count,
        tags,
        {{ struct_field('payload', 'config') }} as config,
        {{ struct_field('payload', 'summary') }} as summary,
        {{ struct_field('payload', 'pretrain_steps_text') }} as pretrain_steps_text,
        {{ struct_field('payload', 'pretrain_compute_text') }} as pretrain_compute_text,
        {{ struct_field('payload', 'model_pretrain_steps_text') }} as model_pretrain_steps_text,
        {{ struct_field('payload', 'model_pretrain_compute_text') }} as model_pretrain_compute_text,
        payload_fetched_at,
        first_seen_at,
        last_fetched_at,
        touched_by_load_id

    from touched

)

select * from final
