{#- The JSON type name at `path`, upper case: OBJECT, ARRAY, VARCHAR, BIGINT, UBIGINT,
    DOUBLE, BOOLEAN, NULL; null if the key is missing. -#}
{% macro json_type(json_expr, path) -%}
    {{ return(adapter.dispatch('json_type', 'wandb_warehouse')(json_expr, path)) }}
{%- endmacro %}

{% macro default__json_type(json_expr, path) -%}
    json_type({{ json_expr }}, '{{ path }}')
{%- endmacro %}

{% macro duckdb__json_type(json_expr, path) -%}
    json_type({{ json_expr }}, '{{ path }}')
{%- endmacro %}

{#- Spark: DuckDB's names for the VARIANT's type. An integral number is UBIGINT when it
    fits 0..2^64-1, BIGINT when negative down to -2^63, DOUBLE otherwise (as DuckDB reads
    JSON); Spark's VARIANT keeps 15000.0 as an integer, so it reports UBIGINT there. -#}
{% macro spark__json_type(json_expr, path) -%}
    {{ wandb_warehouse.spark_variant_type_name("variant_get(" ~ json_expr ~ ", '" ~ path ~ "')") }}
{%- endmacro %}

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
