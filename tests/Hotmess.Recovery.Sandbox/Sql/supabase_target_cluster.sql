-- The cluster-wide part of a Supabase-shaped target, run once by the bootstrap superuser `postgres`: Supabase's own
-- roles, and a short-lived superuser that then renames the bootstrap superuser to supabase_admin and creates the
-- `postgres` a hosted project has (SupabaseTarget.PrepareClusterAsync).
DO $roles$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['anon', 'authenticated', 'service_role', 'supabase_auth_admin', 'supabase_storage_admin',
                                     'supabase_realtime_admin', 'supabase_functions_admin', 'authenticator', 'dashboard_user'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = role_name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT', role_name);
        END IF;
    END LOOP;
END
$roles$;

ALTER ROLE service_role BYPASSRLS;
GRANT anon, authenticated, service_role TO authenticator;
CREATE ROLE hotmess_bootstrap LOGIN SUPERUSER PASSWORD :'admin_password';
