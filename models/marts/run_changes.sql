with

run_versions as (

    select * from {{ ref('int_runs__versions') }}

),

runs as (

    select * from {{ ref('int_runs__current') }}

),

-- Only a run stored more than once can have changed: the window (a sort of every
-- version) runs over those runs' versions only.
versions_of_changing_runs as (

    select run_versions.*
    from run_versions
    inner join runs
        on
            run_versions.entity = runs.entity
            and run_versions.project = runs.project
            and run_versions.run_id = runs.run_id
    where runs.version_count > 1

),

with_previous as (

    select
        entity,
        project,
        run_id,
        version_number,
        load_id,
        fetched_at,
        state,
        {{ list_to_string('tags', ',') }} as tags_text,
        lag(state) over run_history as previous_state,
        lag({{ list_to_string('tags', ',') }}) over run_history as previous_tags_text

    from versions_of_changing_runs
    window run_history as (
        partition by entity, project, run_id
        order by version_number
    )

),

changes as (

    select
        entity,
        project,
        run_id,
        version_number,
        load_id,
        fetched_at as changed_at,
        'tags' as field,
        previous_tags_text as old_value,
        tags_text as new_value

    from with_previous
    where version_number > 1 and previous_tags_text is distinct from tags_text

    union all

    select
        entity,
        project,
        run_id,
        version_number,
        load_id,
        fetched_at as changed_at,
        'state' as field,
        previous_state as old_value,
        state as new_value

    from with_previous
    where version_number > 1 and previous_state is distinct from state

),

final as (

    select
        entity,
        project,
        run_id,
        changed_at,
        field,
        old_value,
        new_value,
        version_number,
        load_id

    from changes

)

select * from final
