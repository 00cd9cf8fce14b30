-- Rows the data retention policy acts on, loaded on top of the sample database (RetentionSample): twelve accounts
-- (1-6 deleted over 30 days ago, 7-9 deleted recently, 10-12 active), each with messages, follows, events,
-- analytics, orders, consents, tickets and moderation reports at ages around every rule's limit; legal holds on
-- accounts 6 and 10 (and a released one on 5); anonymous analytics every 40 days back to 1,200 days; and the
-- deleted_user account that events of erased accounts are transferred to.

INSERT INTO auth.users (id, aud, role, email, created_at, updated_at)
VALUES (md5('deleted_user')::uuid, 'authenticated', 'authenticated', 'deleted_user@hotmess.invalid', now() - interval '9 years', now() - interval '9 years');
INSERT INTO public."User" (id, username, display_name, created_at, updated_at)
VALUES (md5('deleted_user')::uuid, 'deleted_user', 'Deleted user', now() - interval '9 years', now() - interval '9 years');

CREATE TEMPORARY TABLE retention_account ON COMMIT DROP AS
SELECT i,
       md5('retention-user:' || i)::uuid AS id,
       CASE WHEN i <= 6 THEN now() - make_interval(days => 40 + i * 60)
            WHEN i <= 9 THEN now() - make_interval(days => (i - 6) * 7) END AS deleted_at
FROM generate_series(1, 12) AS i;

INSERT INTO auth.users (id, aud, role, email, created_at, updated_at)
SELECT id, 'authenticated', 'authenticated', 'retention' || i || '@hotmess.example', now() - interval '8 years 6 months', now() - interval '8 years 6 months'
FROM retention_account;

INSERT INTO public."User" (id, username, display_name, email, settings, created_at, updated_at, deleted_at)
SELECT id, 'retention_' || i, 'Retention ' || i, 'retention' || i || '@hotmess.example', '{"theme": "dark"}',
       now() - interval '8 years 6 months', coalesce(deleted_at, now() - interval '8 years 6 months'), deleted_at
FROM retention_account;

INSERT INTO public.legal_hold (id, user_id, reason, placed_at, released_at)
SELECT md5('retention-hold:' || i)::uuid, md5('retention-user:' || i)::uuid, reason, now() - interval '400 days', released
FROM (VALUES (5, 'Fraud investigation', now() - interval '30 days'),
             (6, 'Litigation: subpoena', NULL::timestamptz),
             (10, 'Tax audit', NULL::timestamptz)) AS h (i, reason, released);

-- Four messages each: two sent to user 1, two received from user 2.
INSERT INTO public.message (id, sender_id, recipient_id, thread_id, body, created_at, updated_at)
SELECT md5('retention-message:' || a.i || ':' || j)::uuid,
       CASE WHEN j <= 2 THEN a.id ELSE md5('user:2')::uuid END,
       CASE WHEN j <= 2 THEN md5('user:1')::uuid ELSE a.id END,
       md5('retention-thread:' || a.i)::uuid,
       'Retention test message ' || j,
       now() - make_interval(days => 500 + a.i * 10 + j),
       now() - make_interval(days => 500 + a.i * 10 + j)
FROM retention_account a, generate_series(1, 4) AS j;

-- Three follows each: of users 1 and 2, and by user 3.
INSERT INTO public.social_connection (follower_id, followee_id, created_at)
SELECT a.id, md5('user:1')::uuid, now() - make_interval(days => 600 + a.i) FROM retention_account a
UNION ALL
SELECT a.id, md5('user:2')::uuid, now() - make_interval(days => 601 + a.i) FROM retention_account a
UNION ALL
SELECT md5('user:3')::uuid, a.id, now() - make_interval(days => 602 + a.i) FROM retention_account a;

-- Two events each.
INSERT INTO public."Beacon" (id, owner_id, title, latitude, longitude, created_at, updated_at)
SELECT md5('retention-beacon:' || a.i || ':' || j)::uuid, a.id, 'Retention party ' || a.i || '.' || j, 51.5, -0.12,
       now() - make_interval(days => 700 + a.i * 3 + j), now() - make_interval(days => 700 + a.i * 3 + j)
FROM retention_account a, generate_series(1, 2) AS j;

-- Two recent analytics events each, and anonymous ones every 40 days back to 1,200 days (19 to 30 are over two years old).
INSERT INTO public.analytics_event (user_id, session_id, event_name, properties, occurred_at)
SELECT a.id, md5('retention-session:' || a.i)::uuid, 'page_view', '{}'::jsonb, now() - make_interval(days => 10, hours => j)
FROM retention_account a, generate_series(1, 2) AS j
UNION ALL
SELECT NULL, md5('retention-session:anonymous:' || k)::uuid, (ARRAY['page_view', 'search'])[1 + k % 2], '{}'::jsonb, now() - make_interval(days => k * 40)
FROM generate_series(1, 30) AS k;

-- Orders: one eight years old, one a year old, each.
INSERT INTO public.marketplace_order (id, buyer_id, product_id, quantity, unit_price, status, stripe_payment_intent, created_at, updated_at)
SELECT md5('retention-order:' || a.i || ':' || j)::uuid, a.id, md5('product:1')::uuid, 1, 25.00, 'delivered',
       'pi_retention_' || a.i || '_' || j, now() - age_of, now() - age_of
FROM retention_account a,
     (VALUES (1, interval '8 years' + interval '10 days'), (2, interval '1 year')) AS o (j, age_of);

-- Consents and tickets: one four years old, one a year old, each.
INSERT INTO public.gdpr_consents (id, user_id, consent_type, granted, policy_version, created_at)
SELECT md5('retention-consent:' || a.i || ':' || j)::uuid, a.id, 'terms', true, '2021-01', now() - age_of
FROM retention_account a,
     (VALUES (1, interval '4 years'), (2, interval '1 year')) AS c (j, age_of);

INSERT INTO public.support_tickets (id, user_id, subject, body, status, created_at, updated_at, resolved_at)
SELECT md5('retention-ticket:' || a.i || ':' || j)::uuid, a.id, 'Old question', 'Hi team, about my order.', 'closed',
       now() - age_of, now() - age_of, now() - age_of + interval '2 days'
FROM retention_account a,
     (VALUES (1, interval '4 years'), (2, interval '1 year')) AS t (j, age_of);

-- Moderation reports about each account: one five years old, one six months old.
INSERT INTO public.moderation_report (id, reporter_id, reported_user_id, reason, created_at)
SELECT md5('retention-report:' || a.i || ':' || j)::uuid, md5('user:1')::uuid, a.id, 'Spam', now() - age_of
FROM retention_account a,
     (VALUES (1, interval '5 years'), (2, interval '6 months')) AS m (j, age_of);

ANALYZE;
