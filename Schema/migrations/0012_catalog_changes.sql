-- Servers keep the encoded JSON of public API reads (PublicResponseCache in WebApp) until the data behind them
-- changes. Every change to those tables is announced on the channel 'catalog_changed', once per statement and
-- whoever made it (another server, the CLI, psql), so that every server forgets what it kept. PostgreSQL delivers
-- the notification at commit, and not at all on rollback.
CREATE FUNCTION notify_catalog_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('catalog_changed', TG_TABLE_NAME);
    RETURN NULL;
END
$$;

CREATE TRIGGER institutions_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON institutions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER members_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON members
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER affiliations_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON affiliations
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER working_groups_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON working_groups
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER memberships_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON memberships
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER artifacts_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON artifacts
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
CREATE TRIGGER compute_resources_catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON compute_resources
    FOR EACH STATEMENT EXECUTE FUNCTION notify_catalog_changed();
