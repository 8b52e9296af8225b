{#- DuckDB's JSON type name (see json_type) for a Spark VARIANT value. -#}
{% macro spark_variant_type_name(variant_expr) -%}
    case
        when {{ variant_expr }} is null then null
        when schema_of_variant({{ variant_expr }}) like 'OBJECT%' then 'OBJECT'
        when schema_of_variant({{ variant_expr }}) like 'ARRAY%' then 'ARRAY'
        when schema_of_variant({{ variant_expr }}) = 'STRING' then 'VARCHAR'
        when schema_of_variant({{ variant_expr }}) = 'BOOLEAN' then 'BOOLEAN'
        when schema_of_variant({{ variant_expr }}) = 'VOID' then 'NULL'
        when schema_of_variant({{ variant_expr }}) in ('TINYINT', 'SMALLINT', 'INT', 'BIGINT')
            or schema_of_variant({{ variant_expr }}) like 'DECIMAL(%,0)'
            then case
                when try_variant_get({{ variant_expr }}, '$', 'decimal(38,0)')
                    between 0 and 18446744073709551615 then 'UBIGINT'
                when try_variant_get({{ variant_expr }}, '$', 'decimal(38,0)')
                    between -9223372036854775808 and -1 then 'BIGINT'
                else 'DOUBLE'
            end
        else 'DOUBLE'
    end
{%- endmacro %}
