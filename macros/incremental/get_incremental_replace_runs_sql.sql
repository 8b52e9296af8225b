{#- The `replace_runs` incremental strategy, for tables that hold rows derived from each run
    of an upstream relation (config `replace_runs`: {'of': model name, 'where': an optional
    filter on it, 'version': the columns that say a run changed, by default
    ['touched_by_load_id']}). Every row carries the run's version columns as the upstream
    held them. A build deletes the stored rows of every run whose keys and version the
    upstream no longer holds, which covers runs that changed and runs that left it, then
    inserts the rows the model selected: those of the runs `runs_not_built` lets through.
    Deleting by run, rather than by the keys of the new rows, is what removes a run that
    has no row left to insert. -#}
{% macro get_incremental_replace_runs_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='quoted') | join(', ') -%}
    {%- set upstream = config.get('replace_runs') -%}
    {%- set version = replace_runs_version() -%}
    delete from {{ target }}
    where rowid in (
        select stored.rowid
        from {{ target }} as stored
        anti join (
            select
                entity,
                project,
                run_id,
                {{ version | join(', ') }}
            from {{ ref(upstream['of']) }}
            {%- if upstream.get('where') %}
            where {{ upstream['where'] }}
            {%- endif %}
        ) as upstream
            on
                stored.entity = upstream.entity
                and stored.project = upstream.project
                and stored.run_id = upstream.run_id
                {%- for column in version %}
                and stored.{{ column }} = upstream.{{ column }}
                {%- endfor %}
    );

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
