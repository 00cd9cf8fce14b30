-- Keys and indexes on the bulk tables come after loading: building them once is faster than row by row.
ALTER TABLE public.message ADD PRIMARY KEY (id);
ALTER TABLE public.message ADD CONSTRAINT message_sender_id_fkey
    FOREIGN KEY (sender_id) REFERENCES public."User" (id) ON DELETE CASCADE;
ALTER TABLE public.message ADD CONSTRAINT message_recipient_id_fkey
    FOREIGN KEY (recipient_id) REFERENCES public."User" (id) ON DELETE CASCADE;
CREATE INDEX message_thread_id_created_at_idx ON public.message (thread_id, created_at);
CREATE INDEX message_recipient_id_idx ON public.message (recipient_id);

ALTER TABLE public.analytics_event ADD PRIMARY KEY (id);
CREATE INDEX analytics_event_occurred_at_idx ON public.analytics_event (occurred_at);

CREATE INDEX beacon_owner_id_idx ON public."Beacon" (owner_id);
CREATE INDEX marketplace_order_buyer_id_idx ON public.marketplace_order (buyer_id);
CREATE INDEX support_tickets_user_id_idx ON public.support_tickets (user_id);
CREATE INDEX gdpr_consents_user_id_idx ON public.gdpr_consents (user_id);
CREATE INDEX moderation_report_reported_user_id_idx ON public.moderation_report (reported_user_id);
CREATE INDEX legal_hold_user_id_idx ON public.legal_hold (user_id);

ANALYZE;
