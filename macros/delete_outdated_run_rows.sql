{#- A pre-hook for per-run incremental models (DuckDB): on an incremental build, delete the
    rows of every run whose stored revision columns differ from the run's current ones in
    int_runs__current (last_load_id: the load of its latest version; a model that reads the
    payload a light latest version carries forward also passes version_count, which a late
    older export changes without changing that version), and with analysed_only also those
    of runs marts.runs no longer admits (deleted upstream, out of scope, excluded). The
    model then appends the runs it lacks. Deleting in the hook, not through delete+insert,
    is what removes a run that has no row left to insert (its last tag removed, or gone
    from the analysis). Renders nothing on a full build or on Spark, where these models
    are plain tables. -#}
{% macro delete_outdated_run_rows(analysed_only=false, revision=['last_load_id']) -%}
    {%- if is_incremental() -%}
        {#- An explicit anti join, then a delete by rowid: 2.5x faster at a million runs than
            the equivalent correlated NOT EXISTS, which DuckDB plans as a mark join. -#}
        {%- set keys = ['entity', 'project', 'run_id'] + revision -%}
        delete from {{ this }}
        where rowid in (
            select stored.rowid
            from {{ this }} as stored
            anti join (
                select
                    {%- for column in keys %}
                    current_runs.{{ column }}{{ ',' if not loop.last }}
                    {%- endfor %}
                from {{ ref('int_runs__current') }} as current_runs
                {%- if analysed_only %}
                    inner join {{ ref('int_runs__in_scope') }} as in_scope
                        on
                            current_runs.entity = in_scope.entity
                            and current_runs.project = in_scope.project
                            and current_runs.run_id = in_scope.run_id
                            and in_scope.is_analysed
                {%- endif %}
            ) as current_runs
                on
                    {%- for column in keys %}
                    {{ 'and ' if not loop.first }}current_runs.{{ column }} = stored.{{ column }}
                    {%- endfor %}
        )
    {%- endif -%}
{%- endmacro %}

{#- A second pre-hook for int_runs__tags: when the tag catalog (the `tag_catalog` var) no
    longer agrees with a stored row's category or is_catalogued, delete every row, so the
    build re-derives all runs' tags against the new catalog. -#}
{% macro delete_run_tags_if_catalog_changed() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where exists (
            select 1
            from {{ this }} as stored
            left join {{ ref('int_tags__catalog') }} as catalog
                on stored.tag = catalog.tag
            where
                stored.is_catalogued != (catalog.tag is not null)
                or stored.tag_category is distinct from catalog.tag_category
        )
    {%- endif -%}
{%- endmacro %}
