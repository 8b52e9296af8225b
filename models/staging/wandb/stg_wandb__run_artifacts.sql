{#- One row per artifact version a run used or logged, per artifact fetch of the run: the
    artifact node's fields typed, its aliases in its own collection as a sorted list (the
    SDK's rule: macros/artifacts/own_collection_aliases.sql). -#}
{%- set record_fields = {
    'artifact_name': '$.artifactSequence.name',
    'artifact_project': '$.artifactSequence.project.name',
    'artifact_entity': '$.artifactSequence.project.entity.name',
    'artifact_type': '$.artifactType.name',
    'version_index': '$.versionIndex',
    'artifact_state': '$.state',
    'digest': '$.digest',
    'size_bytes': '$.size',
    'file_count': '$.fileCount',
    'created_at': '$.createdAt',
} -%}
{#- The alias entries come last, in the same parse. -#}
{%- set record_paths = record_fields.values() | list + ['$.aliases'] -%}

with

source as (

    select * from {{ source('wandb', 'wandb_run_artifacts') }}

),


extracted as (

    select
        entity,
        project,
        run_id,
        load_id,
        fetched_at,
        direction,
        artifact_id,
        {{ json_extract_paths('record', record_paths) }} as record_values

    from source

),

fields as (

    select
        entity,
        project,
        run_id,
        load_id,
        fetched_at,
        direction,
        artifact_id,
        {% for name in record_fields -%}
            {{ list_element('record_values', loop.index) }} as {{ name }},
        {% endfor -%}
        {{ list_element('record_values', record_paths | length) }} as alias_entries

    from extracted

),

typed as (

    select
        entity,
        project,
        run_id,
        load_id,
        fetched_at,
        direction,
        artifact_id,
        {{ json_extract_string('artifact_entity', '$') }} as artifact_entity,
        {{ json_extract_string('artifact_project', '$') }} as artifact_project,
        {{ json_extract_string('artifact_name', '$') }} as artifact_name,
        try_cast({{ json_extract_string('version_index', '$') }} as {{ dbt.type_bigint() }})
            as version_index,
        {{ json_extract_string('artifact_type', '$') }} as artifact_type,
        {{ own_collection_aliases(
            'alias_entries',
            json_extract_string('artifact_entity', '$'),
            json_extract_string('artifact_project', '$'),
            json_extract_string('artifact_name', '$')
        ) }} as aliases,
        {{ json_extract_string('digest', '$') }} as digest,
        try_cast({{ json_extract_string('size_bytes', '$') }} as {{ dbt.type_bigint() }})
            as size_bytes,
        try_cast({{ json_extract_string('file_count', '$') }} as {{ dbt.type_bigint() }})
            as file_count,
        upper({{ json_extract_string('artifact_state', '$') }}) as artifact_state,
        {{ parse_utc_timestamp(json_extract_string('created_at', '$')) }} as created_at

    from fields

),

-- A read that lists a version twice in one direction (a repeated page) keeps one row.
ranked as (

    select
        *,
        row_number() over (
            partition by entity, project, run_id, load_id, fetched_at, direction, artifact_id
            order by digest, created_at, size_bytes, artifact_state
        ) as copy_rank

    from typed

),

final as (

    select
        entity,
        project,
        run_id,
        load_id,
        fetched_at,
        direction,
        artifact_id,
        artifact_entity,
        artifact_project,
        artifact_name,
        version_index,
        artifact_type,
        aliases,
        digest,
        size_bytes,
        file_count,
        artifact_state,
        created_at

    from ranked
    where copy_rank = 1

)

select * from final
