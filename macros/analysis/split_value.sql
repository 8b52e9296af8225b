{#- A run's value at its project's comparison split path (text; null when absent), read
    from the analysis values of int_runs__current. -#}
{% macro split_value(analysis_values_expr, entity_expr, project_expr) -%}
    {%- set by_scope = {} -%}
    {%- for scope, settings in analysis_settings()['scopes'].items() -%}
        {%- set split = settings['comparison_split'] -%}
        {%- do by_scope.update({scope: map_value(
            analysis_values_expr, sql_string(split.source ~ '.' ~ split.path)
        )}) -%}
    {%- endfor -%}
    {{ per_settings_scope(entity_expr, project_expr, by_scope) }}
{%- endmacro %}
