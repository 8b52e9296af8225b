{#- The comparison group of a run (the `comparison_split` var), from its value at the
    split's path (text, null when absent): by presence '<name>' or 'no_<name>', by value
    the value itself or '(missing)'. -#}
{% macro split_group(value_expr) -%}
    {%- set split = var('comparison_split') -%}
    {%- if split.get('groups', 'presence') == 'presence' -%}
        case
            when {{ value_expr }} is not null then '{{ split.name }}'
            else 'no_{{ split.name }}'
        end
    {%- elif split['groups'] == 'value' -%}
        coalesce({{ value_expr }}, '(missing)')
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "comparison_split groups must be presence or value, not '" ~ split['groups'] ~ "'"
        ) }}
    {%- endif -%}
{%- endmacro %}
