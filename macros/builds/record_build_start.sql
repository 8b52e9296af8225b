{#- on-run-start (DuckDB): log this invocation in meta.builds (status 'running' until
    on-run-end judges it) and record in meta.build_loads the raw loads and entity listings
    it reads. `wandb-warehouse publish` publishes a build only when its row says every
    model, seed and data test ran and none failed, and then exactly those loads' raw rows:
    a writer cannot add loads while dbt holds the raw layer. `dbt test`, `source
    freshness` and other commands that build nothing are not logged.
    dbt runs project hooks outside a transaction, but a hook whose rendering queried the
    warehouse (run_query begins one) runs inside that transaction, which dbt then rolls
    back: so this is the first hook to query, and it checks for the raw layer without
    beginning one. Without a raw layer it does nothing (check_raw_layer stops the run). -#}
{% macro record_build_start() -%}
    {%- set logged = execute and target.type == 'duckdb'
        and flags.WHICH in ['build', 'run', 'seed', 'snapshot'] -%}
    {%- if logged -%}
        {%- call statement('raw_layer', fetch_result=True, auto_begin=False) -%}
            select count(*) from duckdb_tables()
            where database_name = 'raw' and table_name = 'wandb_loads'
        {%- endcall -%}
        {%- set logged = load_result('raw_layer')['data'][0][0] > 0 -%}
    {%- endif -%}
    {%- if logged -%}
        create schema if not exists meta;
        create table if not exists meta.builds (
            invocation_id varchar not null,
            command varchar not null,
            started_at timestamptz not null,
            finished_at timestamptz,
            status varchar not null,
            project_fingerprint varchar,
            raw_loads bigint,
            nodes_run bigint,
            failures varchar,
            findings varchar
        );
        comment on table meta.builds is 'One row per dbt invocation that built models: status running (or killed), ok (every model, seed and data test ran; warnings allowed), partial (some did not run) or failed (a node failed or was skipped); failures names the nodes that failed, findings the data rules that warned.';
        insert into meta.builds (
            invocation_id, command, started_at, status, project_fingerprint, raw_loads
        )
        select
            '{{ invocation_id }}',
            '{{ flags.WHICH }}',
            now(),
            'running',
            '{{ env_var("WANDB_WAREHOUSE_PROJECT_FINGERPRINT", "") | replace("'", "") }}',
            count(*)
        from raw.wandb_loads;
        create or replace table meta.build_loads as
        select 'load_id' as ledger, load_id as id from raw.wandb_loads
        union all
        select 'listing_id' as ledger, listing_id as id from raw.wandb_entity_listings;
        comment on table meta.build_loads is 'The raw loads (load_id) and entity listings (listing_id) the latest build in meta.builds read.'
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
