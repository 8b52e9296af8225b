{#- Rendered from the analysis settings at compile time (no database needed): each
    settings scope's tag catalog ('*' the defaults, 'entity/project' a project with its
    own settings; see the settings_scope macro). -#}
{%- set rows = scoped_settings_entries('tag_catalog') -%}

with

catalog as (

    {% for scope, entry, catalog_order in rows %}
        select
            cast({{ sql_string(scope) }} as {{ dbt.type_string() }}) as settings_scope,
            cast({{ sql_string(entry.tag) }} as {{ dbt.type_string() }}) as tag,
            cast({{ sql_string(entry.category) }} as {{ dbt.type_string() }}) as tag_category,
            cast('{{ entry.column }}' as {{ dbt.type_string() }}) as tag_column,
            {{ catalog_order }} as catalog_order
        {% if not loop.last %}union all{% endif %}
    {% else %}
        -- No tag catalogued anywhere: no rows, same columns.
        select
            cast(null as {{ dbt.type_string() }}) as settings_scope,
            cast(null as {{ dbt.type_string() }}) as tag,
            cast(null as {{ dbt.type_string() }}) as tag_category,
            cast(null as {{ dbt.type_string() }}) as tag_column,
            0 as catalog_order
        where false
    {% endfor %}

),

final as (

    select * from catalog

)

select * from final
