{#- int_runs__in_scope's pre-hook (DuckDB, incremental builds): delete the rows of the runs
    a load touched since (touched_by_load_id differs from int_runs__current's), whose
    deletion flag changed (a new listing), or whose seed rows changed (analysis_scope's
    first_run_date or a run_exclusions row added, removed or edited). The model then
    appends the runs it lacks. Renders nothing on a full build or on Spark. -#}
{% macro delete_outdated_scope_rows() -%}
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
            left join {{ ref('analysis_scope') }} as analysis_scope
                on
                    stored.entity = analysis_scope.entity
                    and stored.project = analysis_scope.project
            left join {{ ref('run_exclusions') }} as run_exclusions
                on
                    stored.entity = run_exclusions.entity
                    and stored.project = run_exclusions.project
                    and stored.run_id = run_exclusions.run_id
            where
                current_runs.touched_by_load_id is distinct from stored.touched_by_load_id
                or current_runs.is_deleted_upstream is distinct from stored.is_deleted_upstream
                or analysis_scope.first_run_date is distinct from stored.first_run_date
                or (run_exclusions.run_id is not null) != stored.is_excluded
                or run_exclusions.reason is distinct from stored.exclusion_reason
        )
    {%- endif -%}
{%- endmacro %}
