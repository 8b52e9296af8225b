{#- Aggregate: the distinct non-null strings of a group as a sorted list (empty when there
    are none). -#}
{% macro sorted_string_list_agg(expr) -%}
    {{ return(adapter.dispatch('sorted_string_list_agg', 'wandb_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__sorted_string_list_agg(expr) -%}
    array_sort(collect_set({{ expr }}))
{%- endmacro %}

{% macro duckdb__sorted_string_list_agg(expr) -%}
    coalesce(
        list_sort(list(distinct {{ expr }}) filter (where {{ expr }} is not null)),
        []::varchar[]
    )
{%- endmacro %}

{% macro spark__sorted_string_list_agg(expr) -%}
    array_sort(collect_set({{ expr }}))
{%- endmacro %}
