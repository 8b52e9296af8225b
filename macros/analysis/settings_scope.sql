{#- The settings scope of a run's project (see analysis_settings): 'entity/project' for a
    project with an entry in the project_settings var, '*' (the defaults) for any other.
    The configured rows (int_tags__catalog, int_column_pairs__configured) carry the same
    scope, so a run joins its own project's settings. -#}
{% macro settings_scope(entity_expr, project_expr) -%}
    {%- set by_scope = {'*': "'*'"} -%}
    {%- for scope in analysis_settings()['projects'] -%}
        {%- do by_scope.update({scope: sql_string(scope)}) -%}
    {%- endfor -%}
    {{ per_settings_scope(entity_expr, project_expr, by_scope) }}
{%- endmacro %}


{#- A SQL expression that is, for a run of each settings scope, that scope's expression
    in `by_scope` (a dict from scope to SQL; '*' for the defaults): a CASE over the
    projects whose expression differs from the defaults', or just the defaults' when none
    does. -#}
{% macro per_settings_scope(entity_expr, project_expr, by_scope) -%}
    {%- set default = by_scope['*'] | trim -%}
    {%- set branches = [] -%}
    {%- for scope in analysis_settings()['projects'] -%}
        {%- set expression = by_scope.get(scope, default) | trim -%}
        {%- if expression != default -%}
            {%- do branches.append((scope, expression)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if not branches -%}
        {{ default }}
    {%- else -%}
        case
            {%- for scope, expression in branches %}
                {%- set entity, project = scope.split('/') %}
            when {{ entity_expr }} = {{ sql_string(entity) }} and {{ project_expr }} = {{ sql_string(project) }}
                then {{ expression }}
            {%- endfor %}
            else {{ default }}
        end
    {%- endif -%}
{%- endmacro %}


{#- Every entry of one list setting ('tag_catalog' or 'column_pairs') of every settings
    scope, as (scope, entry, position in its list) tuples: the rows of the configured
    models (int_tags__catalog, int_column_pairs__configured). -#}
{% macro scoped_settings_entries(key) -%}
    {%- set rows = [] -%}
    {%- for scope, scoped in analysis_settings()['scopes'].items() -%}
        {%- for entry in scoped[key] -%}
            {%- do rows.append((scope, entry, loop.index)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(rows) }}
{%- endmacro %}
