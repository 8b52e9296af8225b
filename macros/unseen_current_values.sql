{#- For per-run incremental models (DuckDB), which re-derive a run when a load they have
    not seen touched it: the values of `column` (a load id: last_load_id or
    touched_by_load_id) in int_runs__current that the model's table does not hold yet, a
    short list. A semi join on it is pushed into DuckDB's scan of int_runs__current, which
    then reads only those runs, where an anti join on a million run keys reads them all. A
    run whose load left no row in the table (a run without tags) is re-derived again at
    the next build, to the same result. -#}
{% macro unseen_current_values(column) -%}
    select distinct any_run.{{ column }}
    from {{ ref('int_runs__current') }} as any_run
    where any_run.{{ column }} not in (
        select distinct built.{{ column }} from {{ this }} as built
    )
{%- endmacro %}

{#- A pre-hook for such a model that appends what it re-derives: delete the rows of the runs
    whose `column` is unseen (see above), and with analysed_only also those of the runs
    marts.runs no longer admits (deleted upstream, out of scope, excluded). Deleting in the
    hook, not through delete+insert, is what removes a run that has no row left to insert
    (its last tag removed, or gone from the analysis). Renders nothing on a full build or
    on Spark. -#}
{% macro delete_rederived_run_rows(column, analysed_only=false) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where rowid in (
            select stored.rowid
            from {{ this }} as stored
            inner join {{ ref('int_runs__current') }} as current_runs
                on
                    stored.entity = current_runs.entity
                    and stored.project = current_runs.project
                    and stored.run_id = current_runs.run_id
            where current_runs.{{ column }} in ({{ unseen_current_values(column) }})
            {%- if analysed_only %}
            union all
            select stored.rowid
            from {{ this }} as stored
            inner join {{ ref('int_runs__in_scope') }} as in_scope
                on
                    stored.entity = in_scope.entity
                    and stored.project = in_scope.project
                    and stored.run_id = in_scope.run_id
            where not in_scope.is_analysed
            {%- endif %}
        )
    {%- endif -%}
{%- endmacro %}
