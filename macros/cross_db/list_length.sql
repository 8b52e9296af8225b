{#- The number of elements of a list; 0 for an empty or null list. -#}
{% macro list_length(list_expr) -%}
    {{ return(adapter.dispatch('list_length', 'wandb_warehouse')(list_expr)) }}
{%- endmacro %}

{% macro default__list_length(list_expr) -%}
    coalesce(size({{ list_expr }}), 0)
{%- endmacro %}

{% macro duckdb__list_length(list_expr) -%}
    coalesce(len({{ list_expr }}), 0)
{%- endmacro %}

{#- Spark: size(null) is -1 or null depending on settings; a null list counts 0. -#}
{% macro spark__list_length(list_expr) -%}
    case when {{ list_expr }} is null then 0 else size({{ list_expr }}) end
{%- endmacro %}
