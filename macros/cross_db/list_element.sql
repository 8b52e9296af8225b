{#- The element of a list at `position`, counting from 1; null past the end. -#}
{% macro list_element(list_expr, position) -%}
    {{ return(adapter.dispatch('list_element', 'wandb_warehouse')(list_expr, position)) }}
{%- endmacro %}

{% macro default__list_element(list_expr, position) -%}
    element_at({{ list_expr }}, {{ position }})
{%- endmacro %}

{% macro duckdb__list_element(list_expr, position) -%}
    {{ list_expr }}[{{ position }}]
{%- endmacro %}

{#- Spark: element_at counts from 1; try_element_at gives null past the end under ANSI. -#}
{% macro spark__list_element(list_expr, position) -%}
    try_element_at({{ list_expr }}, {{ position }})
{%- endmacro %}
