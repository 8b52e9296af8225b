{#- A pre-hook for int_runs__tags: when the tag catalog (the `tag_catalog` var) no
    longer agrees with a stored row's category or is_catalogued, delete every row, so the
    build re-derives all runs' tags against the new catalog. -#}
{% macro delete_run_tags_if_catalog_changed() -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where exists (
            select 1
            from {{ this }} as stored
            left join {{ ref('int_tags__catalog') }} as catalog
                on stored.tag = catalog.tag
            where
                stored.is_catalogued != (catalog.tag is not null)
                or stored.tag_category is distinct from catalog.tag_category
        )
    {%- endif -%}
{%- endmacro %}
