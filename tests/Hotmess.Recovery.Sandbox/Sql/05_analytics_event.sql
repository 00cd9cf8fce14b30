-- One chunk of analytics events, rows first..last of total. psql variables: first, last, total, users.
INSERT INTO public.analytics_event (user_id, session_id, event_name, properties, occurred_at)
SELECT CASE WHEN i % 8 = 0 THEN NULL ELSE md5('user:' || (1 + (i * 3) % :users))::uuid END,
       md5('session:' || i / 20)::uuid,
       (ARRAY['page_view', 'beacon_open', 'message_sent', 'checkout_started', 'purchase', 'search', 'profile_view'])[1 + i % 7],
       jsonb_build_object('path', '/beacons/' || i % 500,
                          'referrer', CASE WHEN i % 4 = 0 THEN NULL ELSE 'https://hotmess.london/' END,
                          'duration_ms', (i * 37) % 5000,
                          'device', (ARRAY['ios', 'android', 'web'])[1 + i % 3],
                          'experiments', CASE WHEN i % 5 = 0 THEN '[]'::jsonb ELSE '["map-v2", "dark-mode"]'::jsonb END),
       now() - make_interval(secs => (:total - i) * 2592000.0 / :total)
FROM generate_series(:first, :last) AS i;
