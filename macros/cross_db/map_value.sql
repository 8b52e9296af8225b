{#- The value of a map at a key (an expression: a quoted literal or a column); null when
    the key is missing. -#}
{% macro map_value(map_expr, key_expr) -%}
    {{ return(adapter.dispatch('map_value', 'wandb_warehouse')(map_expr, key_expr)) }}
{%- endmacro %}

{% macro default__map_value(map_expr, key_expr) -%}
    {{ map_expr }}[{{ key_expr }}]
{%- endmacro %}

{% macro spark__map_value(map_expr, key_expr) -%}
    try_element_at({{ map_expr }}, {{ key_expr }})
{%- endmacro %}
