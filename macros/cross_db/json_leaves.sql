{#- A lateral table of every scalar leaf of a JSON object, for `from t, {{ json_leaves(...) }}`:
    columns leaf_path (JSONPath from the object's root without the leading '$.', e.g.
    'optimizer.lr' or 'layers[0]'), leaf_value (JSON, numbers exactly as written) and
    leaf_type (OBJECT/ARRAY never appear; NULL does). -#}
{% macro json_leaves(json_expr, alias) -%}
    {{ return(adapter.dispatch('json_leaves', 'wandb_warehouse')(json_expr, alias)) }}
{%- endmacro %}

{% macro default__json_leaves(json_expr, alias) -%}
    {{ exceptions.raise_compiler_error("json_leaves has no implementation for " ~ target.type) }}
{%- endmacro %}

{% macro duckdb__json_leaves(json_expr, alias) -%}
    (
        select
            regexp_replace(fullkey, '^\$\.?', '') as leaf_path,
            value as leaf_value,
            type as leaf_type
        from json_tree({{ json_expr }})
        where type not in ('OBJECT', 'ARRAY')
    ) as {{ alias }}
{%- endmacro %}

{#- Spark: the VARIANT is walked level by level (objects via map_entries, arrays by
    index) down to `max_depth` levels below the root; deeper leaves are not listed. -#}
{% macro spark__json_leaves(json_expr, alias, max_depth=8) -%}
    {%- set ns = namespace(nodes="array(named_struct('path', '', 'value', " ~ json_expr ~ "))") -%}
    {%- for level in range(max_depth) -%}
        {%- set ns.nodes -%}
        flatten(transform({{ ns.nodes }}, node -> case
            when schema_of_variant(node.value) like 'OBJECT%' then transform(
                map_entries(variant_get(node.value, '$', 'map<string,variant>')),
                entry -> named_struct('path', concat(node.path, '.', entry.key), 'value', entry.value)
            )
            when schema_of_variant(node.value) like 'ARRAY%' then transform(
                variant_get(node.value, '$', 'array<variant>'),
                (item, position) -> named_struct(
                    'path', concat(node.path, '[', position, ']'), 'value', item
                )
            )
            else array(node)
        end))
        {%- endset -%}
    {%- endfor -%}
    lateral inline(transform(
        filter({{ ns.nodes }}, leaf -> not (
            schema_of_variant(leaf.value) like 'OBJECT%'
            or schema_of_variant(leaf.value) like 'ARRAY%'
        )),
        leaf -> named_struct(
            'leaf_path', regexp_replace(leaf.path, '^[.]', ''),
            'leaf_value', leaf.value,
            'leaf_type', {{ wandb_warehouse.spark_variant_type_name('leaf.value') }}
        )
    )) as {{ alias }}(leaf_path, leaf_value, leaf_type)
{%- endmacro %}
