-- What a real HOTMESS project holds beyond the sample's public tables, for restores into a Supabase project:
-- Storage's tables with rows, auth.identities, a custom role, a schema other than public with a materialized view,
-- and user-written objects inside managed schemas (a bucket policy on storage.objects, a trigger on auth.users).
-- Run on a sample database (SampleDatabase.Create) by its superuser.

DO $role$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hotmess_reporting') THEN
        CREATE ROLE hotmess_reporting NOLOGIN;
    END IF;
END $role$;

CREATE TABLE auth.identities (
    provider_id text NOT NULL,
    user_id uuid NOT NULL REFERENCES auth.users (id) ON DELETE CASCADE,
    identity_data jsonb NOT NULL,
    provider text NOT NULL,
    last_sign_in_at timestamptz,
    created_at timestamptz,
    updated_at timestamptz,
    id uuid PRIMARY KEY DEFAULT gen_random_uuid()
);
INSERT INTO auth.identities (provider_id, user_id, identity_data, provider, created_at, updated_at)
SELECT u.id::text, u.id, jsonb_build_object('sub', u.id::text, 'email', u.email), 'email', u.created_at, u.created_at
  FROM auth.users u;
CREATE TABLE auth.schema_migrations (version varchar(255) PRIMARY KEY);
INSERT INTO auth.schema_migrations VALUES ('20171026211738'), ('20180103212743'), ('20240427152123'), ('20991231000000');

CREATE SCHEMA storage;
CREATE TABLE storage.buckets (
    id text PRIMARY KEY, name text NOT NULL UNIQUE, owner uuid, created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now(),
    public boolean DEFAULT false, file_size_limit bigint, allowed_mime_types text[]);
CREATE TABLE storage.objects (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(), bucket_id text REFERENCES storage.buckets (id), name text, owner uuid,
    created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now(), last_accessed_at timestamptz DEFAULT now(),
    metadata jsonb, version text, UNIQUE (bucket_id, name));
ALTER TABLE storage.objects ENABLE ROW LEVEL SECURITY;
INSERT INTO storage.buckets (id, name, public) VALUES ('avatars', 'avatars', true), ('uploads', 'uploads', false), ('products', 'products', true);
INSERT INTO storage.objects (bucket_id, name, owner, metadata)
SELECT 'avatars', u.id::text || '/avatar.png', u.id, jsonb_build_object('size', 1024, 'mimetype', 'image/png')
  FROM auth.users u;
CREATE POLICY "Avatars are public" ON storage.objects FOR SELECT TO anon, authenticated USING (bucket_id = 'avatars');
CREATE POLICY "Users upload their own avatar" ON storage.objects FOR INSERT TO authenticated
    WITH CHECK (bucket_id = 'avatars' AND owner = auth.uid());

-- The usual "create a profile for a new user" trigger.
CREATE TABLE public.profile_created (user_id uuid PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now());
CREATE FUNCTION public.handle_new_user() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
BEGIN
    INSERT INTO public.profile_created (user_id) VALUES (NEW.id);
    RETURN NEW;
END $$;
CREATE TRIGGER on_auth_user_created AFTER INSERT ON auth.users FOR EACH ROW EXECUTE FUNCTION public.handle_new_user();
INSERT INTO public.profile_created (user_id) SELECT id FROM auth.users;
REVOKE ALL ON public.profile_created FROM anon, authenticated;
GRANT SELECT ON public.profile_created TO service_role;
REVOKE EXECUTE ON FUNCTION public.handle_new_user() FROM PUBLIC;

-- A reporting schema with a materialized view, and a custom role that reads it.
CREATE SCHEMA reporting;
CREATE MATERIALIZED VIEW reporting.orders_per_status AS
    SELECT status, count(*) AS orders FROM public.marketplace_order GROUP BY status;
CREATE SEQUENCE reporting.report_number START 100;
SELECT nextval('reporting.report_number'), nextval('reporting.report_number');
GRANT USAGE ON SCHEMA reporting TO hotmess_reporting;
GRANT SELECT ON reporting.orders_per_status TO hotmess_reporting;
-- A table the API must not see: no grant to anon or authenticated at all.
CREATE TABLE public.internal_note (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text NOT NULL);
INSERT INTO public.internal_note (body) VALUES ('restore drill'), ('second note');
REVOKE ALL ON public.internal_note FROM anon, authenticated, service_role;
-- Objects owned by roles other than the one that restores: the API's service_role, which a project's postgres is a
-- member of (and which may create in reporting), and the custom reporting role, which it is not.
GRANT CREATE ON SCHEMA reporting TO service_role;
ALTER SEQUENCE reporting.report_number OWNER TO service_role;
CREATE FUNCTION reporting.orders_total() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT sum(orders) FROM reporting.orders_per_status';
ALTER FUNCTION reporting.orders_total() OWNER TO hotmess_reporting;
