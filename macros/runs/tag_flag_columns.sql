{#- One BOOLEAN column per catalogued tag column (catalog_tag_columns), true when
    `tags_expr` (a run's list of tags) holds the tag its project's catalog maps to the
    column, false when it does not, null when that catalog has no such tag. For select
    lists; no trailing comma. -#}
{% macro tag_flag_columns(tags_expr, entity_expr, project_expr) -%}
    {%- for column in catalog_tag_columns() %}
        {%- set by_scope = {} -%}
        {%- for scope in ['*'] + analysis_settings()['projects'] -%}
            {%- do by_scope.update({scope: list_contains(tags_expr, sql_string(column.tags[scope]))
                if scope in column.tags else 'cast(null as boolean)'}) -%}
        {%- endfor %}
        {{ per_settings_scope(entity_expr, project_expr, by_scope) }} as {{ column.column }}
        {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
