-- Run by the short-lived superuser: the bootstrap superuser becomes supabase_admin, as on a hosted project (so it
-- owns every parameter, and a grant of one to postgres is recorded), and `postgres` is created with the rights
-- Supabase gives it.
ALTER ROLE postgres RENAME TO supabase_admin;
CREATE ROLE postgres LOGIN NOSUPERUSER CREATEROLE CREATEDB REPLICATION BYPASSRLS PASSWORD :'admin_password';
GRANT anon, authenticated, service_role TO postgres;
-- The dashboard's SQL editor (as postgres) may write policies on storage.objects and triggers on auth.users.
GRANT supabase_storage_admin TO postgres;
-- PostgreSQL 15: what lets a restore load data with triggers and foreign keys off, without SUPERUSER.
GRANT SET ON PARAMETER session_replication_role TO postgres;
