{#- For incremental models that find their work by load: a subquery of the distinct
    values of `column` in `relation` (a ref or a CTE) that the model's own table does not
    hold in `built_column` (default: the same name). These are load ids, so the list is
    short, and DuckDB pushes a semi join on it into the scan it filters. -#}
{% macro values_not_built(relation, column, built_column=none) -%}
    {%- set built_column = built_column or column -%}
    select distinct candidates.{{ column }}
    from {{ relation }} as candidates
    where candidates.{{ column }} not in (
        select distinct built.{{ built_column }}
        from {{ this }} as built
        where built.{{ built_column }} is not null
    )
{%- endmacro %}
