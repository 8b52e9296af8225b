{#- Rendered from the analysis settings at compile time (no database needed): each
    settings scope's column pairs ('*' the defaults, 'entity/project' a project with its
    own settings; see the settings_scope macro). -#}
{%- set rows = scoped_settings_entries('column_pairs') -%}

with

pairs as (

    {% for scope, pair, pair_order in rows %}
        select
            cast({{ sql_string(scope) }} as {{ dbt.type_string() }}) as settings_scope,
            cast({{ sql_string(pair.name) }} as {{ dbt.type_string() }}) as column_pair,
            cast({{ sql_string(pair.config) }} as {{ dbt.type_string() }}) as config_path,
            cast({{ sql_string(pair.summary) }} as {{ dbt.type_string() }}) as summary_path,
            cast({{ sql_string('config.' ~ pair.config) }} as {{ dbt.type_string() }}) as config_key,
            cast({{ sql_string('summary.' ~ pair.summary) }} as {{ dbt.type_string() }}) as summary_key,
            cast('{{ pair.compare }}' as {{ dbt.type_string() }}) as compare_as,
            cast({{ sql_string(pair.role) if pair.role else 'null' }} as {{ dbt.type_string() }}) as pair_role,
            {{ pair_order }} as pair_order
        {% if not loop.last %}union all{% endif %}
    {% else %}
        -- No pair configured anywhere: no rows, same columns.
        select
            cast(null as {{ dbt.type_string() }}) as settings_scope,
            cast(null as {{ dbt.type_string() }}) as column_pair,
            cast(null as {{ dbt.type_string() }}) as config_path,
            cast(null as {{ dbt.type_string() }}) as summary_path,
            cast(null as {{ dbt.type_string() }}) as config_key,
            cast(null as {{ dbt.type_string() }}) as summary_key,
            cast(null as {{ dbt.type_string() }}) as compare_as,
            cast(null as {{ dbt.type_string() }}) as pair_role,
            0 as pair_order
        where false
    {% endfor %}

),

final as (

    select * from pairs

)

select * from final
