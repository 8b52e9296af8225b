{#- Rendered from the `tag_catalog` var at compile time: no database needed. -#}
{%- set catalog = var('tag_catalog') -%}

with

catalog as (

    {% for entry in catalog %}
        select
            cast('{{ entry.tag }}' as {{ dbt.type_string() }}) as tag,
            cast('{{ entry.category }}' as {{ dbt.type_string() }}) as tag_category,
            cast('{{ tag_column_name(entry.tag) }}' as {{ dbt.type_string() }}) as tag_column,
            {{ loop.index }} as catalog_order
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select * from catalog

)

select * from final
