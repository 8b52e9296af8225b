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
