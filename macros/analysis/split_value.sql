{#- A run's value at the comparison split's path (text; null when absent), read from the
    analysis values of int_runs__current. -#}
{% macro split_value(analysis_values_expr) -%}
    {%- set split = var('comparison_split') -%}
    {{ map_value(analysis_values_expr, "'" ~ split.source ~ '.' ~ split.path ~ "'") }}
{%- endmacro %}
