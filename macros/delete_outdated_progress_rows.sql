{#- int_runs__progress's pre-hook (DuckDB, incremental builds): delete the rows of the
    runs marts.runs no longer holds or re-derived since (touched_by_load_id differs), and
    of the runs whose history summary changed. The model then appends the runs it lacks.
    Renders nothing on a full build or on Spark. -#}
{% macro delete_outdated_progress_rows() -%}
    {%- if is_incremental() -%}
        {%- set history_columns = ['last_step', 'last_logged_at', 'runtime_seconds_history',
            'training_seconds'] -%}
        delete from {{ this }}
        where rowid in (
            select stored.rowid
            from {{ this }} as stored
            left join {{ ref('runs') }} as runs
                on
                    stored.entity = runs.entity
                    and stored.project = runs.project
                    and stored.run_id = runs.run_id
            left join {{ ref('int_runs__history_progress') }} as history
                on
                    stored.entity = history.entity
                    and stored.project = history.project
                    and stored.run_id = history.run_id
            where
                runs.run_id is null
                or runs.touched_by_load_id is distinct from stored.touched_by_load_id
                or coalesce(history.history_rows, 0) != stored.history_rows
                or {{ any_column_differs('history', 'stored', history_columns) }}
        )
    {%- endif -%}
{%- endmacro %}
