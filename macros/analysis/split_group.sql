{#- A run's comparison group under its project's comparison split, from its value at the
    split's path (`value_expr`, text, null when absent): by presence '<name>' or
    'no_<name>', by value the value itself or '(missing)'. -#}
{% macro split_group(value_expr, entity_expr, project_expr) -%}
    {%- set by_scope = {} -%}
    {%- for scope, settings in analysis_settings()['scopes'].items() -%}
        {%- set split = settings['comparison_split'] -%}
        {%- if split.groups == 'presence' -%}
            {%- set expression = 'case when ' ~ value_expr ~ ' is not null then '
                ~ sql_string(split.name) ~ ' else ' ~ sql_string('no_' ~ split.name) ~ ' end' -%}
        {%- else -%}
            {%- set expression = "coalesce(" ~ value_expr ~ ", '(missing)')" -%}
        {%- endif -%}
        {%- do by_scope.update({scope: expression}) -%}
    {%- endfor -%}
    {{ per_settings_scope(entity_expr, project_expr, by_scope) }}
{%- endmacro %}


{#- The name of a run's project's comparison split (the split's `name`). -#}
{% macro split_name(entity_expr, project_expr) -%}
    {%- set by_scope = {} -%}
    {%- for scope, settings in analysis_settings()['scopes'].items() -%}
        {%- do by_scope.update({scope: sql_string(settings['comparison_split'].name)}) -%}
    {%- endfor -%}
    {{ per_settings_scope(entity_expr, project_expr, by_scope) }}
{%- endmacro %}
