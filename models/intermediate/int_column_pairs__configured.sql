{#- Rendered from the `column_pairs` var at compile time: no database needed. -#}
{%- set pairs = var('column_pairs') or [] -%}

with

pairs as (

    {% for pair in pairs %}
        select
            cast('{{ pair.name }}' as {{ dbt.type_string() }}) as column_pair,
            cast('{{ pair.config }}' as {{ dbt.type_string() }}) as config_path,
            cast('{{ pair.summary }}' as {{ dbt.type_string() }}) as summary_path,
            cast('config.{{ pair.config }}' as {{ dbt.type_string() }}) as config_key,
            cast('summary.{{ pair.summary }}' as {{ dbt.type_string() }}) as summary_key,
            cast('{{ pair.get("compare", "integer") }}' as {{ dbt.type_string() }}) as compare_as,
            {{ loop.index }} as pair_order
        {% if not loop.last %}union all{% endif %}
    {% else %}
        -- No pair configured: no rows, same columns.
        select
            cast(null as {{ dbt.type_string() }}) as column_pair,
            cast(null as {{ dbt.type_string() }}) as config_path,
            cast(null as {{ dbt.type_string() }}) as summary_path,
            cast(null as {{ dbt.type_string() }}) as config_key,
            cast(null as {{ dbt.type_string() }}) as summary_key,
            cast(null as {{ dbt.type_string() }}) as compare_as,
            0 as pair_order
        where false
    {% endfor %}

),

final as (

    select * from pairs

)

select * from final
